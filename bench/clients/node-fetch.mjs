// node-fetch 3 with keep-alive agents: res.arrayBuffer(), gzip decoded by node-fetch (compress: true).
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import fetch from 'node-fetch';

export default {
  name: 'node-fetch',
  async open() {
    const agents = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
    const agent = (u) => agents[u.protocol];
    const lane = {
      async get(url) {
        const res = await fetch(url, { agent });
        return {
          status: res.status,
          encoding: res.headers.get('content-encoding'),
          body: await res.arrayBuffer(),
        };
      },
      async toFile(url, file) {
        const res = await fetch(url, { agent });
        await pipeline(res.body, createWriteStream(file));
        return { status: res.status };
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
