/**
 * Replays corpus items through a {@link Replayer} in bounded concurrent batches and judges each against its
 * declared expectation and the shared invariants.
 */
import { Method, result_name } from '../../../src/index.js';
import type { CorpusItem } from './items.js';
import { NR, S } from './items.js';
import { checkInvariants, runBounded, show, type Observation, type Replayer } from './replay.js';

/** The verdict on one item. */
export interface ItemVerdict {
  readonly item: CorpusItem;
  readonly observation: Observation;
  /** Empty when the item passed. */
  readonly problems: string[];
  /**
   * The request never reached the server's handler and ended NO_RESPONSE: it was sent on reused keep-alive
   * connections the server had already closed (after a FIN-terminated response) and gdhttp's stale-connection
   * retry gave up. Judged apart from the item (it says nothing about the item's bytes).
   */
  readonly staleReuse: boolean;
}

export interface CorpusRunOptions {
  readonly use_threads: boolean;
  /** Seconds, set on every request. */
  readonly timeout: number;
  /** Allowed lateness past the timeout, ms. */
  readonly marginMs: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
}

/** Judges one observation against the item's declared results, body and code, plus the invariants. */
export function judge(item: CorpusItem, o: Observation, options: CorpusRunOptions): string[] {
  const problems = checkInvariants(o, options.timeout * 1000, options.marginMs);
  if (o.hung || o.refused !== undefined) return problems;
  if (!item.accept.includes(o.result)) {
    const wanted = item.accept.map((r) => result_name(r) ?? String(r)).join(' | ');
    const got = result_name(o.result) ?? String(o.result);
    const extra = o.result === S ? ` (code ${o.response_code}, body ${show(o.body, 60)})` : '';
    problems.push(`result ${got}${extra}, expected ${wanted}`);
  } else if (o.result === S) {
    if (item.body !== undefined && !o.body.equals(item.body))
      problems.push(`SUCCESS with body ${show(o.body, 80)}, expected exactly ${show(item.body, 80)}`);
    if (item.code !== undefined && o.response_code !== item.code)
      problems.push(`SUCCESS with code ${o.response_code}, expected ${item.code}`);
  }
  return problems;
}

/** Runs `items` (at most `concurrency` at once), lets every node linger past the timeout, judges each. */
export async function runCorpus(
  replayer: Replayer,
  items: readonly CorpusItem[],
  options: CorpusRunOptions,
): Promise<ItemVerdict[]> {
  const urls = items.map((item) =>
    replayer.register({
      bytes: item.bytes,
      mode: item.mode,
      ...(item.splitAt === undefined ? {} : { splitAt: item.splitAt }),
    }),
  );
  const tasks = items.map(
    (item, i) => () =>
      replayer.request(
        urls[i] as string,
        {
          use_threads: options.use_threads,
          timeout: options.timeout,
          method: item.method ?? Method.METHOD_GET,
        },
        options.marginMs,
      ),
  );
  const observations = await runBounded(tasks, options.concurrency);
  // A second emission (say, the timeout timer firing after completion) would come within the timeout.
  await replayer.settle(options.timeout * 1000 + 500);
  return items.map((item, i) => {
    const observation = observations[i] as Observation;
    const staleReuse =
      observation.result === NR && !item.accept.includes(NR) && replayer.servedCount(urls[i] as string) === 0;
    const problems = staleReuse
      ? checkInvariants(observation, options.timeout * 1000, options.marginMs)
      : judge(item, observation, options);
    return { item, observation, staleReuse, problems };
  });
}

/** One-line description of a failed verdict, with the bytes served. */
export function describeVerdict(v: ItemVerdict): string {
  const how = v.item.mode === 'split' ? `split@${v.item.splitAt}` : v.item.mode;
  const method = v.item.method === Method.METHOD_HEAD ? ' HEAD' : '';
  return `${v.item.id} [${how}${method}] ${show(v.item.bytes)}: ${v.problems.join('; ')}`;
}

/** `{ RESULT_NAME: count }` over the verdicts. */
export function outcomeCounts(verdicts: readonly ItemVerdict[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { observation } of verdicts) {
    const name = observation.hung ? 'HUNG' : (result_name(observation.result) ?? String(observation.result));
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
