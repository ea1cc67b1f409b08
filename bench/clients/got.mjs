// got with keep-alive agents: responseType 'buffer', decompress on (default), no retries.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { got } from 'got';

export default {
  name: 'got',
  async open() {
    const client = got.extend({
      agent: {
        http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
      },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
    });
    const lane = {
      async get(url) {
        const res = await client.get(url, { responseType: 'buffer' });
        return { status: res.statusCode, encoding: res.headers['content-encoding'], body: res.body };
      },
      async toFile(url, file) {
        let status = 0;
        const s = client.stream(url);
        s.once('response', (res) => (status = res.statusCode));
        await pipeline(s, createWriteStream(file));
        return { status };
      },
    };
    return { lane: () => lane, async close() {} };
  },
};
