/**
 * Trust-table row T3: differential agreement of gdhttp's HTTPRequest with Node's own clients on the T2
 * malformed-response corpus (items.ts). Every item is served by the corpus {@link Replayer} (same raw-TCP server,
 * same registration by path) and requested three times:
 *
 * - by gdhttp's `HTTPRequest` (use_threads false, `timeout` 2 s), through {@link runCorpus};
 * - by `node:http` (`http.request` with `agent: false`: one fresh connection, llhttp in its default strict
 *   mode); accepted when the response's `'end'` comes with `res.complete` before any error;
 * - by Node's global `fetch` (the undici bundled with Node; `AbortSignal.timeout`, `arrayBuffer()`); accepted
 *   when both the response and its body resolve. A `Connection: close` request header gives every request its
 *   own connection, so no item's leftovers reach another item's request.
 *
 * Each item is then classified per peer: *same* (both accept with identical status and body, or both reject),
 * *stricter* (gdhttp's result is not SUCCESS where the peer accepts) or *laxer* (gdhttp SUCCESS where the peer
 * rejects, or both accept with a different status or body). Every laxer (item, peer) pair must be in the
 * allow-list differential-laxer.ts, with its justification.
 */
import http from 'node:http';
import { Method, Result, result_name } from '../../../src/index.js';
import type { CorpusItem } from './items.js';
import { Replayer, runBounded, type Observation } from './replay.js';
import { runCorpus, type ItemVerdict } from './run-corpus.js';

/** The clients gdhttp is compared with. */
export const PEERS = ['node:http', 'fetch'] as const;
export type PeerName = (typeof PEERS)[number];

/** What one client made of one item: the status and whole body, or the error it reported. */
export type Outcome =
  | { readonly ok: true; readonly status: number; readonly body: Buffer }
  | { readonly ok: false; readonly error: string };

export const CLASSES = ['same', 'stricter', 'laxer'] as const;
export type DiffClass = (typeof CLASSES)[number];

export interface PeerVerdict {
  readonly outcome: Outcome;
  readonly class: DiffClass;
}

/** The differential verdict on one corpus item. */
export interface ItemDiff {
  readonly item: CorpusItem;
  /** gdhttp's observation and its judgement against the item's declared results (run-corpus.ts). */
  readonly gdhttp: ItemVerdict;
  /** gdhttp's observation as an {@link Outcome}: accepted only on SUCCESS. */
  readonly gdhttpOutcome: Outcome;
  readonly peers: Readonly<Record<PeerName, PeerVerdict>>;
}

export interface DifferentialOptions {
  /** Per-request deadline for every client, ms (gdhttp's `timeout` is this in seconds). Default 2000. */
  readonly timeoutMs?: number;
  /** Requests in flight at once, per phase. Default 16. */
  readonly concurrency?: number;
  /** Allowed lateness of gdhttp past its timeout before the corpus invariants flag it, ms. Default 1500. */
  readonly marginMs?: number;
}

export interface DifferentialRun {
  readonly items: readonly ItemDiff[];
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly elapsedMs: number;
  /** Errors the Replayer's server handlers threw (should stay empty). */
  readonly serverErrors: readonly unknown[];
}

/** Classifies one (gdhttp, peer) pair of outcomes. */
export function classify(gdhttp: Outcome, peer: Outcome): DiffClass {
  if (!gdhttp.ok) return peer.ok ? 'stricter' : 'same';
  if (!peer.ok) return 'laxer';
  return gdhttp.status === peer.status && gdhttp.body.equals(peer.body) ? 'same' : 'laxer';
}

/** gdhttp's observation as an outcome: SUCCESS accepts (code and body), anything else rejects. */
export function gdhttpOutcome(o: Observation): Outcome {
  if (o.refused !== undefined) return { ok: false, error: `request() refused (${o.refused})` };
  if (o.hung) return { ok: false, error: 'HUNG (no request_completed)' };
  if (o.result === Result.RESULT_SUCCESS) return { ok: true, status: o.response_code, body: o.body };
  return { ok: false, error: result_name(o.result) ?? `result ${o.result}` };
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return error.name;
    return error.message === '' ? error.name : error.message;
  }
  return String(error);
}

/** A fetch error with its cause (`TypeError: fetch failed` says nothing by itself). */
function fetchError(stage: 'head' | 'body', error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined) return `${stage}: ${errorCode(cause)}`;
  return `${stage}: ${errorCode(error)}`;
}

/**
 * `node:http` on a fresh connection (`agent: false`). Accepts at the response's `'end'` when the message is
 * complete; rejects at the first error, on a close without a complete response, or after `timeoutMs`.
 */
