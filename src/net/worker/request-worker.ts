import { parentPort } from 'node:worker_threads';
import { ConnectionPool } from '../connection-pool.js';
import { prepareRequest } from '../request-options.js';
import { RequestState } from '../request-state.js';
import { RequestTask } from '../request-task.js';
import { Result } from '../result.js';
import type { FromWorker, ToWorker } from './messages.js';
import { replace_trusted_cas } from '../trust-store.js';

/**
 * A worker of the `use_threads` pool: runs RequestTasks — network, TLS, parsing, decoding, file writing —
 * with its own keep-alive pool, and hands each body back by transferring its ArrayBuffer.
 */
const port = parentPort;
if (port === null) throw new globalThis.Error('request-worker must run in a worker thread');
const pool = new ConnectionPool();
const tasks = new Map<number, RequestTask>();

function reply(message: FromWorker): void {
  const { body } = message;
  // Only a body that owns its whole ArrayBuffer can be transferred (MemoryBody allocates it so).
  const transferable =
    body.byteLength > 0 && body.byteOffset === 0 && body.buffer.byteLength === body.byteLength;
  port?.postMessage(message, transferable ? [body.buffer as ArrayBuffer] : []);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    tasks.get(message.id)?.cancel();
    tasks.delete(message.id);
    return;
  }
  const { id, options, shared } = message;
  replace_trusted_cas(message.trusted_cas);
  const prepared = prepareRequest(options);
  if (prepared === undefined) {
    reply({
      type: 'done',
      id,
      result: Result.RESULT_REQUEST_FAILED,
      response_code: 0,
      headers: [],
      body: new Uint8Array(0),
    });
    return;
  }
  const task = new RequestTask(prepared, pool, new RequestState(shared), (outcome) => {
    tasks.delete(id);
    reply({
      type: 'done',
      id,
      result: outcome.result,
      response_code: outcome.response_code,
      headers: outcome.headers,
      body: outcome.body,
    });
  });
  tasks.set(id, task);
  task.start();
});
