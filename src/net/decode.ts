import * as zlib from 'node:zlib';
import type { Transform } from 'node:stream';

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: () => Transform };

/** True when this Node.js can decode zstd (Node ≥ 22.15 / 23.8); Node 20 cannot. */
export const HAS_ZSTD = typeof (zlib as ZlibWithZstd).createZstdDecompress === 'function';

/** The `Accept-Encoding` gdhttp offers when `accept_gzip` is on. */
export const ACCEPT_ENCODING = HAS_ZSTD ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br';

/** Where a decoder's output goes. */
export interface DecoderOutput {
  /** A decoded chunk. */
  onData(chunk: Buffer): void;
  /** The decoder can take input again after `write()` returned false. */
  onDrain(): void;
  /** All input was decoded and delivered. */
  onEnd(): void;
  /** The input is not valid for its encoding (or ends early). */
  onError(error: Error): void;
}

/**
 * At most this many stacked codings are undone; more is refused as a decompression attack, as curl, urllib3
 * and undici do (CVE-2022-32206).
 */
export const MAX_CODINGS = 5;

/**
 * The codings to undo for a response's `Content-Encoding` (RFC 9110 §8.4), last-applied first;
 * `undefined` when the body is kept as it is (no encoding, `identity`, or an encoding gdhttp does not know,
 * passed through untouched as curl does); `'too_many'` past {@link MAX_CODINGS} layers.
 */
export function codingsToUndo(contentEncoding: string | undefined): string[] | 'too_many' | undefined {
  if (contentEncoding === undefined) return undefined;
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0 || !codings.every(isKnown)) return undefined;
  if (codings.length > MAX_CODINGS) return 'too_many';
  return codings.reverse();
}

function isKnown(coding: string): boolean {
  return ['gzip', 'x-gzip', 'deflate', 'br'].includes(coding) || (coding === 'zstd' && HAS_ZSTD);
}

// Decoded output comes in pieces of this size (zlib's default is 16 KiB): fewer, larger pieces mean fewer
// thread hops and callbacks per body.
const OUTPUT_CHUNK = 256 * 1024;

// Sync flush lets a decoder hand out what it has as soon as it has it, and lets a body that ends early be
// told apart at `end()` (zlib then reports "unexpected end of file").
const ZLIB_OPTIONS: zlib.ZlibOptions = { flush: zlib.constants.Z_SYNC_FLUSH, chunkSize: OUTPUT_CHUNK };

function makeStage(coding: string, firstByte: number | undefined): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(ZLIB_OPTIONS);
    case 'deflate':
      // HTTP's deflate is zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send raw deflate; a zlib header's
      // low nibble is 8, which is how browsers and undici's fetch tell them apart.
      return firstByte === undefined || (firstByte & 0x0f) === 0x08
        ? zlib.createInflate(ZLIB_OPTIONS)
        : zlib.createInflateRaw(ZLIB_OPTIONS);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        chunkSize: OUTPUT_CHUNK,
      });
    default:
      return (zlib as ZlibWithZstd).createZstdDecompress?.() as Transform;
  }
}

/**
 * Undoes a body's content codings as the bytes stream in, with backpressure: `write()` returns false when the
 * decoder's input buffer is full, and `onDrain` says when to go on.
 */
export class BodyDecoder {
  readonly #codings: string[];
  readonly #output: DecoderOutput;
  #stages: Transform[] | undefined;
  #failed = false;

  constructor(codings: string[], output: DecoderOutput) {
    this.#codings = codings;
    this.#output = output;
  }

  /** Feeds encoded bytes; false means wait for `onDrain`. */
  write(chunk: Buffer): boolean {
    if (this.#failed) return true;
    return this.#ensureStages(chunk[0]).write(chunk);
  }

  /** Says the encoded input is complete. */
  end(): void {
    if (this.#failed) return;
    this.#ensureStages(undefined).end();
  }

  /** Stops delivering decoded chunks until {@link resume} (the input side then fills and reports full). */
  pause(): void {
    this.#stages?.[this.#stages.length - 1]?.pause();
  }

  /** Delivers decoded chunks again after {@link pause}. */
  resume(): void {
    this.#stages?.[this.#stages.length - 1]?.resume();
  }

  /** Stops decoding and frees the decoders; nothing more is delivered. */
  destroy(): void {
    this.#failed = true;
    for (const stage of this.#stages ?? []) stage.destroy();
  }

  #ensureStages(firstByte: number | undefined): Transform {
    if (this.#stages === undefined) {
      const stages = this.#codings.map((coding, index) =>
        makeStage(coding, index === 0 ? firstByte : undefined),
      );
      for (const stage of stages) stage.on('error', (error) => this.#fail(error));
      for (let i = 0; i + 1 < stages.length; i++) (stages[i] as Transform).pipe(stages[i + 1] as Transform);
      const first = stages[0] as Transform;
      const last = stages[stages.length - 1] as Transform;
      first.on('drain', () => this.#output.onDrain());
      last.on('data', (chunk: Buffer) => {
        if (!this.#failed) this.#output.onData(chunk);
      });
      last.on('end', () => {
        if (!this.#failed) this.#output.onEnd();
      });
      this.#stages = stages;
    }
    return this.#stages[0] as Transform;
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.destroy();
    this.#output.onError(error);
  }
}
