/**
 * HTTPClient through proxies: plain HTTP in absolute form with the real Host (`set_http_proxy`), HTTPS in a
 * CONNECT tunnel with TLS to the origin (`set_https_proxy`), refusals and unreachable proxies, and
 * `user:pass@host` credentials that reach the proxy only. The HTTPS tests verify the origin's certificate,
 * so this file trusts the test CA (process-wide; it tests no untrusted certificate).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERR_INVALID_PARAMETER, OK } from '../../src/core/error.js';
import { HTTPClient } from '../../src/net/http-client.js';
import { clear_trusted_cas } from '../../src/net/trust-store.js';
import { startConnectProxy, type ConnectProxy } from '../servers/connect-proxy.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { replyAndKeep, responseBytes, startRawServer, type RawServer } from '../servers/raw-server.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';
import { pollOnce, pollWhile } from './http-client-polling.js';
import { closedPort } from '../servers/closed-port.js';

const {
  STATUS_RESOLVING,
  STATUS_CANT_RESOLVE,
  STATUS_CONNECTING,
  STATUS_CANT_CONNECT,
  STATUS_CONNECTED,
  STATUS_REQUESTING,
  STATUS_BODY,
} = HTTPClient;

/** Sends a request on a CONNECTED client and returns the body as text once it is read. */
async function fetchText(
  client: HTTPClient,
  method: number,
  url: string,
  headers: string[] = [],
): Promise<string> {
  assert.equal(client.request(method, url, headers), OK);
  await pollWhile(client, [STATUS_REQUESTING]);
  const parts: Buffer[] = [];
  for (let i = 0; i < 1000 && client.get_status() === STATUS_BODY; i++) {
    await pollOnce(client, 5000);
    parts.push(Buffer.from(client.read_response_body_chunk()));
  }
  assert.equal(client.get_status(), STATUS_CONNECTED);
  return Buffer.concat(parts).toString('utf8');
}

