/**
 * Trust-table row T3: differential agreement with `node:http` and Node's `fetch` on the T2 corpus
 * (differential.ts). Only stable invariants are asserted: the run completes, every item is classified for both
 * peers, and every *laxer* (item, peer) pair is in the committed allow-list (differential-laxer.ts) with a
 * one-line justification — so a new laxer item fails here. The full report: `node --import tsx
 * test/trust/corpus/differential-report.ts` (writes docs/trust-differential.md).
 *
 * Environment: GDHTTP_DIFF_CONCURRENCY (default 16), GDHTTP_DIFF_TIMEOUT_MS (default 2000).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { close_idle_connections, close_worker_pool } from '../../../src/index.js';
import {
  CLASSES,
  PEERS,
  classCounts,
  describeOutcome,
  escapeBytes,
  laxerPairs,
  runDifferential,
  type DifferentialRun,
} from './differential.js';
import { LAXER } from './differential-laxer.js';
import { buildCorpus } from './items.js';

const corpus = buildCorpus();
let run: DifferentialRun | undefined;

before(async () => {
  run = await runDifferential(corpus, {
    concurrency: Number(process.env.GDHTTP_DIFF_CONCURRENCY ?? 16),
    timeoutMs: Number(process.env.GDHTTP_DIFF_TIMEOUT_MS ?? 2000),
  });
});

after(async () => {
  close_idle_connections();
  await close_worker_pool();
});

test('the differential run completes and classifies every corpus item for both peers', (t) => {
  assert.ok(run !== undefined, 'the run completed');
  assert.equal(run.items.length, corpus.length);
  assert.deepEqual(
    run.items.map((d) => d.item.id),
    corpus.map((i) => i.id),
  );
  for (const diff of run.items)
    for (const peer of PEERS) assert.ok(CLASSES.includes(diff.peers[peer].class), `${diff.item.id} ${peer}`);
  t.diagnostic(
    `${corpus.length} items in ${(run.elapsedMs / 1000).toFixed(1)} s: ` +
      PEERS.map((peer) => `${peer} ${JSON.stringify(classCounts(run as DifferentialRun)[peer])}`).join('; '),
  );
});

test('every laxer item is in the allow-list for that peer', () => {
  assert.ok(run !== undefined, 'the run completed');
  const missing = laxerPairs(run)
    .filter(({ diff, peer }) => !(LAXER[diff.item.id]?.peers.includes(peer) ?? false))
    .map(
      ({ diff, peer }) =>
        `${diff.item.id} [${peer}] ${escapeBytes(diff.item.bytes)}: gdhttp ${describeOutcome(diff.gdhttpOutcome)}, ` +
        `${peer} ${describeOutcome(diff.peers[peer].outcome)}`,
    );
  assert.deepEqual(missing, []);
});

test('the allow-list names corpus items only, each with a one-line justification', () => {
  const ids = new Set(corpus.map((i) => i.id));
  for (const [id, entry] of Object.entries(LAXER)) {
    assert.ok(ids.has(id), `${id} is not a corpus item`);
    assert.ok(entry.peers.length > 0, `${id}: no peer`);
    assert.match(entry.why, /^[^\n]{10,}$/, `${id}: justification`);
  }
});
