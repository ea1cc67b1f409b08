// Catalogue group F: size limits and decompression (cases 52–57).
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { Result } from '../../src/index.js';
import { reply, replyAndKeep, responseBytes, stall } from '../servers/raw-server.js';
import { startHttpbin } from '../servers/httpbin.js';
import { get, runCases, text, withRaw, type TrustCase } from './harness.js';

const MiB = 1024 * 1024;

function encoded(body: Buffer, coding: string): Buffer {
  return responseBytes({ headers: [['Content-Encoding', coding]], body });
}

const cases: TrustCase[] = [
  {
    id: 'F52',
    title: 'declared Content-Length above body_size_limit fails at the headers, nothing read',
    run: (use_threads) =>
      withRaw(stall('HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\nxxxx'), async (server) => {
        const started = Date.now();
        const r = await get(`${server.url}/`, use_threads, { body_size_limit: 1000 });
        assert.equal(r.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
        assert.equal(r.response_code, 200);
        assert.ok(Date.now() - started < 2000);
      }),
  },
  {
    id: 'F53',
    title: 'an endless chunked body stops at body_size_limit',
    run: async (use_threads) => {
      const bin = await startHttpbin();
      try {
        const r = await get(`${bin.url}/chunked/${64 * MiB}`, use_threads, { body_size_limit: 100_000 });
        assert.equal(r.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
        assert.equal(r.body.byteLength, 0);
      } finally {
        await bin.close();
      }
    },
  },
  {
    id: 'F54',
    title: 'gzip (1 GiB) and brotli bombs stop at the decoded body_size_limit with bounded memory',
    run: async (use_threads) => {
      const bin = await startHttpbin();
      try {
        const rssBefore = process.memoryUsage().rss;
        const r = await get(`${bin.url}/gzip-bomb/${1024 * MiB}`, use_threads, {
          body_size_limit: MiB,
          timeout: 10,
        });
        assert.equal(r.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
        assert.ok(process.memoryUsage().rss - rssBefore < 200 * MiB, 'RSS bounded');
      } finally {
        await bin.close();
      }
      const brotli = brotliCompressSync(Buffer.alloc(64 * MiB));
      await withRaw(reply(encoded(brotli, 'br')), async (server) => {
        const r = await get(`${server.url}/`, use_threads, { body_size_limit: MiB });
        assert.equal(r.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
      });
    },
  },
  {
    id: 'F55',
    title: 'five stacked gzip codings decode; six are refused (BODY_DECOMPRESS_FAILED)',
    run: async (use_threads) => {
      let body = Buffer.from('layered');
      for (let layers = 1; layers <= 6; layers += 1) {
        body = gzipSync(body);
        const coding = Array.from({ length: layers }, () => 'gzip').join(', ');
        if (layers < 5) continue;
        await withRaw(reply(encoded(body, coding)), async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          if (layers === 5) {
            assert.equal(r.result, Result.RESULT_SUCCESS);
            assert.equal(text(r.body), 'layered');
          } else {
            assert.equal(r.result, Result.RESULT_BODY_DECOMPRESS_FAILED);
          }
        });
      }
    },
  },
  {
    id: 'F56',
    title: 'corrupt or truncated gzip is BODY_DECOMPRESS_FAILED; raw and zlib deflate both decode',
    run: async (use_threads) => {
      const good = gzipSync(Buffer.from('hello hello hello'));
      const badHeader = Buffer.from(good);
      badHeader[0] = 0x00;
      const badCrc = Buffer.from(good);
      badCrc[good.length - 6] = (badCrc[good.length - 6] ?? 0) ^ 0xff;
      for (const body of [badHeader, badCrc, good.subarray(0, good.length - 8)]) {
        await withRaw(reply(encoded(body, 'gzip')), async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, Result.RESULT_BODY_DECOMPRESS_FAILED);
        });
      }
      for (const body of [deflateSync(Buffer.from('deflated')), deflateRawSync(Buffer.from('deflated'))]) {
        await withRaw(reply(encoded(body, 'deflate')), async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(text(r.body), 'deflated');
        });
      }
    },
  },
  {
    id: 'F57',
    title:
      'unknown Content-Encoding is returned raw; accept_gzip false gets raw bytes, a caller Accept-Encoding is decoded (Godot 4)',
    run: async (use_threads) => {
      await withRaw(reply(encoded(Buffer.from('plain'), 'x-unknown')), async (server) => {
        const r = await get(`${server.url}/`, use_threads);
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal(text(r.body), 'plain');
      });
      const gz = gzipSync(Buffer.from('zipped'));
      await withRaw(replyAndKeep(encoded(gz, 'gzip')), async (server) => {
        // Deliberate (waived in docs/trust.md): like Godot 4, accept_gzip decides decoding, not who set
        // Accept-Encoding; a caller who wants raw bytes sets accept_gzip = false.
        const decoded = await get(`${server.url}/`, use_threads, { headers: ['Accept-Encoding: gzip'] });
        assert.equal(decoded.result, Result.RESULT_SUCCESS);
        assert.equal(text(decoded.body), 'zipped');
        const raw = await get(`${server.url}/`, use_threads, { accept_gzip: false });
        assert.equal(raw.result, Result.RESULT_SUCCESS);
        assert.ok(Buffer.from(raw.body).equals(gz));
      });
    },
  },
];

runCases('F size limits and decompression', cases);
