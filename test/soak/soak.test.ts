/**
 * Issue 7 point 6: leak soaks. Runs soak-run.ts in a child process with `--expose-gc` (CI: GDHTTP_SOAK_N
 * requests per class, default 300; `npm run soak` runs 10,000 per class through scripts/soak.mjs) and asserts:
 * every request ended with its class's result (interrupted ones with no signal at all), exactly one signal
 * each, and after a settle longer than the keep-alive timeout: open fds and active resources back to the
 * baseline, heap growth (after gc) under HEAP_BOUND_MIB.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.GDHTTP_SOAK_N ?? 300);
/** Stated bound on heap growth after gc over the whole soak (8 classes × N requests). */
export const HEAP_BOUND_MIB = 16;
const SCRIPT = fileURLToPath(new URL('./soak-run.ts', import.meta.url));

interface ClassOutcome {
  requests: number;
  results: Record<string, number>;
  unexpected: number;
  signalsAfterInterrupt: number;
  completedBeforeInterrupt: number;
  extraSignals: number;
  refused: number;
}
interface SoakResult {
  perClass: number;
  gc: boolean;
  seconds: number;
  fdDelta: number;
  resourceDelta: Record<string, number>;
  heapDeltaMiB: number;
  outcomes: Record<string, ClassOutcome>;
}

function runSoak(): Promise<SoakResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SCRIPT], {
      env: { ...process.env, GDHTTP_SOAK_N: String(N) },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: Number(process.env.GDHTTP_SOAK_CHILD_TIMEOUT_MS ?? 170_000),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('SOAK_RESULT '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`soak child exited ${code ?? signal}: ${err.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice('SOAK_RESULT '.length)) as SoakResult);
    });
  });
}

test(
  `leak soak: ${N} requests per failure class, then fds/resources back to baseline and bounded heap`,
  { timeout: Number(process.env.GDHTTP_SOAK_CHILD_TIMEOUT_MS ?? 170_000) + 10_000 },
  async (t) => {
    const r = await runSoak();
    t.diagnostic(
      `${N}/class × ${Object.keys(r.outcomes).length} classes in ${r.seconds} s (gc ${r.gc}): fd delta ${r.fdDelta}, ` +
        `resource delta ${JSON.stringify(r.resourceDelta)}, heap delta ${r.heapDeltaMiB} MiB (bound ${HEAP_BOUND_MIB})`,
    );
    for (const [name, o] of Object.entries(r.outcomes)) {
      t.diagnostic(
        `${name}: ${JSON.stringify(o.results)}` +
          (o.completedBeforeInterrupt > 0
            ? ` (completed before the interrupt: ${o.completedBeforeInterrupt})`
            : ''),
      );
      assert.equal(o.requests, N, name);
      assert.equal(o.refused, 0, `${name}: request() refused`);
      assert.equal(o.unexpected, 0, `${name}: unexpected results ${JSON.stringify(o.results)}`);
      assert.equal(o.extraSignals, 0, `${name}: more than one request_completed`);
      assert.equal(o.signalsAfterInterrupt, 0, `${name}: request_completed after cancel/queue_free`);
    }
    assert.equal(r.fdDelta, 0, 'open file descriptors back to baseline');
    assert.deepEqual(r.resourceDelta, {}, 'process.getActiveResourcesInfo() back to baseline');
    assert.ok(r.heapDeltaMiB < HEAP_BOUND_MIB, `heap grew ${r.heapDeltaMiB} MiB`);
  },
);
