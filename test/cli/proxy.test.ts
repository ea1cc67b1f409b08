import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { choose_proxies, is_proxy_exempt, parse_proxy } from '../../src/cli/proxy.js';
import { CliError } from '../../src/cli/cli-error.js';
import { startConnectProxy, type ConnectProxy } from '../servers/connect-proxy.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { getTlsFixtures, type TlsFixtures } from '../servers/tls-fixtures.js';
import { describe_run, run_gdhttp } from './run-gdhttp.js';

describe('proxy settings, as curl reads them', () => {
  test('parse_proxy takes host:port, http:// URLs, credentials and [IPv6], with 1080 as the default port', () => {
    assert.deepEqual(parse_proxy('proxy.example:3128', 'x'), { host: 'proxy.example', port: 3128 });
    assert.deepEqual(parse_proxy('http://u:p%40ss@proxy.example:8080/', 'x'), {
      host: 'u:p%40ss@proxy.example',
      port: 8080,
    });
    assert.deepEqual(parse_proxy('[::1]:9000', 'x'), { host: '[::1]', port: 9000 });
    assert.deepEqual(parse_proxy('proxy.example', 'x'), { host: 'proxy.example', port: 1080 });
    assert.throws(
      () => parse_proxy('socks5://proxy:1080', 'ALL'),
      (e: unknown) => e instanceof CliError && /only http:\/\//.test(e.message),
    );
    assert.throws(() => parse_proxy('proxy:0', 'x'), CliError);
    assert.throws(() => parse_proxy('::1:80', 'x'), CliError);
  });

  test('no_proxy matches names and subdomains, IPs, CIDR ranges and *; lower case wins over NO_PROXY', () => {
    const env = { no_proxy: '.example.com, internal,10.0.0.0/8 ,::1,192.168.1.5:8080', NO_PROXY: '*' };
    assert.equal(is_proxy_exempt('example.com', env), true);
    assert.equal(is_proxy_exempt('api.example.com', env), true);
    assert.equal(is_proxy_exempt('badexample.com', env), false);
    assert.equal(is_proxy_exempt('internal', env), true);
    assert.equal(is_proxy_exempt('10.20.30.40', env), true);
    assert.equal(is_proxy_exempt('11.0.0.1', env), false);
    assert.equal(is_proxy_exempt('[::1]', env), true);
    assert.equal(is_proxy_exempt('192.168.1.5', env), true);
    assert.equal(is_proxy_exempt('anything', { NO_PROXY: '*' }), true);
    assert.equal(is_proxy_exempt('anything', {}), false);
  });

  test('choose_proxies: options before variables, lower case before upper case, --proxy serves https too', () => {
    const none = { proxy: undefined, https_proxy: undefined };
    const http = new URL('http://h/');
    const https = new URL('https://h/');
    assert.deepEqual(choose_proxies(http, none, { http_proxy: 'a:1', HTTP_PROXY: 'b:2' }).http, {
      host: 'a',
      port: 1,
    });
    assert.deepEqual(choose_proxies(http, none, { HTTP_PROXY: 'b:2' }).http, { host: 'b', port: 2 });
    assert.deepEqual(choose_proxies(https, none, { https_proxy: 'c:3', http_proxy: 'a:1' }).https, {
      host: 'c',
      port: 3,
    });
    assert.equal(choose_proxies(https, none, { http_proxy: 'a:1' }).https, undefined);
    const option = { proxy: { host: 'o', port: 9 }, https_proxy: undefined };
    assert.deepEqual(choose_proxies(https, option, { https_proxy: 'c:3' }).https, { host: 'o', port: 9 });
    assert.equal(choose_proxies(https, option, { no_proxy: 'h' }).https, undefined);
    // A malformed variable only matters for the URL's own scheme.
    assert.equal(choose_proxies(https, none, { http_proxy: 'socks5://x' }).https, undefined);
    assert.throws(() => choose_proxies(http, none, { http_proxy: 'socks5://x' }), CliError);
  });
});

describe('gdhttp through proxies', { concurrency: 2 }, () => {
  let bin: Httpbin;
  let tls: Httpbin;
  let fx: TlsFixtures;
  let proxy: ConnectProxy;

  before(async () => {
    fx = await getTlsFixtures();
    [bin, tls, proxy] = await Promise.all([
      startHttpbin(),
      startHttpbin({ tls: fx.valid }),
      startConnectProxy(),
    ]);
  });
  after(async () => {
    await Promise.all([bin.close(), tls.close(), proxy.close()]);
  });

  const proxyAddress = (): string => `127.0.0.1:${proxy.port}`;
  const sentThroughProxy = (path: string): boolean =>
    proxy.requests.some((r) => r.target === `${bin.url}${path}`);

  test('--proxy sends an http:// request in absolute form to the proxy', async () => {
    const run = await run_gdhttp(['--proxy', proxyAddress(), `${bin.url}/get?via=option`]);
    assert.equal(run.code, 0, describe_run(run));
    assert.ok(sentThroughProxy('/get?via=option'));
  });

  test('http_proxy is honoured, and wins over HTTP_PROXY', async () => {
    const run = await run_gdhttp([`${bin.url}/get?via=lower`], {
      env: { http_proxy: `http://${proxyAddress()}`, HTTP_PROXY: 'http://127.0.0.1:1' },
    });
    assert.equal(run.code, 0, describe_run(run));
    assert.ok(sentThroughProxy('/get?via=lower'));
    const upper = await run_gdhttp([`${bin.url}/get?via=upper`], { env: { HTTP_PROXY: proxyAddress() } });
    assert.equal(upper.code, 0, describe_run(upper));
    assert.ok(sentThroughProxy('/get?via=upper'));
  });

  test('no_proxy (a CIDR range here) bypasses the proxy; a dead proxy otherwise exits 7', async () => {
    const direct = await run_gdhttp([`${bin.url}/get?via=direct`], {
      env: { http_proxy: 'http://127.0.0.1:1', no_proxy: '127.0.0.0/8' },
    });
    assert.equal(direct.code, 0, describe_run(direct));
    assert.ok(!sentThroughProxy('/get?via=direct'));
    const dead = await run_gdhttp([`${bin.url}/get`], { env: { http_proxy: 'http://127.0.0.1:1' } });
    assert.equal(dead.code, 7, describe_run(dead));
  });

  test('https:// goes through a CONNECT tunnel with --https-proxy or https_proxy', async () => {
    const url = `${tls.url.replace('127.0.0.1', 'localhost')}/get`;
    const before = proxy.tunnelCount();
    const option = await run_gdhttp(['--cacert', fx.caFile, '--https-proxy', proxyAddress(), url]);
    assert.equal(option.code, 0, describe_run(option));
    const env = await run_gdhttp(['--cacert', fx.caFile, url], { env: { https_proxy: proxyAddress() } });
    assert.equal(env.code, 0, describe_run(env));
    assert.equal(proxy.tunnelCount(), before + 2);
  });
});
