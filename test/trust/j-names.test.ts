// Catalogue group J: names, connections and URLs (cases 80–86). No test here makes a DNS query: names are
// `.invalid` (answered CANT_RESOLVE without a lookup), `localhost` (/etc/hosts), IP literals, or names sent
// to a recording proxy that never resolves them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { HTTPClient, Result } from '../../src/index.js';
import { replyAndKeep, responseBytes, type RawServer } from '../servers/raw-server.js';
import {
  assertRefused,
  get,
  headerIn,
  routed,
  runCases,
  targetOf,
  text,
  withRaw,
  type TrustCase,
} from './harness.js';
import { pollWhile } from '../net/http-client-polling.js';

const SECRET = 'Authorization: Bearer s3cret';

/** A keep-alive server answering `200` with `served <request-target>` as the body. */
const echoTarget = routed((head) => responseBytes({ body: `served ${targetOf(head) ?? ''}` }));

/** HTTPClient's status once connecting to `host:port` has settled (bounded loop). */
async function clientConnect(host: string, port: number): Promise<{ client: HTTPClient; status: number }> {
  const client = new HTTPClient();
  assert.equal(client.connect_to_host(host, port), 0);
  await pollWhile(client, [HTTPClient.STATUS_RESOLVING, HTTPClient.STATUS_CONNECTING]);
  return { client, status: client.get_status() };
}

/** A loopback port with nothing listening on it (bound, then closed). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Two echo servers on 127.0.0.1 ports A and B. */
async function withTwo(body: (a: RawServer, b: RawServer) => Promise<void>): Promise<void> {
  await withRaw(echoTarget, (a) => withRaw(echoTarget, (b) => body(a, b)));
}

/**
 * A redirect server: `/start` answers `302 Location: <location(server)>`, anything else `200 served <target>`.
 * Returns the Authorization header the second request carried (and that it reached this server).
 */
async function authorizationAfterRedirect(
  use_threads: boolean,
  start: (server: RawServer) => string,
  location: (server: RawServer) => string,
  host: '127.0.0.1' | '::1' = '127.0.0.1',
): Promise<string | undefined> {
  let self: RawServer | undefined;
  return withRaw(
    routed((head) =>
      targetOf(head) === '/start'
        ? responseBytes({ status: 302, headers: [['Location', location(self as RawServer)]], body: '' })
        : responseBytes({ body: `served ${targetOf(head) ?? ''}` }),
    ),
    async (server) => {
      self = server;
      const r = await get(start(server), use_threads, { headers: [SECRET] });
      assert.equal(r.result, Result.RESULT_SUCCESS, location(server));
      assert.equal(text(r.body), 'served /x', location(server));
      assert.equal(server.heads.length, 2);
      assert.equal(headerIn(server.heads[0], 'Authorization'), 'Bearer s3cret');
      return headerIn(server.heads[1], 'Authorization');
    },
    { host },
  );
}

