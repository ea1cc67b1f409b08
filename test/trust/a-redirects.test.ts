// Catalogue group A: redirects and credential scoping (cases 1–14).
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { HTTPClient, Result } from '../../src/index.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';
import { add_trusted_ca } from '../../src/index.js';
import { responseBytes, type RawServer } from '../servers/raw-server.js';
import { get, headerIn, routed, runCases, targetOf, text, withRaw, type TrustCase } from './harness.js';

async function withHttpbins<T>(count: number, body: (servers: Httpbin[]) => Promise<T>): Promise<T> {
  const servers: Httpbin[] = [];
  try {
    for (let i = 0; i < count; i += 1) servers.push(await startHttpbin());
    return await body(servers);
  } finally {
    for (const server of servers) await server.close();
  }
}

function redirectTo(origin: Httpbin, target: string, status = 302): string {
  return `${origin.url}/redirect-to?url=${encodeURIComponent(target)}&status_code=${status}`;
}

function received(server: Httpbin, name: string, index = -1): string | undefined {
  const request = server.requests.at(index);
  return request?.rawHeaders.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

/** A1/A3/A4: `header` reaches the origin but not another host (localhost vs 127.0.0.1, same port). */
function dropsOnCrossHost(header: string): (use_threads: boolean) => Promise<void> {
  return (use_threads) =>
    withHttpbins(1, async ([a]) => {
      const server = a as Httpbin;
      const other = server.url.replace('127.0.0.1', 'localhost');
      const r = await get(redirectTo(server, `${other}/get`), use_threads, { headers: [header] });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(server.requests.length, 2);
      const name = header.slice(0, header.indexOf(':'));
      assert.notEqual(received(server, name, 0), undefined, 'sent to the origin');
      assert.equal(received(server, name, 1), undefined, 'not sent to the other host');
    });
}

/** A raw server whose `/start` answers `302 Location: <location>` and everything else `200 <target>`. */
function locationServer(location: (server: RawServer) => string): {
  start: (use_threads: boolean) => Promise<{ server: RawServer; second: string | undefined; result: number }>;
} {
  return {
    start: async (use_threads) => {
      let self: RawServer | undefined;
      return withRaw(
        routed((head) => {
          const target = targetOf(head) ?? '';
          if (target === '/start')
            return responseBytes({
              status: 302,
              headers: [['Location', location(self as RawServer)]],
              body: '',
            });
          return responseBytes({ body: target });
        }),
        async (server) => {
          self = server;
          const r = await get(`${server.url}/start`, use_threads);
          return { server, second: targetOf(server.heads[1]), result: r.result };
        },
      );
    },
  };
}

const cases: TrustCase[] = [
  {
    id: 'A1',
    title: 'redirect to another origin drops Authorization',
    run: dropsOnCrossHost('Authorization: Bearer s3cret'),
  },
  {
    id: 'A2',
    title: 'same host, other port is another origin: Authorization dropped',
    run: (use_threads) =>
      withHttpbins(2, async ([a, b]) => {
        const r = await get(redirectTo(a as Httpbin, `${(b as Httpbin).url}/get`), use_threads, {
          headers: ['Authorization: Bearer s3cret'],
        });
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal(received(b as Httpbin, 'authorization'), undefined);
      }),
  },
  {
    id: 'A3',
    title: 'Cookie (mixed case coOkie) dropped across origins',
    run: dropsOnCrossHost('coOkie: sid=1'),
  },
  {
    id: 'A4',
    title: 'Proxy-Authorization dropped across origins',
    run: dropsOnCrossHost('Proxy-Authorization: Basic cDpw'),
  },
  {
    id: 'A5',
    title: 'a stripped header stays stripped on a later same-host hop',
    run: (use_threads) =>
      withHttpbins(2, async ([a, b]) => {
        const bUrl = (b as Httpbin).url;
        const hop2 = redirectTo(b as Httpbin, `${bUrl}/get`);
        const r = await get(redirectTo(a as Httpbin, hop2), use_threads, {
          headers: ['Authorization: Bearer s'],
        });
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal((b as Httpbin).requests.length, 2);
        assert.equal(received(b as Httpbin, 'authorization', 0), undefined);
        assert.equal(received(b as Httpbin, 'authorization', 1), undefined);
      }),
  },
  {
    id: 'A6',
    title: 'URL user info is not sent to another origin; credentials in Location apply to that target only',
    run: (use_threads) =>
      withHttpbins(2, async ([a, b]) => {
        const aUrl = (a as Httpbin).url.replace('http://', 'http://u:p@');
        const bUrl = (b as Httpbin).url;
        const r1 = await get(`${aUrl}/redirect-to?url=${encodeURIComponent(`${bUrl}/get`)}`, use_threads);
        assert.equal(r1.result, Result.RESULT_SUCCESS);
        assert.equal(
          received(a as Httpbin, 'authorization'),
          `Basic ${Buffer.from('u:p').toString('base64')}`,
        );
        assert.equal(received(b as Httpbin, 'authorization'), undefined);
        const withCreds = bUrl.replace('http://', 'http://u2:p2@');
        const r2 = await get(redirectTo(a as Httpbin, `${withCreds}/get`), use_threads);
        assert.equal(r2.result, Result.RESULT_SUCCESS);
        assert.equal(
          received(b as Httpbin, 'authorization'),
          `Basic ${Buffer.from('u2:p2').toString('base64')}`,
        );
        assert.equal(received(b as Httpbin, 'referer'), undefined);
      }),
  },
  {
    id: 'A7',
    title: 'application secret headers (X-Api-Key) follow redirects (documented; no strip-list option)',
    run: (use_threads) =>
      withHttpbins(2, async ([a, b]) => {
        const r = await get(redirectTo(a as Httpbin, `${(b as Httpbin).url}/get`), use_threads, {
          headers: ['X-Api-Key: k'],
        });
        assert.equal(r.result, Result.RESULT_SUCCESS);
        // Pins the documented behaviour (godot-behaviour.md §4 strips only Authorization, Cookie,
        // Proxy-Authorization); the option is waived in docs/trust.md.
        assert.equal(received(b as Httpbin, 'x-api-key'), 'k');
      }),
  },
  {
    id: 'A8',
    title: '303 and 302 turn POST into GET without body or Content-*; 307/308 keep method and body',
    run: (use_threads) =>
      withHttpbins(1, async ([a]) => {
        const server = a as Httpbin;
        for (const status of [301, 302, 303, 307, 308]) {
          const r = await get(redirectTo(server, `${server.url}/anything`, status), use_threads, {
            method: HTTPClient.METHOD_POST,
            headers: ['Content-Type: text/plain'],
            body: 'secret-body',
          });
          assert.equal(r.result, Result.RESULT_SUCCESS, String(status));
          const last = server.requests.at(-1);
          assert.ok(last !== undefined);
          const keeps = status === 307 || status === 308;
          assert.equal(last.method, keeps ? 'POST' : 'GET', String(status));
          assert.equal(last.body.toString(), keeps ? 'secret-body' : '', String(status));
          assert.equal(received(server, 'content-type') !== undefined, keeps, String(status));
          if (!keeps) assert.equal(received(server, 'content-length'), undefined, String(status));
        }
      }),
  },
  {
    id: 'A9',
    title: 'https → http downgrade redirect drops Authorization and Cookie',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const tlsOrigin = await startHttpbin({ tls: fx.valid });
      try {
        await withHttpbins(1, async ([plain]) => {
          const url = `${tlsOrigin.url.replace('127.0.0.1', 'localhost')}/redirect-to?url=${encodeURIComponent(`${(plain as Httpbin).url}/get`)}`;
          const r = await get(url, use_threads, { headers: ['Authorization: Bearer s', 'Cookie: sid=1'] });
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(received(plain as Httpbin, 'authorization'), undefined);
          assert.equal(received(plain as Httpbin, 'cookie'), undefined);
        });
      } finally {
        await tlsOrigin.close();
      }
    },
  },
  {
    id: 'A10',
    title: 'redirect to file:, data:, ftp: is returned as the final response, not followed',
    run: (use_threads) =>
      withHttpbins(1, async ([a]) => {
        for (const target of [
          'file:///etc/hostname',
          'data:text/plain,hi',
          'ftp://127.0.0.1/x',
          'javascript:alert(1)',
        ]) {
          const r = await get(redirectTo(a as Httpbin, target), use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS, target);
          assert.equal(r.response_code, 302, target);
          assert.equal(r.body.byteLength, 0, target);
        }
        assert.equal((a as Httpbin).requests.length, 4);
      }),
  },
  {
    id: 'A11',
    title: 'a redirect loop stops at max_redirects with REDIRECT_LIMIT_REACHED after limit+1 requests',
    run: (use_threads) =>
      withRaw(
        routed(() => responseBytes({ status: 302, headers: [['Location', '/loop']], body: '' })),
        async (server) => {
          const r = await get(`${server.url}/loop`, use_threads, { max_redirects: 3 });
          assert.equal(r.result, Result.RESULT_REDIRECT_LIMIT_REACHED);
          assert.equal(r.response_code, 302);
          assert.equal(server.heads.length, 4);
        },
      ),
  },
  {
    id: 'A12',
    title:
      'Location forms resolve per RFC 3986 (relative, ../, query-only, protocol-relative); fragment never sent',
    run: async (use_threads) => {
      const table: [string, (s: RawServer) => string, string][] = [
        ['relative', () => 'moo.html', '/moo.html'],
        ['dot-dot clamped', () => '../../../x', '/x'],
        ['query only', () => '?q=1', '/start?q=1'],
        ['absolute path with fragment', () => '/a#frag', '/a'],
        ['protocol-relative', (s) => `//localhost:${s.port}/p`, '/p'],
      ];
      for (const [name, location, expected] of table) {
        const { second, result } = await locationServer(location).start(use_threads);
        assert.equal(result, Result.RESULT_SUCCESS, name);
        assert.equal(second, expected, name);
      }
    },
  },
  {
    id: 'A13',
    title: 'hostile Location: Content-Location is not Location; spaces and UTF-8 are percent-encoded',
    run: async (use_threads) => {
      await withRaw(
        routed(() => responseBytes({ status: 302, headers: [['Content-Location', '/x']], body: '' })),
        async (server) => {
          const r = await get(`${server.url}/start`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(r.response_code, 302);
          assert.equal(server.heads.length, 1);
        },
      );
      const spaced = await locationServer(() => '/a b').start(use_threads);
      assert.equal(spaced.second, '/a%20b');
      const utf8 = await withRaw(
        routed((head) =>
          targetOf(head) === '/start'
            ? Buffer.concat([
                Buffer.from('HTTP/1.1 302 Found\r\nLocation: /caf'),
                Buffer.from([0xc3, 0xa9]),
                Buffer.from('\r\nContent-Length: 0\r\n\r\n'),
              ])
            : responseBytes({ body: 'ok' }),
        ),
        async (server) => {
          const r = await get(`${server.url}/start`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS);
          return targetOf(server.heads[1]);
        },
      );
      assert.equal(utf8, '/caf%C3%A9');
    },
  },
  {
    id: 'A14',
    title: 'a redirect with a huge gzip body is not drained past a bound; the target is reached',
    run: (use_threads) => {
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
      return withRaw(
        routed((head) =>
          targetOf(head) === '/start'
            ? Buffer.concat([
                Buffer.from(
                  `HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`,
                ),
                bomb,
              ])
            : responseBytes({ body: 'final' }),
        ),
        async (server) => {
          const r = await get(`${server.url}/start`, use_threads);
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(text(r.body), 'final');
          assert.equal(headerIn(server.heads[1], 'host')?.endsWith(String(server.port)), true);
        },
      );
    },
  },
];

runCases('A redirects and credential scoping', cases);
