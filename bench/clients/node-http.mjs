// node:http / node:https with keep-alive agents: chunks collected and concatenated, gzip through zlib.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { URL } from 'node:url';
import { createGunzip } from 'node:zlib';
import { collect } from '../lib/util.mjs';

export default {
  name: 'node:http',
  async open() {
    const agents = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
    function get(url, headers) {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      return new Promise((resolve, reject) => {
        const req = mod.get(u, { agent: agents[u.protocol], headers }, resolve);
        req.once('error', reject);
      });
    }
    const lane = {
      async get(url, { gzip = false } = {}) {
        const res = await get(url, gzip ? { 'accept-encoding': 'gzip' } : {});
        const encoding = res.headers['content-encoding'];
        const body = await collect(encoding === 'gzip' ? res.pipe(createGunzip()) : res);
        return { status: res.statusCode, encoding, body };
      },
      async toFile(url, file) {
        const res = await get(url, {});
        await pipeline(res, createWriteStream(file));
        return { status: res.statusCode };
      },
    };
    return {
      lane: () => lane,
      async close() {
        for (const a of Object.values(agents)) a.destroy();
      },
    };
  },
};
