// Catalogue group B: request construction and injection through caller data (cases 15–20).
import assert from 'node:assert/strict';
import { HTTPClient, Result } from '../../src/index.js';
import { replyAndKeep, responseBytes, type RawServer } from '../servers/raw-server.js';
import { assertRefused, get, headerIn, runCases, targetOf, withRaw, type TrustCase } from './harness.js';

const OK = responseBytes({ body: 'ok' });

/** Runs `body` against a recording server and asserts afterwards that no byte reached it. */
function nothingSent(body: (server: RawServer) => Promise<void>): Promise<void> {
  return withRaw(replyAndKeep(OK), async (server) => {
    await body(server);
    assert.equal(server.connectionCount(), 0, 'no connection was made');
  });
}

const cases: TrustCase[] = [
  {
    id: 'B15',
    title: 'CR, LF or NUL in a header value is refused before any byte is sent',
    run: (use_threads) =>
      nothingSent(async (server) => {
        for (const value of ['a\r\n\r\nGET /foo2 HTTP/1.1', 'a\rb', 'a\nb', 'a\u0000b', 'a\u007fb']) {
          await assertRefused(`${server.url}/`, use_threads, { headers: [`X-Test: ${value}`] });
        }
      }),
  },
  {
    id: 'B16',
    title: 'CR/LF or space in the URL is refused; U+010D U+010A is percent-encoded as UTF-8',
    run: async (use_threads) => {
      await nothingSent(async (server) => {
        for (const path of ['/a\r\nX-Injected: 1', '/a\rb', '/a\nb', '/a\u0000']) {
          await assertRefused(`${server.url}${path}`, use_threads);
        }
      });
      // A space is percent-encoded by the URL parser (the catalogue allows "percent-encode or reject").
      await withRaw(replyAndKeep(OK), async (server) => {
        const r = await get(`${server.url}/a b`, use_threads);
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal(targetOf(server.heads[0]), '/a%20b');
      });
      await withRaw(replyAndKeep(OK), async (server) => {
        const r = await get(`${server.url}/\u010D\u010A`, use_threads);
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal(targetOf(server.heads[0]), '/%C4%8D%C4%8A');
        assert.equal(server.heads.length, 1);
      });
    },
  },
  {
    id: 'B17',
    title: 'a method outside HTTPClient.Method is refused',
    run: (use_threads) =>
      nothingSent(async (server) => {
        for (const method of [-1, 9, 99, 1.5]) await assertRefused(`${server.url}/`, use_threads, { method });
      }),
  },
  {
    id: 'B18',
    title: 'Host header or URL host with CR/LF/space is refused',
    run: (use_threads) =>
      nothingSent(async (server) => {
        await assertRefused(`${server.url}/`, use_threads, { headers: ['Host: a\r\nX: y'] });
        await assertRefused(`http://a%0d%0ab:${server.port}/`, use_threads);
        await assertRefused(`http://a b:${server.port}/`, use_threads);
      }),
  },
  {
    id: 'B19',
    title: 'bad header names are refused; a caller Content-Length never yields two framing headers',
    run: async (use_threads) => {
      await nothingSent(async (server) => {
        for (const line of ['Bad Name: x', 'X\u0000: y', ': v', 'NoColon', 'X-A : y']) {
          await assertRefused(`${server.url}/`, use_threads, { headers: [line] });
        }
      });
      // A caller Content-Length that matches the body is sent once.
      await withRaw(replyAndKeep(OK), async (server) => {
        const r = await get(`${server.url}/`, use_threads, {
          method: HTTPClient.METHOD_POST,
          headers: ['Content-Length: 5'],
          body: 'hello',
        });
        assert.equal(r.result, Result.RESULT_SUCCESS);
        const head = server.heads[0]?.toString('latin1') ?? '';
        assert.equal(head.split('\r\n').filter((line) => /^content-length:/i.test(line)).length, 1);
      });
      // Conflicting or caller-owned framing must be refused by request() before any byte is sent.
      for (const headers of [
        ['Content-Length: 5', 'content-length: 6'],
        ['Content-Length: 9'],
        ['Transfer-Encoding: chunked'],
      ]) {
        await nothingSent((server) =>
          assertRefused(`${server.url}/`, use_threads, {
            method: HTTPClient.METHOD_POST,
            headers,
            body: 'hello',
          }),
        );
      }
    },
  },
  {
    id: 'B20',
    title: 'user info with %0A, @, # and : is decoded once and only ever appears inside Basic base64',
    run: (use_threads) =>
      withRaw(replyAndKeep(OK), async (server) => {
        const r = await get(`http://us%0Aer:p%40ss%23%3A@127.0.0.1:${server.port}/x`, use_threads);
        assert.equal(r.result, Result.RESULT_SUCCESS);
        const head = server.heads[0];
        assert.equal(
          headerIn(head, 'authorization'),
          `Basic ${Buffer.from('us\ner:p@ss#:').toString('base64')}`,
        );
        assert.equal(targetOf(head), '/x');
        assert.ok(!(head?.toString('latin1') ?? '').includes('us\ner'));
      }),
  },
];

runCases('B request construction and injection', cases);
