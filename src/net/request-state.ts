import { Status } from './http-client-constants.js';
import type { ProgressSink } from './request-task.js';

/**
 * What a running request reports for `get_http_client_status()`, `get_downloaded_bytes()` and
 * `get_body_size()`, read by the node at any moment. On the main thread it is three fields; for a request
 * in a worker the fields live in a SharedArrayBuffer, so the node reads them without a message per chunk.
 */
export class RequestState implements ProgressSink {
  readonly #cells: Float64Array;

  /** Uses `shared` (3 float64 cells) when given, so another thread can write the same state. */
  constructor(shared?: SharedArrayBuffer) {
    this.#cells = new Float64Array(shared ?? new ArrayBuffer(3 * 8));
    this.reset();
  }

  /** Back to a request that has not started: DISCONNECTED, 0 bytes, size unknown. */
  reset(): void {
    this.#cells[0] = Status.STATUS_DISCONNECTED;
    this.#cells[1] = 0;
    this.#cells[2] = -1;
  }

  get status(): Status {
    return this.#cells[0] as Status;
  }
  get downloaded_bytes(): number {
    return this.#cells[1] as number;
  }
  get body_size(): number {
    return this.#cells[2] as number;
  }

  set_status(status: Status): void {
    this.#cells[0] = status;
  }
  set_downloaded_bytes(bytes: number): void {
    this.#cells[1] = bytes;
  }
  set_body_size(bytes: number): void {
    this.#cells[2] = bytes;
  }
}
