// Catalogue group G: interim responses, HEAD, 204 and 304 (cases 58–61). A 1xx is never the result, and a
// response that has no body by definition never waits for one, never reads the next response as one, and
// never leaves stray bytes on a reused connection.
import assert from 'node:assert/strict';
import { HTTPClient, Result } from '../../src/index.js';
import { reply, responseBytes, type RawHandler } from '../servers/raw-server.js';
import { get, routed, runCases, targetOf, text, withRaw, type TrustCase } from './harness.js';

const HELLO = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';

/** What an HTTPClient saw for one request: its status after the response and the response itself. */
interface ClientView {
  readonly status: number;
  readonly code: number;
  readonly headers: string[];
  readonly body: string;
}

/** One request through a bare HTTPClient (Godot's poll loop), every loop bounded in count and time. */
async function viaClient(port: number, method: number, path = '/'): Promise<ClientView> {
  const client = new HTTPClient();
  const deadline = Date.now() + 5000;
  const pollWhile = async (statuses: number[]): Promise<void> => {
    for (let i = 0; i < 10_000 && statuses.includes(client.get_status()); i += 1) {
      assert.ok(Date.now() < deadline, `HTTPClient stuck in status ${client.get_status()}`);
      await client.poll();
    }
  };
  try {
    assert.equal(client.connect_to_host('127.0.0.1', port), 0);
    await pollWhile([HTTPClient.STATUS_RESOLVING, HTTPClient.STATUS_CONNECTING]);
    assert.equal(client.get_status(), HTTPClient.STATUS_CONNECTED);
    assert.equal(client.request(method, path, []), 0);
    await pollWhile([HTTPClient.STATUS_REQUESTING]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < 10_000 && client.get_status() === HTTPClient.STATUS_BODY; i += 1) {
      assert.ok(Date.now() < deadline, 'HTTPClient stuck in STATUS_BODY');
      const chunk = client.read_response_body_chunk();
      if (chunk.byteLength > 0) chunks.push(Buffer.from(chunk));
      else await client.poll();
    }
    return {
      status: client.get_status(),
      code: client.get_response_code(),
      headers: [...client.get_response_headers()],
      body: Buffer.concat(chunks).toString('latin1'),
    };
  } finally {
    client.close();
  }
}

/**
 * A keep-alive server: the first request gets `first` verbatim (plus whatever stray bytes it carries), every
 * later one gets `200` with its own request-target as the body — so a reused connection that still holds
 * stray bytes would hand back the wrong body.
 */
function thenEcho(first: string): RawHandler {
  return routed((head, index) =>
    index === 0 ? Buffer.from(first, 'latin1') : responseBytes({ body: `second ${targetOf(head) ?? ''}` }),
  );
}