/** A header's value from a recorded `[name, value]` list (case-insensitive), or undefined. */
function header(raw: readonly [string, string][] | undefined, name: string): string | undefined {
  return raw?.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('HTTPClient plain HTTP through set_http_proxy', () => {
  let origin: Httpbin;
  let proxy: ConnectProxy;
  let rawProxy: RawServer;
  before(async () => {
    origin = await startHttpbin();
    proxy = await startConnectProxy();
    rawProxy = await startRawServer(replyAndKeep(responseBytes({ body: 'from the proxy' })));
  });
  after(async () => {
    await Promise.all([origin.close(), proxy.close(), rawProxy.close()]);
  });

  test('the request line is absolute-form, Host is the origin, and the connection goes to the proxy', async () => {
    const client = new HTTPClient();
    try {
      client.set_http_proxy('127.0.0.1', rawProxy.port);
      assert.equal(client.connect_to_host('example.test', 8080), OK);
      // The proxy is an IP literal, so nothing is resolved: the origin's name is the proxy's business.
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
        STATUS_CONNECTING,
        STATUS_CONNECTED,
      ]);
      assert.equal(await fetchText(client, HTTPClient.METHOD_GET, '/path?q=1'), 'from the proxy');
      const lines = rawProxy.heads.at(-1)?.toString('latin1').split('\r\n') ?? [];
      assert.equal(lines[0], 'GET http://example.test:8080/path?q=1 HTTP/1.1');
      assert.ok(
        lines.some((line) => line.toLowerCase() === 'host: example.test:8080'),
        lines.join('\n'),
      );
      assert.ok(!lines.some((line) => /^proxy-authorization:/i.test(line)), lines.join('\n'));
    } finally {
      client.close();
    }
  });

  test('through the forwarding proxy the origin answers; both saw the real Host', async () => {
    const client = new HTTPClient();
    try {
      client.set_http_proxy('127.0.0.1', proxy.port);
      assert.equal(client.connect_to_host('127.0.0.1', origin.port), OK);
      await pollWhile(client, [STATUS_CONNECTING]);
      const echo = JSON.parse(await fetchText(client, HTTPClient.METHOD_GET, '/get?via=proxy')) as {
        args: Record<string, string>;
        url: string;
      };
      assert.deepEqual(echo.args, { via: 'proxy' });
      assert.equal(echo.url, `http://127.0.0.1:${origin.port}/get?via=proxy`);
      const seen = proxy.requests.at(-1);
      assert.equal(seen?.method, 'GET');
      assert.equal(seen.target, `http://127.0.0.1:${origin.port}/get?via=proxy`);
      assert.equal(header(seen.rawHeaders, 'host'), `127.0.0.1:${origin.port}`);
      assert.equal(header(origin.requests.at(-1)?.rawHeaders, 'host'), `127.0.0.1:${origin.port}`);
    } finally {
      client.close();
    }
  });

  test('`user:pass@host` sends Basic Proxy-Authorization to the proxy, which the origin never sees', async () => {
    const authProxy = await startConnectProxy({ auth: { user: 'alice', pass: 's3cret' } });
    const client = new HTTPClient();
    try {
      client.set_http_proxy('alice:s3cret@127.0.0.1', authProxy.port);
      assert.equal(client.connect_to_host('127.0.0.1', origin.port), OK);
      await pollWhile(client, [STATUS_CONNECTING]);
      const echo = JSON.parse(await fetchText(client, HTTPClient.METHOD_GET, '/headers')) as {
        headers: Record<string, string>;
      };
      assert.equal(client.get_response_code(), 200);
      assert.equal(
        header(authProxy.requests.at(-1)?.rawHeaders, 'proxy-authorization'),
        basic('alice:s3cret'),
      );
      assert.equal(echo.headers['Proxy-Authorization'], undefined);
      assert.equal(header(origin.requests.at(-1)?.rawHeaders, 'proxy-authorization'), undefined);
    } finally {
      client.close();
      await authProxy.close();
    }
  });

  test('percent-encoded credentials are decoded before Basic encoding', async () => {
    const client = new HTTPClient();
    try {
      client.set_http_proxy('us%40er:p%3Ass@127.0.0.1', rawProxy.port);
      assert.equal(client.connect_to_host('127.0.0.1', 80), OK);
      await pollWhile(client, [STATUS_CONNECTING]);
      await fetchText(client, HTTPClient.METHOD_GET, '/');
      const lines = rawProxy.heads.at(-1)?.toString('latin1').split('\r\n') ?? [];
      const auth = lines.find((line) => /^proxy-authorization:/i.test(line));
      assert.equal(auth?.replace(/^[^:]*:\s*/, ''), basic('us@er:p:ss'));
      assert.equal(lines[0], 'GET http://127.0.0.1/ HTTP/1.1');
    } finally {
      client.close();
    }
  });

  test('a proxy without credentials gets a 407 through as a response', async () => {
    const authProxy = await startConnectProxy({ auth: { user: 'alice', pass: 's3cret' } });
    const client = new HTTPClient();
    try {
      client.set_http_proxy('127.0.0.1', authProxy.port);
      assert.equal(client.connect_to_host('127.0.0.1', origin.port), OK);
      await pollWhile(client, [STATUS_CONNECTING]);
      await fetchText(client, HTTPClient.METHOD_GET, '/get');
      assert.equal(client.get_response_code(), HTTPClient.RESPONSE_PROXY_AUTHENTICATION_REQUIRED);
      assert.equal(origin.requests.filter((r) => r.url === '/get').length, 0);
    } finally {
      client.close();
      await authProxy.close();
    }
  });

  test('set_http_proxy("", -1) unsets the proxy: the request goes straight to the origin', async () => {
    const client = new HTTPClient();
    try {
      client.set_http_proxy('127.0.0.1', rawProxy.port);
      client.set_http_proxy('', -1);
      assert.equal(client.connect_to_host('127.0.0.1', origin.port), OK);
      await pollWhile(client, [STATUS_CONNECTING]);
      const before = rawProxy.heads.length;
      await fetchText(client, HTTPClient.METHOD_GET, '/get?direct=1');
      assert.equal(rawProxy.heads.length, before);
      assert.equal(origin.requests.at(-1)?.url, '/get?direct=1');
    } finally {
      client.close();
    }
  });

  test('an unreachable proxy is CANT_CONNECT', async () => {
    const port = await closedPort();
    const client = new HTTPClient();
    try {
      client.set_http_proxy('127.0.0.1', port);
      assert.equal(client.connect_to_host('127.0.0.1', origin.port), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [
        STATUS_CONNECTING,
        STATUS_CANT_CONNECT,
      ]);
    } finally {
      client.close();
    }
  });

  test('an unresolvable proxy is CANT_RESOLVE, even for an IP-literal origin', async () => {
    const client = new HTTPClient();
    try {
      client.set_http_proxy('proxy.invalid', 3128);
      assert.equal(client.connect_to_host('127.0.0.1', origin.port), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
        STATUS_RESOLVING,
        STATUS_CANT_RESOLVE,
      ]);
    } finally {
      client.close();
    }
  });

  test('a malformed proxy setting makes connect_to_host ERR_INVALID_PARAMETER', () => {
    const client = new HTTPClient();
    client.set_http_proxy('127.0.0.1', 70000);
    assert.equal(client.connect_to_host('127.0.0.1', 80), ERR_INVALID_PARAMETER);
    client.set_http_proxy('proxy\r\nhost', 3128);
    assert.equal(client.connect_to_host('127.0.0.1', 80), ERR_INVALID_PARAMETER);
    client.close();
  });
});

