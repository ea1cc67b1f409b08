/**
 * The leak soak itself (issue 7 point 6), run in its own process with `--expose-gc` by soak.test.ts (CI,
 * short) and scripts/soak.mjs (`npm run soak`, long). For each failure class it makes `GDHTTP_SOAK_N`
 * requests (half with use_threads, half without; at most `GDHTTP_SOAK_CONCURRENCY` in flight), then settles
 * past the keep-alive timeout and compares open fds (/proc/self/fd), `process.getActiveResourcesInfo()` and
 * heap (after gc) with a baseline taken after a warm-up. Prints one JSON line (`SOAK_RESULT {...}`).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  HTTPRequest,
  OK,
  Result,
  SceneTree,
  close_idle_connections,
  close_worker_pool,
  result_name,
} from '../../src/index.js';
const N = Number(process.env.GDHTTP_SOAK_N ?? 300);
const CONCURRENCY = Number(process.env.GDHTTP_SOAK_CONCURRENCY ?? 32);
/** Longer than the 4 s keep-alive timeout of idle connections (also closed explicitly on the main thread). */
const SETTLE_MS = Number(process.env.GDHTTP_SOAK_SETTLE_MS ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc;

interface Snapshot {
  fds: number;
  resources: Record<string, number>;
  heapUsed: number;
}

async function snapshot(): Promise<Snapshot> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  return { fds: readdirSync('/proc/self/fd').length, resources, heapUsed: process.memoryUsage().heapUsed };
}

interface ClassSpec {
  readonly name: string;
  readonly url: string;
  readonly timeout?: number;
  readonly body_size_limit?: number;
  /** Cancel (or free) the node this many ms after request(), drawn per request. */
  readonly interrupt?: 'cancel' | 'queue_free';
  /** Results accepted (empty for interrupted requests: no signal at all). */
  readonly accept: readonly number[];
}

const tree = new SceneTree();

interface ClassOutcome {
  requests: number;
  results: Record<string, number>;
  unexpected: number;
  signalsAfterInterrupt: number;
  completedBeforeInterrupt: number;
  extraSignals: number;
  refused: number;
}

function runOne(spec: ClassSpec, use_threads: boolean, outcome: ClassOutcome): Promise<void> {
  const node = new HTTPRequest();
  tree.root.add_child(node);
  node.use_threads = use_threads;
  node.timeout = spec.timeout ?? 5;
  if (spec.body_size_limit !== undefined) node.body_size_limit = spec.body_size_limit;
  return new Promise<void>((resolve) => {
    let signals = 0;
    let interrupted = false;
    node.request_completed.connect((result) => {
      signals += 1;
      if (spec.interrupt !== undefined) {
        // A request may finish before a late interrupt timer runs: that emission is legitimate.
        if (interrupted) outcome.signalsAfterInterrupt += 1;
        else outcome.completedBeforeInterrupt += 1;
      } else if (signals > 1) outcome.extraSignals += 1;
      else {
        const name = result_name(result) ?? String(result);
        outcome.results[name] = (outcome.results[name] ?? 0) + 1;
        if (!spec.accept.includes(result)) outcome.unexpected += 1;
        // Keep the node a moment to see a second emission, then free it.
        setTimeout(() => {
          node.queue_free();
          resolve();
        }, 20);
      }
    });
    if (node.request(spec.url) !== OK) {
      outcome.refused += 1;
      node.queue_free();
      resolve();
      return;
    }
    if (spec.interrupt !== undefined) {
      const delay = Math.floor(Math.random() * 15);
      setTimeout(() => {
        interrupted = true;
        if (spec.interrupt === 'cancel') node.cancel_request();
        node.queue_free();
        // Wait past any deferred emission that would (wrongly) still arrive.
        setTimeout(resolve, 30);
      }, delay);
    }
  });
}

