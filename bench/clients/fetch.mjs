// Node's global fetch (its own bundled undici, process.versions.undici): res.arrayBuffer(), gzip decoded by fetch.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export default {
  name: 'fetch',
  async open() {
    const lane = {
      async get(url) {
        const res = await globalThis.fetch(url);
        return {
          status: res.status,
          encoding: res.headers.get('content-encoding'),
          body: await res.arrayBuffer(),
        };
      },
      async toFile(url, file) {
        const res = await globalThis.fetch(url);
        await pipeline(Readable.fromWeb(res.body), createWriteStream(file));
        return { status: res.status };
      },
    };
    return { lane: () => lane, async close() {} };
  },
};
