import { PoolByteArray } from '../core/pool-arrays.js';

/**
 * Collects a response body in memory. With a known length the bytes go straight into one buffer of that
 * size (no chunk list, no final concatenation — the reason gdhttp reads large bodies faster than
 * `undici.request`); otherwise chunks are kept and joined once at the end.
 */
export class MemoryBody {
  #exact: Buffer | undefined;
  #filled = 0;
  #chunks: Buffer[] = [];
  #chunkBytes = 0;

  /** `expectedLength` is the decoded body's size when known (Content-Length without encoding), else -1. */
  constructor(expectedLength: number) {
    // allocUnsafeSlow: never a slice of Node's shared pool, so the body owns its ArrayBuffer outright (it
    // can be transferred to another thread, and `body.buffer` exposes nothing else). Every byte is
    // overwritten before the body is handed out.
    if (expectedLength > 0) this.#exact = Buffer.allocUnsafeSlow(expectedLength);
  }

  /** The number of bytes collected so far. */
  get size(): number {
    return this.#filled + this.#chunkBytes;
  }

  /** Appends a chunk (copied; the caller may reuse its buffer). */
  append(chunk: Buffer): void {
    const exact = this.#exact;
    if (exact !== undefined && this.#filled + chunk.byteLength <= exact.byteLength) {
      chunk.copy(exact, this.#filled);
      this.#filled += chunk.byteLength;
      return;
    }
    this.#chunks.push(chunk);
    this.#chunkBytes += chunk.byteLength;
  }

  /** The whole body, as one `PoolByteArray` that owns its memory. */
  finish(): PoolByteArray {
    const exact = this.#exact;
    if (exact !== undefined && this.#chunkBytes === 0) {
      return new PoolByteArray(exact.buffer as ArrayBuffer, exact.byteOffset, this.#filled);
    }
    const total = this.size;
    const out = Buffer.allocUnsafeSlow(total);
    let offset = 0;
    if (exact !== undefined) offset += exact.copy(out, 0, 0, this.#filled);
    for (const chunk of this.#chunks) offset += chunk.copy(out, offset);
    return new PoolByteArray(out.buffer, out.byteOffset, total);
  }

  /** Drops what was collected. */
  discard(): void {
    this.#exact = undefined;
    this.#chunks = [];
    this.#filled = 0;
    this.#chunkBytes = 0;
  }
}