export function requestNodeHttp(url: string, method: 'GET' | 'HEAD', timeoutMs: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let responded = false;
    const req = http.request(url, { method, agent: false });
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      req.destroy();
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    req.on('error', (error) => finish({ ok: false, error: errorCode(error) }));
    req.on('close', () => {
      if (!responded) finish({ ok: false, error: 'closed without a response' });
    });
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => finish({ ok: false, error: `body: ${errorCode(error)}` }));
      res.on('end', () =>
        finish(
          res.complete
            ? { ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks) }
            : { ok: false, error: 'body: incomplete' },
        ),
      );
      res.on('close', () => {
        if (!res.complete) finish({ ok: false, error: 'body: closed before complete' });
      });
    });
    req.end();
  });
}

/**
 * Node's global `fetch` with an `AbortSignal.timeout(timeoutMs)`. Accepts when the response and its whole body
 * (`arrayBuffer()`) resolve; rejects when either rejects.
 */
export async function requestFetch(url: string, method: 'GET' | 'HEAD', timeoutMs: number): Promise<Outcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { method, signal, headers: { connection: 'close' } });
  } catch (error) {
    return { ok: false, error: fetchError('head', error) };
  }
  try {
    return { ok: true, status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  } catch (error) {
    return { ok: false, error: fetchError('body', error) };
  }
}

const PEER_REQUEST: Readonly<
  Record<PeerName, (url: string, method: 'GET' | 'HEAD', timeoutMs: number) => Promise<Outcome>>
> = {
  'node:http': requestNodeHttp,
  fetch: requestFetch,
};

/**
 * Replays `items` to gdhttp (first, alone, as the corpus test does), then to both peers (interleaved, at most
 * `concurrency` requests in flight), on one Replayer, and classifies every item per peer.
 */
export async function runDifferential(
  items: readonly CorpusItem[],
  options: DifferentialOptions = {},
): Promise<DifferentialRun> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const concurrency = options.concurrency ?? 16;
  const marginMs = options.marginMs ?? 1500;
  const started = performance.now();
  const replayer = await Replayer.start();
  try {
    const verdicts = await runCorpus(replayer, items, {
      use_threads: false,
      timeout: timeoutMs / 1000,
      marginMs,
      concurrency,
    });

    const urls = items.map((item) =>
      replayer.register({
        bytes: item.bytes,
        mode: item.mode,
        ...(item.splitAt === undefined ? {} : { splitAt: item.splitAt }),
      }),
    );
    const tasks = items.flatMap((item, i) =>
      PEERS.map((peer) => () => {
        const method = item.method === Method.METHOD_HEAD ? 'HEAD' : 'GET';
        return PEER_REQUEST[peer](urls[i] as string, method, timeoutMs);
      }),
    );
    const outcomes = await runBounded(tasks, concurrency);

    const diffs = items.map((item, i): ItemDiff => {
      const gdhttp = verdicts[i] as ItemVerdict;
      const mine = gdhttpOutcome(gdhttp.observation);
      const peers = Object.fromEntries(
        PEERS.map((peer, p) => {
          const outcome = outcomes[i * PEERS.length + p] as Outcome;
          return [peer, { outcome, class: classify(mine, outcome) }];
        }),
      ) as Record<PeerName, PeerVerdict>;
      return { item, gdhttp, gdhttpOutcome: mine, peers };
    });
    return {
      items: diffs,
      timeoutMs,
      concurrency,
      elapsedMs: performance.now() - started,
      serverErrors: [...replayer.serverErrors],
    };
  } finally {
    await replayer.close();
  }
}

/** `counts[peer][class]` over the run. */
export function classCounts(run: DifferentialRun): Record<PeerName, Record<DiffClass, number>> {
  const counts = Object.fromEntries(
    PEERS.map((peer) => [peer, Object.fromEntries(CLASSES.map((c) => [c, 0]))]),
  ) as Record<PeerName, Record<DiffClass, number>>;
  for (const diff of run.items) for (const peer of PEERS) counts[peer][diff.peers[peer].class] += 1;
  return counts;
}

/** Every (item, peer) pair classified laxer, in corpus order. */
export function laxerPairs(run: DifferentialRun): { diff: ItemDiff; peer: PeerName }[] {
  return run.items.flatMap((diff) =>
    PEERS.filter((peer) => diff.peers[peer].class === 'laxer').map((peer) => ({ diff, peer })),
  );
}

/** Bytes for a message or a markdown cell: printable ASCII as is, the rest escaped; cut at `max` bytes. */
export function escapeBytes(bytes: Buffer, max = 80): string {
  let out = '';
  for (const byte of bytes.subarray(0, max)) {
    if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x5c) out += '\\\\';
    // `|` and the backtick would end a markdown table cell or code span.
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x7c && byte !== 0x60) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…(+${bytes.length - max} B)` : out;
}

/** One-line description of an outcome: `200 "body"` or `ERR code`. */
export function describeOutcome(outcome: Outcome, max = 40): string {
  return outcome.ok ? `${outcome.status} "${escapeBytes(outcome.body, max)}"` : `ERR ${outcome.error}`;
}
