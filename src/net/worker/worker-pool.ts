import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PoolByteArray } from '../../core/pool-arrays.js';
import type { RequestOptions } from '../request-options.js';
import type { RequestOutcome } from '../request-task.js';
import { Result } from '../result.js';
import type { FromWorker, ToWorker } from './messages.js';
import { trusted_cas } from '../trust-store.js';

/** A request running in a worker; `cancel()` posts a message and returns at once (it never blocks). */
export interface WorkerRequest {
  cancel(): void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly pending: Map<number, (outcome: RequestOutcome) => void>;
}

// Built, the worker is the .js file beside this one. Running from sources under tsx (tests, examples), it is
// a .ts file, and Node 20 does not carry tsx's loader into workers: a small bootstrap registers it first.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCES ? './request-worker.ts' : './request-worker.js', import.meta.url);

// A worker's JavaScript objects are small and short-lived (socket chunks, parser records); a small young
// generation collects them, and the socket buffers they hold, sooner, which keeps a long download's memory
// flat.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

function startWorker(): Worker {
  if (!FROM_SOURCES) return new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits: WORKER_LIMITS });
}
const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism() - 1));

const workers: PooledWorker[] = [];
let nextId = 1;

function spawn(): PooledWorker {
  const worker = startWorker();
  const entry: PooledWorker = { worker, pending: new Map() };
  worker.unref();
  worker.on('message', (message: FromWorker) => {
    const done = entry.pending.get(message.id);
    if (done === undefined) return;
    entry.pending.delete(message.id);
    if (entry.pending.size === 0) worker.unref();
    const body = new PoolByteArray(
      message.body.buffer as ArrayBuffer,
      message.body.byteOffset,
      message.body.byteLength,
    );
    done({ result: message.result, response_code: message.response_code, headers: message.headers, body });
  });
  const failAll = (): void => {
    const index = workers.indexOf(entry);
    if (index !== -1) workers.splice(index, 1);
    const pending = [...entry.pending.values()];
    entry.pending.clear();
    for (const done of pending) {
      done({
        result: Result.RESULT_REQUEST_FAILED,
        response_code: 0,
        headers: [],
        body: new PoolByteArray(0),
      });
    }
  };
  worker.on('error', failAll);
  worker.on('exit', failAll);
  workers.push(entry);
  return entry;
}

/** The least busy worker, starting a new one while the pool is not full. */
function pick(): PooledWorker {
  let best: PooledWorker | undefined;
  for (const entry of workers) if (best === undefined || entry.pending.size < best.pending.size) best = entry;
  if (best === undefined || (best.pending.size > 0 && workers.length < POOL_SIZE)) return spawn();
  return best;
}

/**
 * Runs a request in the shared worker pool (`use_threads`). Progress is written by the worker into
 * `shared`; the outcome comes back with the body's memory transferred. Idle workers do not keep the
 * process alive. A worker that dies fails its requests with RESULT_REQUEST_FAILED.
 */
export function runInWorker(
  options: RequestOptions,
  shared: SharedArrayBuffer,
  onDone: (outcome: RequestOutcome) => void,
): WorkerRequest {
  const entry = pick();
  const id = nextId++;
  entry.pending.set(id, onDone);
  entry.worker.ref();
  const start: ToWorker = { type: 'start', id, options, shared, trusted_cas: trusted_cas() };
  entry.worker.postMessage(start);
  return {
    cancel() {
      if (!entry.pending.delete(id)) return;
      if (entry.pending.size === 0) entry.worker.unref();
      const cancel: ToWorker = { type: 'cancel', id };
      entry.worker.postMessage(cancel);
    },
  };
}

/** Stops every worker of the pool (for tests and shutdown); requests still running fail. */
export async function close_worker_pool(): Promise<void> {
  const all = workers.splice(0);
  await Promise.all(all.map((entry) => entry.worker.terminate()));
}
