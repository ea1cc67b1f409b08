/**
 * Issue 7 point 4: the bounded response-byte fuzzer. fast-check generates random byte strings and mutations
 * of the malformed-response corpus (byte flips, inserted CR/LF/NUL/framing fragments, deletions,
 * duplications, truncations, splices of two items); each is served over loopback (then FIN, in one write or
 * split in two) to an HTTPRequest with `timeout` set, with use_threads false and true, in bounded concurrent
 * batches until the mode's share of the fuzz budget (budget.ts) is spent.
 *
 * Invariants, as for the corpus: 0 uncaught exceptions / unhandled rejections, 0 hangs past the timeout,
 * exactly one `request_completed`, and no false SUCCESS — judged by a strict reference reading (oracle.ts):
 * SUCCESS for bytes whose framing is cut short fails, and SUCCESS for strictly well-formed bytes must carry
 * exactly the reference body and status.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { Method, Result, close_idle_connections, close_worker_pool } from '../../src/index.js';
import { buildCorpus } from '../trust/corpus/items.js';
import {
  checkInvariants,
  Replayer,
  runBounded,
  trackProcessErrors,
  type Observation,
} from '../trust/corpus/replay.js';
import { budgetMs, SEED, SHARE } from './budget.js';
import { referenceReading } from './oracle.js';

const TIMEOUT_S = 1;
const MARGIN_MS = Number(process.env.GDHTTP_CORPUS_MARGIN_MS ?? 1500);
const CONCURRENCY = 16;
const BATCH = 64;

const seeds = buildCorpus()
  .filter((item) => item.method === undefined && item.bytes.length <= 4096)
  .map((item) => item.bytes);

const FRAGMENTS = [
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '0',
  'f',
  '\r\n\r\n',
  '0\r\n\r\n',
  '5\r\nhello\r\n',
  'Content-Length: 5\r\n',
  'Content-Length: 0\r\n',
  'Transfer-Encoding: chunked\r\n',
  'Transfer-Encoding: gzip, chunked\r\n',
  'Connection: close\r\n',
  'HTTP/1.1 100 Continue\r\n\r\n',
  'HTTP/1.1 103 Early Hints\r\n\r\n',
  'HTTP/1.1 200 OK\r\n',
  'HTTP/1.1 204 No Content\r\n',
  '\xff\xfe',
  '\xc0\x8a',
].map((f) => Buffer.from(f, 'latin1'));

type Op =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; piece: Buffer }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'dup'; at: number; len: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; other: number; from: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    piece: fc.oneof(
      fc.constantFrom(...FRAGMENTS),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => Buffer.from(a)),
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), other: fc.nat(), from: fc.nat() }),
);

function apply(bytes: Buffer, o: Op): Buffer {
  const n = bytes.length;
  const at = o.at % (n + 1);
  switch (o.kind) {
    case 'flip': {
      if (n === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[o.at % n] = o.byte;
      return copy;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), o.piece, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + o.len)]);
    case 'dup':
      return Buffer.concat([
        bytes.subarray(0, at + o.len),
        bytes.subarray(at, at + o.len),
        bytes.subarray(at + o.len),
      ]);
    case 'truncate':
      return bytes.subarray(0, at);
    case 'splice': {
      const other = seeds[o.other % seeds.length] as Buffer;
      return Buffer.concat([bytes.subarray(0, at), other.subarray(o.from % (other.length + 1))]);
    }
  }
}

interface Input {
  readonly bytes: Buffer;
  readonly split: number | null;
}

const input: fc.Arbitrary<Input> = fc.record({
  bytes: fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 256 }), fc.constantFrom(...seeds))
        .map(([noise, seed]) =>
          Buffer.concat([seed.subarray(0, noise.length % (seed.length + 1)), Buffer.from(noise)]),
        ),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...seeds), fc.array(op, { minLength: 1, maxLength: 4 }))
        .map(([seed, ops]) => ops.reduce(apply, seed)),
    },
  ),
  split: fc.option(fc.nat(), { nil: null, freq: 3 }),
});

const processErrors = trackProcessErrors();
after(async () => {
  processErrors.stop();
  close_idle_connections();
  await close_worker_pool();
});

for (const use_threads of [false, true]) {
  describe(`response-byte fuzzer (use_threads ${use_threads})`, () => {
    test('random and mutated responses: no crash, no hang, one signal, no false SUCCESS', async (t) => {
      const replayer = await Replayer.start();
      const violations: string[] = [];
      const outcomes: Record<string, number> = {};
      let executions = 0;
      let laxSuccess = 0;
      const judged: { bytes: Buffer; observation: Observation; split: number | null }[] = [];
      const deadline = performance.now() + budgetMs(SHARE.responses);
      try {
        for (let batch = 0; performance.now() < deadline && batch < 100_000; batch++) {
          const inputs = fc.sample(input, {
            seed: SEED + batch * 7919 + (use_threads ? 1 : 0),
            numRuns: BATCH,
          });
          const tasks = inputs.map((i) => () => {
            const url = replayer.register(
              i.split === null
                ? { bytes: i.bytes, mode: 'close' }
                : { bytes: i.bytes, mode: 'split', splitAt: i.split % (i.bytes.length + 1) },
            );
            return replayer.request(
              url,
              { use_threads, timeout: TIMEOUT_S, method: Method.METHOD_GET, accept_gzip: false },
              MARGIN_MS,
            );
          });
          const observations = await runBounded(tasks, CONCURRENCY);
          inputs.forEach((i, k) =>
            judged.push({ bytes: i.bytes, observation: observations[k] as Observation, split: i.split }),
          );
          executions += inputs.length;
        }
        await replayer.settle(TIMEOUT_S * 1000 + 500);
        for (const { bytes, observation: o, split } of judged) {
          const name = o.hung ? 'HUNG' : String(o.result);
          outcomes[name] = (outcomes[name] ?? 0) + 1;
          const problems = checkInvariants(o, TIMEOUT_S * 1000, MARGIN_MS);
          if (o.result === Result.RESULT_SUCCESS) {
            const ref = referenceReading(bytes);
            if (ref.kind === 'truncated') problems.push(`false SUCCESS: ${ref.why}`);
            else if (ref.kind === 'unclear') laxSuccess += 1;
            else {
              if (!o.body.equals(ref.body))
                problems.push(
                  `SUCCESS body ${JSON.stringify(o.body.toString('latin1').slice(0, 80))} != reference ${JSON.stringify(ref.body.toString('latin1').slice(0, 80))}`,
                );
              if (o.response_code !== ref.status)
                problems.push(`SUCCESS code ${o.response_code} != ${ref.status}`);
            }
          }
          if (problems.length > 0 && violations.length < 20)
            violations.push(
              `${problems.join('; ')} — bytes (base64, split ${split}) ${bytes.toString('base64')}`,
            );
          else if (problems.length > 0) violations.push('…');
        }
      } finally {
        close_idle_connections();
        await replayer.close();
      }
      t.diagnostic(
        `${executions} executions in ${Math.round(budgetMs(SHARE.responses) / 1000)} s (seed ${SEED}); ` +
          `results ${JSON.stringify(outcomes)}; SUCCESS on non-strict bytes (laxer, body not judged) ${laxSuccess}`,
      );
      assert.deepEqual(violations, []);
      assert.deepEqual(processErrors.errors.map(String), []);
      assert.deepEqual(replayer.serverErrors.map(String), []);
      assert.ok(executions > 0);
    });
  });
}
