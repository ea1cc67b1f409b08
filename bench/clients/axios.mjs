// axios (Node http adapter) with keep-alive agents: responseType 'arraybuffer' (a Buffer), decompression on.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import axios from 'axios';

export default {
  name: 'axios',
  async open() {
    const client = axios.create({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
      maxContentLength: Infinity,
      maxBodyLength: Infinity,
      maxRedirects: 0,
      validateStatus: () => true,
    });
    const lane = {
      async get(url) {
        const res = await client.get(url, { responseType: 'arraybuffer' });
        return { status: res.status, encoding: res.headers['content-encoding'], body: res.data };
      },
      async toFile(url, file) {
        const res = await client.get(url, { responseType: 'stream' });
        await pipeline(res.data, createWriteStream(file));
        return { status: res.status };
      },
    };
    return { lane: () => lane, async close() {} };
  },
};