const cases: TrustCase[] = [
  {
    id: 'G58',
    title: '1xx responses (103, 102 + 103, 100) before the final response are skipped; the 200 is the result',
    todo:
      'waived (docs/trust.md): undici destroys the connection on an unsolicited 100 Continue; gdhttp never ' +
      'sends Expect: 100-continue, so a conforming server never sends one',
    run: async (use_threads) => {
      const prefixes = [
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n',
        'HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n',
        'HTTP/1.1 100 Continue\r\n\r\n',
      ];
      for (const prefix of prefixes) {
        await withRaw(reply(prefix + HELLO), async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS, JSON.stringify(prefix));
          assert.equal(r.response_code, 200);
          assert.deepEqual([...r.headers], ['Content-Length: 5'], 'the 1xx headers are not the response');
          assert.equal(text(r.body), 'hello');
        });
        await withRaw(reply(prefix + HELLO), async (server) => {
          const c = await viaClient(server.port, HTTPClient.METHOD_GET);
          assert.equal(c.code, 200, JSON.stringify(prefix));
          assert.equal(c.body, 'hello');
          assert.equal(c.status, HTTPClient.STATUS_CONNECTED, JSON.stringify(prefix));
        });
      }
    },
  },
  {
    id: 'G59',
    title: 'a 1xx Content-Length is never read as a body; bytes after it and an unsolicited 101 are errors',
    run: async (use_threads) => {
      // Content-Length on a 103 is ignored: the next bytes are the final response.
      await withRaw(
        reply(`HTTP/1.1 103 Early Hints\r\nContent-Length: 1\r\n\r\n${HELLO}`),
        async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(r.response_code, 200);
          assert.equal(text(r.body), 'hello');
        },
      );
      // A "body" byte after a 103 is not a status line: an error, never SUCCESS with the 1xx or with "a".
      await withRaw(
        reply(`HTTP/1.1 103 Early Hints\r\nContent-Length: 1\r\n\r\na${HELLO}`),
        async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, Result.RESULT_CONNECTION_ERROR);
          assert.equal(r.response_code, 0);
          assert.equal(r.body.byteLength, 0);
        },
      );
      // 101 Switching Protocols that was never asked for.
      await withRaw(
        reply('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello'),
        async (server) => {
          const r = await get(`${server.url}/`, use_threads);
          assert.equal(r.result, Result.RESULT_CONNECTION_ERROR);
          assert.equal(r.response_code, 0);
          const c = await viaClient(server.port, HTTPClient.METHOD_GET);
          assert.equal(c.status, HTTPClient.STATUS_CONNECTION_ERROR);
        },
      );
    },
  },
  {
    id: 'G60',
    title:
      'a HEAD response ends at the blank line whatever CL/TE say; stray bytes never reach the next request',
    run: async (use_threads) => {
      const variants = [
        'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n-foo-\n',
        'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n',
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      ];
      for (const first of variants) {
        await withRaw(thenEcho(first), async (server) => {
          const started = Date.now();
          const head = await get(`${server.url}/h`, use_threads, { method: HTTPClient.METHOD_HEAD });
          assert.equal(head.result, Result.RESULT_SUCCESS, JSON.stringify(first));
          assert.equal(head.response_code, 200);
          assert.equal(head.body.byteLength, 0);
          assert.ok(Date.now() - started < 2000, 'HEAD did not wait for a body');
          assert.match(server.heads[0]?.toString('latin1') ?? '', /^HEAD \/h HTTP\/1\.1\r\n/);
          const next = await get(`${server.url}/next`, use_threads);
          assert.equal(next.result, Result.RESULT_SUCCESS);
          assert.equal(
            text(next.body),
            'second /next',
            'the next response is its own, not the HEAD leftovers',
          );
        });
        await withRaw(thenEcho(first), async (server) => {
          const c = await viaClient(server.port, HTTPClient.METHOD_HEAD);
          assert.equal(c.code, 200);
          assert.equal(c.body, '');
          // Stray bytes after the head make the connection unusable: DISCONNECTED is as good as CONNECTED.
          assert.ok(
            c.status === HTTPClient.STATUS_CONNECTED || c.status === HTTPClient.STATUS_DISCONNECTED,
            `status ${c.status} for ${JSON.stringify(first)}`,
          );
        });
      }
    },
  },
  {
    id: 'G61',
    title: '204/304 have no body whatever CL/TE say: no hang, no body, the next response is its own',
    run: async (use_threads) => {
      const ok = [
        'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n',
        'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n',
        'HTTP/1.1 304 Not Modified\r\nContent-Length: 677777\r\n\r\n',
        'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello',
      ];
      for (const first of ok) {
        const code = Number(first.slice(9, 12));
        await withRaw(thenEcho(first), async (server) => {
          const started = Date.now();
          const r = await get(`${server.url}/`, use_threads);
          assert.ok(Date.now() - started < 2000, 'no wait for a body');
          assert.equal(r.result, Result.RESULT_SUCCESS, JSON.stringify(first));
          assert.equal(r.response_code, code);
          assert.equal(r.body.byteLength, 0);
          const next = await get(`${server.url}/next`, use_threads);
          assert.equal(next.result, Result.RESULT_SUCCESS);
          assert.equal(text(next.body), 'second /next');
        });
        await withRaw(thenEcho(first), async (server) => {
          const c = await viaClient(server.port, HTTPClient.METHOD_GET);
          assert.equal(c.code, code, JSON.stringify(first));
          assert.equal(c.body, '');
          // With a Content-Length on a 204/304 the connection's framing is unknown: gdhttp closes it, so
          // DISCONNECTED is as good as CONNECTED there.
          const closes = first.includes('Content-Length');
          assert.ok(
            c.status === HTTPClient.STATUS_CONNECTED ||
              (closes && c.status === HTTPClient.STATUS_DISCONNECTED),
            `status ${c.status} for ${JSON.stringify(first)}`,
          );
        });
      }
    },
  },
];

runCases('G 1xx, HEAD, 204, 304', cases);
