/**
 * Proxy tests shared by squid.test.ts and tinyproxy.test.ts: plain HTTP through the proxy (absolute-form),
 * HTTPS through a CONNECT tunnel, Basic proxy auth, and 407 without credentials. The origins are the
 * project's loopback httpbin (plain and TLS with the test CA).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTPRequest, Result } from '../../src/index.js';
import type { Httpbin } from '../servers/httpbin.js';

export interface ProxyUnderTest {
  /** `[host, port]` for set_http_proxy / set_https_proxy, credentials in `host` when the proxy wants them. */
  readonly open: () => readonly [string, number];
  readonly authed?: () => { port: number; user: string; pass: string };
}

function echoHeaders(body: Uint8Array): Record<string, string> {
  const echo = JSON.parse(Buffer.from(body).toString('utf8')) as { headers: Record<string, string> };
  return echo.headers;
}

export function proxyTests(
  use_threads: boolean,
  proxy: ProxyUnderTest,
  origins: () => { http: Httpbin; https: Httpbin },
): void {
  test('plain HTTP through the proxy reaches the origin; no Proxy-Authorization arrives there', async () => {
    const { http } = origins();
    const before = http.requests.length;
    const r = await HTTPRequest.fetch(`${http.url}/get?via=proxy`, {
      use_threads,
      http_proxy: proxy.open(),
      timeout: 10,
    });
    assert.equal(r.result, Result.RESULT_SUCCESS);
    assert.equal(r.response_code, 200);
    assert.equal(http.requests.length, before + 1);
    const seen = http.requests.at(-1);
    assert.ok(seen?.rawHeaders.every(([name]) => name.toLowerCase() !== 'proxy-authorization'));
  });

  test('HTTPS through a CONNECT tunnel verifies the origin and gets its body', async () => {
    const { https } = origins();
    const r = await HTTPRequest.fetch(`${https.url.replace('127.0.0.1', 'localhost')}/get?via=tunnel`, {
      use_threads,
      https_proxy: proxy.open(),
      timeout: 10,
    });
    assert.equal(r.result, Result.RESULT_SUCCESS);
    assert.equal(r.response_code, 200);
    assert.equal(echoHeaders(r.body)['Proxy-Authorization'], undefined);
  });

  test('CONNECT to a closed port fails with CANT_CONNECT', async () => {
    const r = await HTTPRequest.fetch('https://127.0.0.1:1/get', {
      use_threads,
      https_proxy: proxy.open(),
      timeout: 10,
    });
    assert.equal(r.result, Result.RESULT_CANT_CONNECT);
  });

  const authed = proxy.authed;
  if (authed === undefined) return;

  test('auth proxy without credentials: plain HTTP gets the 407 as the response', async () => {
    const { http } = origins();
    const { port } = authed();
    const r = await HTTPRequest.fetch(`${http.url}/get`, {
      use_threads,
      http_proxy: ['127.0.0.1', port],
      timeout: 10,
    });
    assert.equal(r.result, Result.RESULT_SUCCESS);
    assert.equal(r.response_code, 407);
  });

  test('auth proxy without credentials: CONNECT refused is CANT_CONNECT, origin never contacted', async () => {
    const { https } = origins();
    const before = https.requests.length;
    const { port } = authed();
    const r = await HTTPRequest.fetch(`${https.url}/get`, {
      use_threads,
      https_proxy: ['127.0.0.1', port],
      timeout: 10,
    });
    assert.equal(r.result, Result.RESULT_CANT_CONNECT);
    assert.equal(https.requests.length, before);
  });

  test('auth proxy with wrong credentials: CONNECT refused is CANT_CONNECT', async () => {
    const { https } = origins();
    const { port, user } = authed();
    const r = await HTTPRequest.fetch(`${https.url}/get`, {
      use_threads,
      https_proxy: [`${user}:wrong@127.0.0.1`, port],
      timeout: 10,
    });
    assert.equal(r.result, Result.RESULT_CANT_CONNECT);
  });

  test('auth proxy with Basic credentials: plain HTTP and CONNECT both succeed; origin sees no proxy credentials', async () => {
    const { http, https } = origins();
    const { port, user, pass } = authed();
    const plain = await HTTPRequest.fetch(`${http.url}/get`, {
      use_threads,
      http_proxy: [`${user}:${pass}@127.0.0.1`, port],
      timeout: 10,
    });
    assert.equal(plain.result, Result.RESULT_SUCCESS);
    assert.equal(plain.response_code, 200);
    assert.equal(echoHeaders(plain.body)['Proxy-Authorization'], undefined);
    const tunnelled = await HTTPRequest.fetch(`${https.url}/get`, {
      use_threads,
      https_proxy: [`${user}:${pass}@127.0.0.1`, port],
      timeout: 10,
    });
    assert.equal(tunnelled.result, Result.RESULT_SUCCESS);
    assert.equal(tunnelled.response_code, 200);
    assert.equal(echoHeaders(tunnelled.body)['Proxy-Authorization'], undefined);
  });
}
