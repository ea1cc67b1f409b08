/**
 * Issue 7 point 3: the malformed-response corpus (catalogue groups C, D, G and systematic variations; see
 * items.ts), replayed by the raw-TCP server to HTTPRequest with `timeout` set, with use_threads false and
 * true. Invariants: 0 uncaught exceptions or unhandled rejections, 0 hangs past the timeout, 0 truncated or
 * ambiguous bodies reported as SUCCESS (each item declares its acceptable results and SUCCESS's exact body),
 * exactly one `request_completed` per request.
 *
 * Environment: GDHTTP_CORPUS_CONCURRENCY (default 16), GDHTTP_CORPUS_TIMEOUT (seconds, default 2),
 * GDHTTP_CORPUS_MARGIN_MS (default 1500).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { close_idle_connections, close_worker_pool } from '../../../src/index.js';
import { buildCorpus, type CorpusItem } from './items.js';
import { Replayer, trackProcessErrors } from './replay.js';
import { describeVerdict, outcomeCounts, runCorpus, type ItemVerdict } from './run-corpus.js';

const CONCURRENCY = Number(process.env.GDHTTP_CORPUS_CONCURRENCY ?? 16);
const TIMEOUT_S = Number(process.env.GDHTTP_CORPUS_TIMEOUT ?? 2);
const MARGIN_MS = Number(process.env.GDHTTP_CORPUS_MARGIN_MS ?? 1500);

const corpus = buildCorpus();
const groups = [...new Set(corpus.map((item) => item.id.split('/')[0] as string))];
const processErrors = trackProcessErrors();

after(async () => {
  processErrors.stop();
  close_idle_connections();
  await close_worker_pool();
});

test('the corpus has at least 300 distinct items', () => {
  assert.ok(corpus.length >= 300, `${corpus.length} items`);
  assert.equal(new Set(corpus.map((i) => i.id)).size, corpus.length);
});

for (const use_threads of [false, true]) {
  describe(`malformed-response corpus (use_threads ${use_threads})`, () => {
    let replayer: Replayer | undefined;
    let verdicts: ItemVerdict[] = [];
    const byId = new Map<string, ItemVerdict>();

    before(async () => {
      replayer = await Replayer.start();
      try {
        verdicts = await runCorpus(replayer, corpus, {
          use_threads,
          timeout: TIMEOUT_S,
          marginMs: MARGIN_MS,
          concurrency: CONCURRENCY,
        });
        for (const v of verdicts) byId.set(v.item.id, v);
      } finally {
        close_idle_connections();
        await replayer.close();
      }
    });

    const check = (items: readonly CorpusItem[]): void => {
      const failed = items
        .map((item) => byId.get(item.id))
        .filter((v): v is ItemVerdict => v !== undefined && v.problems.length > 0);
      assert.equal(verdicts.length, corpus.length, 'every item ran');
      assert.deepEqual(failed.map(describeVerdict), []);
    };

    for (const group of groups) {
      const items = corpus.filter((i) => i.id.startsWith(`${group}/`) && i.todo === undefined);
      test(`${group}: ${items.length} items meet their expectation and the invariants`, () => check(items));
    }
    for (const item of corpus.filter((i) => i.todo !== undefined)) {
      test(`${item.id}`, { todo: item.todo as string }, () => check([item]));
    }

    test('no request is lost to a stale keep-alive connection (NO_RESPONSE without reaching the server)', () => {
      assert.deepEqual(
        verdicts.filter((v) => v.staleReuse).map((v) => v.item.id),
        [],
      );
    });

    test('0 uncaught exceptions or unhandled rejections, 0 server handler errors', (t) => {
      assert.deepEqual(processErrors.errors.map(String), []);
      assert.deepEqual((replayer?.serverErrors ?? []).map(String), []);
      t.diagnostic(
        `corpus ${corpus.length} items, use_threads ${use_threads}: ${JSON.stringify(outcomeCounts(verdicts))}; ` +
          `stale-reuse NO_RESPONSE ${verdicts.filter((v) => v.staleReuse).length}; ` +
          `hangs ${verdicts.filter((v) => v.observation.hung).length}; ` +
          `failed ${verdicts.filter((v) => v.problems.length > 0).length} ` +
          `(todo ${verdicts.filter((v) => v.problems.length > 0 && v.item.todo !== undefined).length}); ` +
          `slowest ${Math.round(Math.max(...verdicts.map((v) => v.observation.elapsedMs)))} ms`,
      );
    });
  });
}