describe('HTTPClient HTTPS through set_https_proxy (CONNECT tunnel)', () => {
  let origin: Httpbin;
  let proxy: ConnectProxy;
  before(async () => {
    const fx = await getTlsFixtures();
    HTTPClient.add_trusted_ca(fx.ca);
    origin = await startHttpbin({ tls: fx.valid });
    proxy = await startConnectProxy();
  });
  after(async () => {
    clear_trusted_cas();
    await Promise.all([origin.close(), proxy.close()]);
  });

  test('the proxy sees CONNECT host:port, the origin sees the TLS request, the certificate is verified', async () => {
    const client = new HTTPClient();
    try {
      client.set_https_proxy('127.0.0.1', proxy.port);
      assert.equal(client.connect_to_host('localhost', origin.port, true, true), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
        STATUS_CONNECTING,
        STATUS_CONNECTED,
      ]);
      for (let i = 0; i < 2; i++) {
        const echo = JSON.parse(await fetchText(client, HTTPClient.METHOD_GET, `/get?i=${i}`)) as {
          url: string;
        };
        assert.equal(echo.url, `https://localhost:${origin.port}/get?i=${i}`);
      }
      const connects = proxy.requests.filter((r) => r.method === 'CONNECT');
      assert.equal(connects.length, 1);
      assert.equal(connects[0]?.target, `localhost:${origin.port}`);
      assert.equal(proxy.tunnelCount(), 1);
      // The proxy never saw the HTTP requests themselves: they went through the tunnel encrypted.
      assert.equal(proxy.requests.length, 1);
      assert.deepEqual(
        origin.requests.map((r) => [r.method, r.url, header(r.rawHeaders, 'host')]),
        [
          ['GET', '/get?i=0', `localhost:${origin.port}`],
          ['GET', '/get?i=1', `localhost:${origin.port}`],
        ],
      );
    } finally {
      client.close();
    }
  });

  test('`user:pass@host` goes as Proxy-Authorization on the CONNECT only, never to the origin', async () => {
    const authProxy = await startConnectProxy({ auth: { user: 'bob', pass: 'pw' } });
    const client = new HTTPClient();
    try {
      client.set_https_proxy('bob:pw@127.0.0.1', authProxy.port);
      assert.equal(client.connect_to_host('localhost', origin.port, true), OK);
      await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]);
      assert.equal(client.get_status(), STATUS_CONNECTED);
      await fetchText(client, HTTPClient.METHOD_GET, '/get?auth=1');
      const connect = authProxy.requests.at(-1);
      assert.equal(connect?.method, 'CONNECT');
      assert.equal(header(connect.rawHeaders, 'proxy-authorization'), basic('bob:pw'));
      const reached = origin.requests.at(-1);
      assert.equal(reached?.url, '/get?auth=1');
      assert.equal(header(reached.rawHeaders, 'proxy-authorization'), undefined);
    } finally {
      client.close();
      await authProxy.close();
    }
  });

  test('a CONNECT refused for lack of credentials (407) is CANT_CONNECT', async () => {
    const authProxy = await startConnectProxy({ auth: { user: 'bob', pass: 'pw' } });
    const client = new HTTPClient();
    try {
      client.set_https_proxy('127.0.0.1', authProxy.port);
      assert.equal(client.connect_to_host('localhost', origin.port, true), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [
        STATUS_CONNECTING,
        STATUS_CANT_CONNECT,
      ]);
      assert.equal(authProxy.requests.at(-1)?.status, 407);
    } finally {
      client.close();
      await authProxy.close();
    }
  });

  for (const status of [403, 502]) {
    test(`a CONNECT refused with ${status} is CANT_CONNECT and the origin sees nothing`, async () => {
      const refusing = await startConnectProxy({ refuse: status });
      const requests = origin.requests.length;
      const client = new HTTPClient();
      try {
        client.set_https_proxy('127.0.0.1', refusing.port);
        assert.equal(client.connect_to_host('localhost', origin.port, true), OK);
        assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [
          STATUS_CONNECTING,
          STATUS_CANT_CONNECT,
        ]);
        assert.equal(refusing.requests.at(-1)?.status, status);
        assert.equal(origin.requests.length, requests);
      } finally {
        client.close();
        await refusing.close();
      }
    });
  }

  test('a CONNECT to a target the proxy cannot reach (502) is CANT_CONNECT', async () => {
    const client = new HTTPClient();
    try {
      client.set_https_proxy('127.0.0.1', proxy.port);
      assert.equal(client.connect_to_host('origin.invalid', 443, true), OK);
      // The origin's name is not resolved by the client: the proxy does that.
      assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [
        STATUS_CONNECTING,
        STATUS_CANT_CONNECT,
      ]);
      assert.equal(proxy.requests.at(-1)?.target, 'origin.invalid:443');
    } finally {
      client.close();
    }
  });

  test('an unreachable HTTPS proxy is CANT_CONNECT; an unresolvable one is CANT_RESOLVE', async () => {
    const port = await closedPort();
    const client = new HTTPClient();
    try {
      client.set_https_proxy('127.0.0.1', port);
      assert.equal(client.connect_to_host('localhost', origin.port, true), OK);
      assert.equal(
        (await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING])).at(-1),
        STATUS_CANT_CONNECT,
      );
      client.set_https_proxy('proxy.invalid', 3128);
      assert.equal(client.connect_to_host('localhost', origin.port, true), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
        STATUS_RESOLVING,
        STATUS_CANT_RESOLVE,
      ]);
    } finally {
      client.close();
    }
  });

  test('set_https_proxy does not apply to plain HTTP connections', async () => {
    const plain = await startHttpbin();
    const client = new HTTPClient();
    try {
      client.set_https_proxy('127.0.0.1', proxy.port);
      const before = proxy.requests.length;
      assert.equal(client.connect_to_host('127.0.0.1', plain.port), OK);
      await pollWhile(client, [STATUS_CONNECTING]);
      await fetchText(client, HTTPClient.METHOD_GET, '/get');
      assert.equal(proxy.requests.length, before);
      assert.equal(plain.requests.length, 1);
    } finally {
      client.close();
      await plain.close();
    }
  });
});