const cases: TrustCase[] = [
  {
    id: 'J80',
    title: 'a name that does not resolve (host or proxy) is CANT_RESOLVE, distinct from a refused connection',
    run: async (use_threads) => {
      for (const url of ['http://nonexistent.invalid/', 'https://nonexistent.invalid:8443/x']) {
        const r = await get(url, use_threads);
        assert.equal(r.result, Result.RESULT_CANT_RESOLVE, url);
        assert.equal(r.response_code, 0);
        assert.deepEqual([...r.headers], []);
      }
      await withRaw(echoTarget, async (server) => {
        const viaProxy = await get(`${server.url}/`, use_threads, { http_proxy: ['proxy.invalid', 3128] });
        assert.equal(viaProxy.result, Result.RESULT_CANT_RESOLVE);
        assert.equal(server.connectionCount(), 0, 'no fallback to a direct connection');
      });
      const { client, status } = await clientConnect('nonexistent.invalid', 80);
      client.close();
      assert.equal(status, HTTPClient.STATUS_CANT_RESOLVE);
    },
  },
  {
    id: 'J81',
    title: 'nothing listening is CANT_CONNECT (HTTPClient STATUS_CANT_CONNECT), for an IP and for localhost',
    run: async (use_threads) => {
      const port = await freePort();
      for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
        const r = await get(`http://${host}:${port}/`, use_threads);
        assert.equal(r.result, Result.RESULT_CANT_CONNECT, host);
        assert.equal(r.response_code, 0);
      }
      const { client, status } = await clientConnect('127.0.0.1', port);
      client.close();
      assert.equal(status, HTTPClient.STATUS_CANT_CONNECT);
      // The working address behind `localhost` is used.
      await withRaw(echoTarget, async (server) => {
        const r = await get(`http://localhost:${server.port}/ok`, use_threads);
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal(text(r.body), 'served /ok');
      });
    },
  },
  {
    id: 'J82',
    title:
      'IPv6 literals: [::1] connects with Host [::1]:port and CONNECT [::1]:port; zone IDs and junk after ] are refused',
    run: async (use_threads) => {
      await withRaw(
        echoTarget,
        async (server) => {
          const r = await get(`http://[::1]:${server.port}/six`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(text(r.body), 'served /six');
          assert.equal(headerIn(server.heads[0], 'Host'), `[::1]:${server.port}`);
          const { client, status } = await clientConnect('::1', server.port);
          try {
            assert.equal(status, HTTPClient.STATUS_CONNECTED);
            assert.equal(client.request(HTTPClient.METHOD_GET, '/client', []), 0);
            for (let i = 0; i < 100 && client.get_status() === HTTPClient.STATUS_REQUESTING; i += 1)
              await client.poll();
            assert.equal(client.get_response_code(), 200);
            assert.equal(headerIn(server.heads.at(-1), 'Host'), `[::1]:${server.port}`);
          } finally {
            client.close();
          }
        },
        { host: '::1' },
      );
      await withRaw(replyAndKeep('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'), async (proxy) => {
        const r = await get('https://[::1]:8443/', use_threads, { https_proxy: ['127.0.0.1', proxy.port] });
        assert.equal(r.result, Result.RESULT_CANT_CONNECT);
        assert.match(proxy.heads[0]?.toString('latin1') ?? '', /^CONNECT \[::1\]:8443 HTTP\/1\.1\r\n/);
        assert.equal(headerIn(proxy.heads[0], 'Host'), '[::1]:8443');
      });
      for (const bad of [
        'http://[fe80::1%25lo]:8080/',
        'http://[fe80::1%lo]:8080/',
        'http://[::1]x:8080/',
        'http://[::1:8080/',
        'http://[::1]]:8080/',
        'http://[127.0.0.1]:8080/',
      ])
        await assertRefused(bad, use_threads);
    },
  },
  {
    id: 'J83',
    title: 'IDN host names go out as A-labels (request line, Host, CONNECT); invalid ones are refused',
    run: async (use_threads) => {
      await withRaw(replyAndKeep(responseBytes({ body: 'proxied' })), async (proxy) => {
        const r = await get('http://straße.invalid/x', use_threads, {
          http_proxy: ['127.0.0.1', proxy.port],
        });
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.match(
          proxy.heads[0]?.toString('latin1') ?? '',
          /^GET http:\/\/xn--strae-oqa\.invalid\/x HTTP\/1\.1\r\n/,
        );
        assert.equal(headerIn(proxy.heads[0], 'Host'), 'xn--strae-oqa.invalid');
        const upper = await get('http://BÜCHER.invalid:81/', use_threads, {
          http_proxy: ['127.0.0.1', proxy.port],
        });
        assert.equal(upper.result, Result.RESULT_SUCCESS);
        assert.equal(headerIn(proxy.heads[1], 'Host'), 'xn--bcher-kva.invalid:81');
      });
      await withRaw(replyAndKeep('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'), async (proxy) => {
        const r = await get('https://straße.invalid/', use_threads, {
          https_proxy: ['127.0.0.1', proxy.port],
        });
        assert.equal(r.result, Result.RESULT_CANT_CONNECT);
        assert.match(
          proxy.heads[0]?.toString('latin1') ?? '',
          /^CONNECT xn--strae-oqa\.invalid:443 HTTP\/1\.1\r\n/,
        );
      });
      // Direct: the A-label is what is resolved (and `.invalid` never resolves).
      assert.equal((await get('http://straße.invalid/', use_threads)).result, Result.RESULT_CANT_RESOLVE);
      for (const bad of ['http://xn--a.invalid/', 'http://ex%00ample.invalid/', 'http://a\u3000b.invalid/'])
        await assertRefused(bad, use_threads);
    },
  },
  {
    id: 'J84',
    title:
      '8,000- and 64,000-octet URLs and a 64 KiB header value are sent intact; a 414 is an ordinary response; 100,000 @ parse quickly',
    run: (use_threads) =>
      withRaw(
        routed((head) =>
          (targetOf(head) ?? '').length > 100_000
            ? responseBytes({ status: 414, reason: 'URI Too Long', body: '' })
            : responseBytes({ body: `len ${(targetOf(head) ?? '').length}` }),
        ),
        async (server) => {
          for (const length of [8000, 64_000]) {
            const path = `/${'a'.repeat(length - 1)}`;
            const r = await get(`${server.url}${path}`, use_threads);
            assert.equal(r.result, Result.RESULT_SUCCESS, String(length));
            assert.equal(text(r.body), `len ${length}`);
            assert.equal(targetOf(server.heads.at(-1)), path);
          }
          const big = await get(`${server.url}/${'b'.repeat(200_000)}`, use_threads);
          assert.equal(big.result, Result.RESULT_SUCCESS);
          assert.equal(big.response_code, 414);
          const value = 'v'.repeat(64 * 1024);
          const withHeader = await get(`${server.url}/h`, use_threads, { headers: [`X-Big: ${value}`] });
          assert.equal(withHeader.result, Result.RESULT_SUCCESS);
          assert.equal(headerIn(server.heads.at(-1), 'X-Big'), value);
          // urllib3 CVE-2021-33503: the authority with 100,000 `@` must parse in bounded time.
          const started = Date.now();
          const ats = await get(`http://${'@'.repeat(100_000)}127.0.0.1:${server.port}/ats`, use_threads);
          assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
          assert.equal(ats.result, Result.RESULT_SUCCESS);
          assert.equal(targetOf(server.heads.at(-1)), '/ats');
        },
      ),
  },
  {
    id: 'J85',
    title:
      'URL-parser differentials (fragment-@, \\@, ?@, user@a@b, ///, spaces, C0, http:/) contact the host the WHATWG parser names, or are refused',
    run: (use_threads) =>
      withTwo(async (a, b) => {
        const A = `127.0.0.1:${a.port}`;
        const B = `127.0.0.1:${b.port}`;
        const table: [url: string, server: 'a' | 'b', target: string][] = [
          [`http://${A}#@${B}/`, 'a', '/'],
          [`http://${A}\\@${B}/`, 'a', `/@${B}/`],
          [`http://${A}?@${B}/`, 'a', `/?@${B}/`],
          [`http://u@${A}@${B}/`, 'b', '/'],
          [`http:///${A}/triple`, 'a', '/triple'],
          [`  http://${A}/spaces  `, 'a', '/spaces'],
          [`http://${A}/a/../b/./c`, 'a', '/b/c'],
        ];
        for (const [url, which, target] of table) {
          const server = which === 'a' ? a : b;
          const other = which === 'a' ? b : a;
          const before = [server.heads.length, other.heads.length];
          const r = await get(url, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS, url);
          assert.equal(server.heads.length, (before[0] ?? 0) + 1, `${url} reached ${which}`);
          assert.equal(other.heads.length, before[1], `${url} did not reach the other host`);
          assert.equal(targetOf(server.heads.at(-1)), target, url);
        }
        // user@a@b: the user info is everything before the last @, and it is sent only to b.
        const userInfo = headerIn(b.heads[0], 'Authorization');
        assert.equal(
          Buffer.from(userInfo?.replace(/^Basic /, '') ?? '', 'base64').toString(),
          `u@127.0.0.1:${a.port}`,
        );
        for (const bad of [
          `\u0001http://${A}/`,
          `http://${A}/\u0000`,
          `http:/${A}/`,
          `http:${A}/`,
          `http://${A}:${b.port}/`,
          `javascript://${A}/`,
          `http://${A}\t/`,
        ])
          await assertRefused(bad, use_threads);
        assert.equal(a.heads.length + b.heads.length, table.length);
      }),
  },
  {
    id: 'J86',
    title:
      'origin comparison is on normalised origins: case, IPv4 spellings and IPv6 forms are the same origin; host or port change is not',
    run: async (use_threads) => {
      const same: [(s: RawServer) => string, (s: RawServer) => string, '127.0.0.1' | '::1'][] = [
        [(s) => `http://127.0.0.1:${s.port}/start`, (s) => `HTTP://127.0.0.1:${s.port}/x`, '127.0.0.1'],
        [(s) => `http://localhost:${s.port}/start`, (s) => `http://LocalHost:${s.port}/x`, '127.0.0.1'],
        [(s) => `http://127.0.0.1:${s.port}/start`, (s) => `http://2130706433:${s.port}/x`, '127.0.0.1'],
        [(s) => `http://127.0.0.1:${s.port}/start`, (s) => `http://0x7f.1:${s.port}/x`, '127.0.0.1'],
        [(s) => `http://[::1]:${s.port}/start`, (s) => `http://[0:0:0:0:0:0:0:1]:${s.port}/x`, '::1'],
        [(s) => `http://127.0.0.1:${s.port}/start`, () => '/x', '127.0.0.1'],
      ];
      for (const [start, location, host] of same) {
        assert.equal(
          await authorizationAfterRedirect(use_threads, start, location, host),
          'Bearer s3cret',
          'same origin keeps Authorization',
        );
      }
      assert.equal(
        await authorizationAfterRedirect(
          use_threads,
          (s) => `http://localhost:${s.port}/start`,
          (s) => `http://127.0.0.1:${s.port}/x`,
        ),
        undefined,
        'localhost and 127.0.0.1 are different origins',
      );
      // Another port on the same host: the credentials never arrive there.
      await withRaw(echoTarget, async (other) => {
        let self: RawServer | undefined;
        await withRaw(
          routed(() =>
            responseBytes({
              status: 302,
              headers: [['Location', `http://127.0.0.1:${other.port}/x`]],
              body: '',
            }),
          ),
          async (server) => {
            self = server;
            const r = await get(`${server.url}/start`, use_threads, { headers: [SECRET] });
            assert.equal(r.result, Result.RESULT_SUCCESS);
            assert.equal(self.heads.length, 1);
            assert.equal(headerIn(other.heads[0], 'Authorization'), undefined);
          },
        );
      });
    },
  },
];

runCases('J names, connections, URLs', cases);
