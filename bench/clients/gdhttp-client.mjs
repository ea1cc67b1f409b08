// gdhttp HTTPClient, the Godot read loop: connect_to_host, request, poll until BODY, read_response_body_chunk
// until the status leaves BODY. One HTTPClient (one keep-alive connection) per lane. In memory the chunks are
// copied into one buffer sized from get_response_body_length(); files are written chunk by chunk (writeSync, as
// Godot's File.store_buffer would). HTTPClient does not decode gzip (neither does Godot's): zlib does it here.
import { Buffer } from 'node:buffer';
import { closeSync, openSync, writeSync } from 'node:fs';
import { URL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadGdhttp, runTree } from './gdhttp-common.mjs';
import { headerFromLines } from '../lib/util.mjs';

export default {
  name: 'gdhttp-client',
  async open() {
    const g = await loadGdhttp(['HTTPClient', 'OK']);
    const H = g.HTTPClient;
    const tree = g.SceneTree ? new g.SceneTree() : null;
    const stopTree = tree ? runTree(tree) : async () => {};

    function lane() {
      const c = new H();
      let origin = '';

      async function start(url, extraHeaders) {
        const u = new URL(url);
        const https = u.protocol === 'https:';
        const port = Number(u.port || (https ? 443 : 80));
        if (origin !== u.origin || c.get_status() !== H.STATUS_CONNECTED) {
          c.close();
          const err = c.connect_to_host(u.hostname, port, https, true);
          if (err !== g.OK) throw new Error(`connect_to_host returned Error ${err}`);
          while (c.get_status() === H.STATUS_CONNECTING || c.get_status() === H.STATUS_RESOLVING)
            await c.poll();
          if (c.get_status() !== H.STATUS_CONNECTED)
            throw new Error(`HTTPClient status ${c.get_status()} after connect`);
          origin = u.origin;
        }
        const err = c.request(H.METHOD_GET, u.pathname + u.search, [`Host: ${u.host}`, ...extraHeaders]);
        if (err !== g.OK) throw new Error(`HTTPClient.request returned Error ${err}`);
        while (c.get_status() === H.STATUS_REQUESTING) await c.poll();
        const st = c.get_status();
        if (st !== H.STATUS_BODY && st !== H.STATUS_CONNECTED)
          throw new Error(`HTTPClient status ${st} after request`);
        if (!c.has_response()) throw new Error('HTTPClient has no response');
        return {
          status: c.get_response_code(),
          encoding: headerFromLines(c.get_response_headers(), 'content-encoding'),
        };
      }

      return {
        async get(url, { gzip = false } = {}) {
          const head = await start(url, gzip ? ['Accept-Encoding: gzip'] : []);
          const length = c.get_response_body_length();
          let buf = Buffer.allocUnsafe(length >= 0 ? length : 65536);
          let n = 0;
          while (c.get_status() === H.STATUS_BODY) {
            await c.poll();
            const chunk = c.read_response_body_chunk();
            if (chunk.length === 0) continue;
            if (n + chunk.length > buf.length) {
              const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, n + chunk.length));
              buf.copy(bigger, 0, 0, n);
              buf = bigger;
            }
            buf.set(chunk, n);
            n += chunk.length;
          }
          let body = buf.subarray(0, n);
          if (head.encoding === 'gzip') body = gunzipSync(body);
          return { ...head, body };
        },
        async toFile(url, file) {
          const head = await start(url, []);
          const fd = openSync(file, 'w');
          try {
            while (c.get_status() === H.STATUS_BODY) {
              await c.poll();
              const chunk = c.read_response_body_chunk();
              let off = 0;
              while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
            }
          } finally {
            closeSync(fd);
          }
          return head;
        },
        close: () => c.close(),
      };
    }

    const lanes = [];
    return {
      lane() {
        const l = lane();
        lanes.push(l);
        return l;
      },
      async close() {
        for (const l of lanes) l.close();
        await stopTree();
      },
    };
  },
};
