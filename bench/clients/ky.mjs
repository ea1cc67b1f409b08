// ky (on Node's global fetch): .arrayBuffer(), no retries, no timeout.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ky from 'ky';

export default {
  name: 'ky',
  async open() {
    const client = ky.create({ retry: 0, timeout: false, throwHttpErrors: false, redirect: 'manual' });
    const lane = {
      async get(url) {
        const res = await client.get(url);
        return {
          status: res.status,
          encoding: res.headers.get('content-encoding'),
          body: await res.arrayBuffer(),
        };
      },
      async toFile(url, file) {
        const res = await client.get(url);
        await pipeline(Readable.fromWeb(res.body), createWriteStream(file));
        return { status: res.status };
      },
    };
    return { lane: () => lane, async close() {} };
  },
};
