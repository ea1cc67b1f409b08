// undici.request: the baseline every ratio is taken against. Body consumed with body.arrayBuffer(); gzip decoded
// by piping the body through zlib (undici.request does not decode by itself); files written by pipeline().
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { request } from 'undici';
import { collect } from '../lib/util.mjs';

export default {
  name: 'undici.request',
  async open() {
    const lane = {
      async get(url, { gzip = false } = {}) {
        const res = await request(url, gzip ? { headers: { 'accept-encoding': 'gzip' } } : {});
        const encoding = res.headers['content-encoding'];
        if (encoding === 'gzip') {
          return { status: res.statusCode, encoding, body: await collect(res.body.pipe(createGunzip())) };
        }
        return { status: res.statusCode, encoding, body: await res.body.arrayBuffer() };
      },
      async toFile(url, file) {
        const res = await request(url);
        await pipeline(res.body, createWriteStream(file));
        return { status: res.statusCode };
      },
    };
    return { lane: () => lane, async close() {} };
  },
};
