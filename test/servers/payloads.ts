/**
 * Deterministic response bodies served by the httpbin-like server, exported so tests can compute the
 * expected bytes themselves: seeded pseudo-random bytes, the repeated "large" pattern, the `/range`
 * alphabet and a real PNG image built by hand (zlib + CRC-32).
 */
import { deflateSync } from 'node:zlib';

/**
 * Stateful generator of the seeded byte stream (mulberry32, 4 bytes per step, little-endian).
 * Successive `next(n)` calls continue the same stream, so reading it in any chunk sizes yields
 * exactly `seededBytes(total, seed)`.
 */
export class SeededByteGenerator {
  private state: number;
  private pending: number[] = [];

  /** @param seed any integer; it is reduced to 32 bits. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns the next `n` bytes of the stream. */
  next(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    while (i < n && this.pending.length > 0) out[i++] = this.pending.shift() ?? 0;
    while (i < n) {
      const word = this.step();
      const bytes = [word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff];
      for (const b of bytes) {
        if (i < n) out[i++] = b;
        else this.pending.push(b);
      }
    }
    return out;
  }

  private step(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/** The first `n` bytes of the seeded stream for `seed` (what `/bytes/n?seed=seed` returns). */
export function seededBytes(n: number, seed = 0): Buffer {
  return new SeededByteGenerator(seed).next(n);
}

/** Period of the `/large` and `/chunked` pattern: byte `i` of the body is `i % LARGE_PATTERN_PERIOD`. */
export const LARGE_PATTERN_PERIOD = 251;

/** Bytes `offset .. offset+length-1` of the `/large/N` body (byte i is `i % 251`). */
export function largePatternBytes(length: number, offset = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % LARGE_PATTERN_PERIOD;
  return out;
}

/** The `/range/N` body: the lower-case alphabet repeated, as httpbin does. */
export function rangeBytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = 0x61 + (i % 26);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as used by PNG and gzip). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Width in pixels of the `/image/png` image. */
export const PNG_WIDTH = 64;
/** Height in pixels of the `/image/png` image. */
export const PNG_HEIGHT = 48;

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid 8-bit RGB PNG of {@link PNG_WIDTH}×{@link PNG_HEIGHT}; pixel (x, y) is
 * `[x * 4, y * 5, 128]` (a gradient). Built once, lazily.
 */
export function pngImage(): Buffer {
  pngCache ??= buildPng();
  return pngCache;
}
let pngCache: Buffer | undefined;

function buildPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(PNG_WIDTH, 0);
  ihdr.writeUInt32BE(PNG_HEIGHT, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour RGB
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  const stride = 1 + PNG_WIDTH * 3;
  const raw = Buffer.alloc(stride * PNG_HEIGHT);
  for (let y = 0; y < PNG_HEIGHT; y++) {
    raw[y * stride] = 0; // filter type None
    for (let x = 0; x < PNG_WIDTH; x++) {
      const p = y * stride + 1 + x * 3;
      raw[p] = (x * 4) & 0xff;
      raw[p + 1] = (y * 5) & 0xff;
      raw[p + 2] = 128;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