async function runClass(spec: ClassSpec, count: number): Promise<ClassOutcome> {
  const outcome: ClassOutcome = {
    requests: 0,
    results: {},
    unexpected: 0,
    signalsAfterInterrupt: 0,
    completedBeforeInterrupt: 0,
    extraSignals: 0,
    refused: 0,
  };
  let next = 0;
  const lanes = Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
    while (next < count) {
      const i = next++;
      outcome.requests += 1;
      await runOne(spec, i % 2 === 1, outcome);
    }
  });
  await Promise.all(lanes);
  return outcome;
}

/** Starts soak-servers.ts in a child process and resolves with its ports. */
function startServers(): Promise<{ ports: Record<string, number>; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./soak-servers.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin.end();
    });
  return new Promise((resolve, reject) => {
    let out = '';
    const giveUp = setTimeout(() => {
      void stop().then(() => reject(new Error('soak servers did not start within 30 s')));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('SERVERS '));
      if (line === undefined) return;
      clearTimeout(giveUp);
      resolve({ ports: JSON.parse(line.slice('SERVERS '.length)) as Record<string, number>, stop });
    });
    child.on('exit', (code) => {
      clearTimeout(giveUp);
      reject(new Error(`soak servers exited ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const { ports, stop } = await startServers();
  const url = (name: string, scheme = 'http'): string => `${scheme}://127.0.0.1:${ports[name]}/`;

  const classes: ClassSpec[] = [
    { name: 'refused', url: url('refused'), accept: [Result.RESULT_CANT_CONNECT] },
    {
      name: 'reset',
      url: url('reset'),
      accept: [Result.RESULT_NO_RESPONSE, Result.RESULT_CONNECTION_ERROR],
    },
    { name: 'malformed', url: url('malformed'), accept: [Result.RESULT_CONNECTION_ERROR] },
    {
      name: 'tls_failure',
      url: url('tls_failure', 'https'),
      accept: [Result.RESULT_SSL_HANDSHAKE_ERROR],
    },
    { name: 'timeout', url: url('timeout'), timeout: 0.05, accept: [Result.RESULT_TIMEOUT] },
    {
      name: 'size_limit',
      url: url('size_limit'),
      body_size_limit: 100,
      accept: [Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED],
    },
    { name: 'cancel', url: url('drip'), interrupt: 'cancel', accept: [] },
    { name: 'queue_free', url: url('drip'), interrupt: 'queue_free', accept: [] },
  ];

  // Warm-up: one request of each class in each mode (starts the worker pool, loads code, fills caches).
  for (const spec of classes) await runClass(spec, 4);
  close_idle_connections();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const baseline = await snapshot();

  const outcomes: Record<string, ClassOutcome> = {};
  const heapAfterClassMiB: Record<string, number> = {};
  let previous = baseline.heapUsed;
  for (const spec of classes) {
    outcomes[spec.name] = await runClass(spec, N);
    const now = (await snapshot()).heapUsed;
    heapAfterClassMiB[spec.name] = Math.round(((now - previous) / 1048576) * 100) / 100;
    previous = now;
  }
  const nodesLeft = tree.root.get_child_count();

  close_idle_connections();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const after = await snapshot();

  await stop();
  await close_worker_pool();

  const resourceDelta: Record<string, number> = {};
  for (const key of new Set([...Object.keys(baseline.resources), ...Object.keys(after.resources)])) {
    const d = (after.resources[key] ?? 0) - (baseline.resources[key] ?? 0);
    if (d !== 0) resourceDelta[key] = d;
  }
  const result = {
    perClass: N,
    classes: classes.length,
    gc: gc !== undefined,
    settleMs: SETTLE_MS,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    baseline,
    after,
    fdDelta: after.fds - baseline.fds,
    resourceDelta,
    heapDeltaMiB: Math.round(((after.heapUsed - baseline.heapUsed) / 1048576) * 100) / 100,
    heapAfterClassMiB,
    nodesLeft,
    outcomes,
  };
  process.stdout.write(`SOAK_RESULT ${JSON.stringify(result)}\n`);
}

await main();
