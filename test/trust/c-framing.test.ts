// Catalogue group C: response framing and header parsing (cases 21–38), one raw response per case.
import assert from 'node:assert/strict';
import { Result } from '../../src/index.js';
import {
  badChunkSize,
  contentLengthAndChunked,
  hugeHeaderBlock,
  reply,
  responseBytes,
} from '../servers/raw-server.js';
import { get, routed, runCases, text, withRaw, type TrustCase } from './harness.js';

type Raw = string | Buffer;

/** Serves `bytes` then FIN; asserts the result (and the body when SUCCESS). */
function expect(bytes: Raw, result: number, body?: string): (use_threads: boolean) => Promise<void> {
  return (use_threads) =>
    withRaw(reply(bytes), async (server) => {
      const r = await get(`${server.url}/`, use_threads);
      assert.equal(r.result, result, `result ${r.result}`);
      if (body !== undefined) assert.equal(text(r.body), body);
    });
}

/** Serves `first` on request 1 (keeping the connection), `second` after; request 2 must get its own body. */
function noPoisoning(first: Raw, firstBody: string | undefined): (use_threads: boolean) => Promise<void> {
  return (use_threads) =>
    withRaw(
      routed((_head, index) =>
        index === 0
          ? typeof first === 'string'
            ? Buffer.from(first, 'latin1')
            : first
          : responseBytes({ body: 'second' }),
      ),
      async (server) => {
        const r1 = await get(`${server.url}/1`, use_threads);
        if (firstBody !== undefined) {
          assert.equal(r1.result, Result.RESULT_SUCCESS);
          assert.equal(text(r1.body), firstBody);
        }
        const r2 = await get(`${server.url}/2`, use_threads);
        assert.equal(r2.result, Result.RESULT_SUCCESS);
        assert.equal(text(r2.body), 'second');
        assert.equal(server.connectionCount(), 2, 'request 2 used a new connection');
      },
    );
}

const E = Result.RESULT_CONNECTION_ERROR;
const CH = Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH;
const S = Result.RESULT_SUCCESS;

const cases: TrustCase[] = [
  {
    id: 'C21',
    title: 'Content-Length plus Transfer-Encoding: chunked is an error',
    run: expect(contentLengthAndChunked(), E),
  },
  {
    id: 'C22',
    title: 'two different Content-Length values are an error',
    run: expect('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', E),
  },
  {
    id: 'C23',
    title:
      'invalid Content-Length syntax (5abc, -1, +5, 0x5, overflow) is an error; Content-Length-X is not CL',
    run: async (use_threads) => {
      for (const value of ['5abc', '-1', '+5', '0x5', '4 2', '99999999999999999999']) {
        await expect(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nhello`, E)(use_threads);
      }
      await expect(
        'HTTP/1.1 200 OK\r\nContent-Length-X: 0\r\nConnection: close\r\n\r\nhello',
        S,
        'hello',
      )(use_threads);
    },
  },
  {
    id: 'C24',
    title: 'empty Transfer-Encoding and chunked-not-last are errors, never chunk framing in a SUCCESS body',
    run: async (use_threads) => {
      for (const te of ['', 'chunked, identity', 'chunkedchunked']) {
        await withRaw(
          reply(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`),
          async (server) => {
            const r = await get(`${server.url}/`, use_threads);
            if (r.result === S)
              assert.equal(text(r.body), '5\r\nhello\r\n0\r\n\r\n', `TE "${te}" read to close raw`);
            else assert.equal(r.result, E, `TE "${te}"`);
          },
        );
      }
    },
  },
  {
    id: 'C25',
    title: 'invalid chunk size (zz, overflow, empty) is CHUNKED_BODY_SIZE_MISMATCH',
    run: async (use_threads) => {
      for (const line of ['zz', 'fffffffffffffffff1', '', '-5'])
        await expect(badChunkSize(line), CH)(use_threads);
    },
  },
  {
    id: 'C26',
    title: 'chunk extensions are ignored (valid response succeeds)',
    run: expect(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;foo=bar\r\nhello\r\n0\r\n\r\n',
      S,
      'hello',
    ),
  },
  {
    id: 'C27',
    title: 'bare LF in chunk framing is rejected',
    run: expect('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n', CH),
  },
  {
    id: 'C28',
    title: 'chunk data not followed by CRLF is rejected',
    run: expect('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n', CH),
  },
  {
    id: 'C29',
    title: 'trailers are parsed and not merged into the headers',
    run: (use_threads) =>
      withRaw(
        reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n'),
        async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, S);
          assert.equal(text(r.body), 'hello');
          assert.ok(!r.headers.some((h) => /^x-trailer/i.test(h)));
        },
      ),
  },
  {
    id: 'C30',
    title: 'obs-fold is an error or folded into the value, never a separate header',
    run: (use_threads) =>
      withRaw(reply('HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok'), async (server) => {
        const r = await get(`${server.url}/`, use_threads);
        if (r.result === S)
          assert.ok(
            r.headers.every((h) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(h)),
            r.headers.join('|'),
          );
        else assert.equal(r.result, E);
      }),
  },
  {
    id: 'C31',
    title: 'bare CR in a header is an error',
    run: expect('HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok', E),
  },
  {
    id: 'C32',
    title: 'NUL in a header is an error',
    run: expect('HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok', E),
  },
  {
    id: 'C33',
    title: 'malformed field lines (no colon, space before colon, empty name) are errors',
    run: async (use_threads) => {
      for (const line of ['Garbage', 'Content-Length : 2', ': v', 'X A: b']) {
        await expect(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 2\r\n\r\nok`, E)(use_threads);
      }
    },
  },
  { id: 'C34', title: 'a 1 MiB header section is an error', run: expect(hugeHeaderBlock(1024 * 1024), E) },
  {
    id: 'C35',
    title: '10,000 header fields are an error',
    run: expect(`HTTP/1.1 200 OK\r\n${'X-N: v\r\n'.repeat(10_000)}Content-Length: 2\r\n\r\nok`, E),
  },
  {
    id: 'C36',
    title: 'HTTP/0.9 and malformed status lines are errors; a missing reason phrase is fine',
    run: async (use_threads) => {
      for (const bytes of [
        'hello world',
        'HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok',
        'HTTP/9.9 200 OK\r\nContent-Length: 2\r\n\r\nok',
        `HTTP/1.1 ${'2'.repeat(100)} OK\r\n\r\n`,
      ]) {
        await expect(bytes, E)(use_threads);
      }
      await expect('HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok', S, 'ok')(use_threads);
    },
  },
  {
    id: 'C37',
    title: 'extra bytes after a complete response never become the next response',
    run: noPoisoning(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nPOISON',
      'hel',
    ),
  },
  {
    id: 'C38',
    title: 'header bytes are octets: an overlong UTF-8 LF (C0 8A) creates no new header',
    run: (use_threads) =>
      withRaw(
        reply(
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\r\nX-A: a'),
            Buffer.from([0xc0, 0x8a]),
            Buffer.from('X-B: b\r\nContent-Length: 2\r\n\r\nok'),
          ]),
        ),
        async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          if (r.result === S) assert.ok(!r.headers.some((h) => /^x-b:/i.test(h)), r.headers.join('|'));
          else assert.equal(r.result, E);
        },
      ),
  },
];

runCases('C response framing and header parsing', cases);
