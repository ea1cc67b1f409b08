// undici.stream: the factory returns the destination Writable, so the body is never buffered by undici. In memory
// it copies into one buffer sized from Content-Length (what stream() makes possible); gzip goes through zlib.
import { createWriteStream } from 'node:fs';
import { Buffer } from 'node:buffer';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { stream } from 'undici';
import { collect } from '../lib/util.mjs';

class Sink extends Writable {
  constructor(length) {
    super();
    this.buf = length >= 0 ? Buffer.allocUnsafe(length) : Buffer.alloc(0);
    this.filled = 0; // bytes in buf
    this.extra = []; // anything beyond Content-Length (or everything without one)
  }
  _write(chunk, _enc, cb) {
    if (this.extra.length === 0 && this.filled + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.filled);
      this.filled += chunk.length;
    } else {
      this.extra.push(chunk);
    }
    cb();
  }
  body() {
    const head = this.buf.subarray(0, this.filled);
    return this.extra.length === 0 ? head : Buffer.concat([head, ...this.extra]);
  }
}

export default {
  name: 'undici.stream',
  async open() {
    const lane = {
      async get(url, { gzip = false } = {}) {
        let status = 0;
        let encoding;
        let sink;
        let decoded;
        await stream(
          url,
          gzip ? { headers: { 'accept-encoding': 'gzip' } } : {},
          ({ statusCode, headers }) => {
            status = statusCode;
            encoding = headers['content-encoding'];
            if (encoding === 'gzip') {
              const gunzip = createGunzip();
              decoded = collect(gunzip);
              return gunzip;
            }
            const len = headers['content-length'] === undefined ? -1 : Number(headers['content-length']);
            sink = new Sink(len);
            return sink;
          },
        );
        return { status, encoding, body: decoded ? await decoded : sink.body() };
      },
      async toFile(url, file) {
        let status = 0;
        await stream(url, {}, ({ statusCode }) => {
          status = statusCode;
          return createWriteStream(file);
        });
        return { status };
      },
    };
    return { lane: () => lane, async close() {} };
  },
};
