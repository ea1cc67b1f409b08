/**
 * The HTTPRequest contract: one suite, run once on the main thread and once with `use_threads = true`
 * (http-request.main-thread.test.ts / http-request.threads.test.ts). Results must be identical.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { HTTPClient, HTTPRequest, add_trusted_ca } from '../../../src/index.js';
import { startHttpbin, seededBytes, largePatternBytes, type Httpbin } from '../../servers/httpbin.js';
import {
  badChunkSize,
  closeWithoutReply,
  contentLengthCutShort,
  drip,
  malformedStatusLine,
  neverFinishHeaders,
  reply,
  resetAfter,
  responseBytes,
  stall,
  startRawServer,
  truncatedChunked,
  type RawHandler,
  type RawServer,
} from '../../servers/raw-server.js';
import { getTlsFixtures, type TlsFixtures } from '../../servers/tls-fixtures.js';
import { fetchWith, makeNode, staysSilent, strayFiles, sleep, type NodeProps } from './harness.js';
import { closedPort } from '../../servers/closed-port.js';

interface EchoBody {
  method: string;
  data: string;
  headers: Record<string, string>;
  args: Record<string, string | string[]>;
}

function json<T>(body: Uint8Array): T {
  return JSON.parse(Buffer.from(body).toString('utf8')) as T;
}

export function httpRequestContract(use_threads: boolean): void {
  const mode = use_threads ? 'use_threads = true' : 'use_threads = false';
  const node = (props: NodeProps = {}): HTTPRequest => makeNode({ use_threads, ...props });
  const raws: RawServer[] = [];
  const raw = async (handler: RawHandler, tls?: { key: string; cert: string }): Promise<RawServer> => {
    const server = await startRawServer(handler, tls === undefined ? {} : { tls });
    raws.push(server);
    return server;
  };
  let bin: Httpbin;
  let other: Httpbin;
  let fixtures: TlsFixtures;
  let dir: string;

  before(async () => {
    bin = await startHttpbin();
    other = await startHttpbin();
    fixtures = await getTlsFixtures();
    dir = mkdtempSync(join(tmpdir(), 'gdhttp-contract-'));
  });
  after(async () => {
    await Promise.all([bin.close(), other.close(), ...raws.map((server) => server.close())]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe(`HTTPRequest results (${mode})`, () => {
    test('SUCCESS carries the exact body bytes, the code and the headers as received', async () => {
      const done = await fetchWith(node(), `${bin.url}/bytes/70000?seed=7`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.equal(done.response_code, 200);
      assert.deepEqual(Buffer.from(done.body), seededBytes(70000, 7));
      assert.ok(done.headers.includes('Content-Length: 70000'), done.headers.join('\n'));
    });

    test('a 404 is a SUCCESS with response_code 404', async () => {
      const done = await fetchWith(node(), `${bin.url}/status/404`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.equal(done.response_code, 404);
    });

    test('a chunked body arrives whole', async () => {
      const done = await fetchWith(node(), `${bin.url}/stream-bytes/100000?seed=3&chunk_size=999`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.deepEqual(Buffer.from(done.body), seededBytes(100000, 3));
    });

    test('CANT_RESOLVE for a .invalid host, with code 0 and no headers', async () => {
      const done = await fetchWith(node(), 'http://gdhttp-test.invalid/');
      assert.deepEqual(
        [done.result, done.response_code, done.headers.length],
        [HTTPRequest.RESULT_CANT_RESOLVE, 0, 0],
      );
    });

    test('CANT_CONNECT for a closed port', async () => {
      const done = await fetchWith(node(), `http://127.0.0.1:${await closedPort()}/`);
      assert.deepEqual([done.result, done.response_code], [HTTPRequest.RESULT_CANT_CONNECT, 0]);
    });

    test('CONNECTION_ERROR when the connection is reset mid-body', async () => {
      const server = await raw(
        resetAfter(
          responseBytes({
            headers: [['Content-Length', '1000']],
            body: 'x'.repeat(100),
            contentLength: false,
          }),
        ),
      );
      const done = await fetchWith(node(), `${server.url}/`);
      assert.deepEqual(
        [done.result, done.response_code, done.headers, done.body.length],
        [HTTPRequest.RESULT_CONNECTION_ERROR, 0, [], 0],
      );
    });

    test('CONNECTION_ERROR when a Content-Length body is cut short', async () => {
      const server = await raw(reply(contentLengthCutShort(10, 'hello')));
      const done = await fetchWith(node(), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_CONNECTION_ERROR);
      assert.equal(done.body.length, 0);
    });

    test('CONNECTION_ERROR for a malformed status line', async () => {
      const server = await raw(reply(malformedStatusLine()));
      const done = await fetchWith(node(), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_CONNECTION_ERROR);
    });

    test('NO_RESPONSE when the server closes without a byte', async () => {
      const server = await raw(closeWithoutReply());
      const done = await fetchWith(node(), `${server.url}/`);
      assert.deepEqual([done.result, done.response_code], [HTTPRequest.RESULT_NO_RESPONSE, 0]);
    });

    test('CHUNKED_BODY_SIZE_MISMATCH for a chunked body without its last chunk, with code and headers', async () => {
      const server = await raw(reply(truncatedChunked(['hello', 'world'])));
      const done = await fetchWith(node(), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_CHUNKED_BODY_SIZE_MISMATCH);
      assert.equal(done.response_code, 200);
      assert.ok(done.headers.includes('Transfer-Encoding: chunked'));
      assert.equal(done.body.length, 0);
    });

    test('CHUNKED_BODY_SIZE_MISMATCH for a chunk size that is not hex', async () => {
      const server = await raw(reply(badChunkSize()));
      const done = await fetchWith(node(), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_CHUNKED_BODY_SIZE_MISMATCH);
    });

    test('BODY_SIZE_LIMIT_EXCEEDED from Content-Length, before any body is read', async () => {
      const http = node({ body_size_limit: 1000 });
      const done = await fetchWith(http, `${bin.url}/bytes/5000`);
      assert.deepEqual(
        [done.result, done.response_code, done.body.length],
        [HTTPRequest.RESULT_BODY_SIZE_LIMIT_EXCEEDED, 200, 0],
      );
      assert.ok(done.headers.includes('Content-Length: 5000'));
    });

    test('BODY_SIZE_LIMIT_EXCEEDED when a chunked body grows past the limit; no download file is written', async () => {
      const target = join(dir, 'limit.bin');
      const http = node({ body_size_limit: 50_000, download_file: target });
      const done = await fetchWith(http, `${bin.url}/stream-bytes/200000?chunk_size=10000`);
      assert.equal(done.result, HTTPRequest.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
      assert.equal(existsSync(target), false);
      assert.deepEqual(
        strayFiles(dir, []).filter((name) => name.includes('limit')),
        [],
      );
    });

    test('a body exactly at body_size_limit succeeds', async () => {
      const done = await fetchWith(node({ body_size_limit: 5000 }), `${bin.url}/bytes/5000`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.equal(done.body.length, 5000);
    });

    test('REDIRECT_LIMIT_REACHED after max_redirects, with the redirect response code and headers', async () => {
      const done = await fetchWith(node({ max_redirects: 2 }), `${bin.url}/redirect/3`);
      assert.equal(done.result, HTTPRequest.RESULT_REDIRECT_LIMIT_REACHED);
      assert.equal(done.response_code, 302);
      assert.ok(done.headers.some((line) => line.toLowerCase().startsWith('location:')));
    });

    test('max_redirects = 0 refuses the first redirect; -1 follows any number', async () => {
      const refused = await fetchWith(node({ max_redirects: 0 }), `${bin.url}/redirect/1`);
      assert.equal(refused.result, HTTPRequest.RESULT_REDIRECT_LIMIT_REACHED);
      const unlimited = await fetchWith(node({ max_redirects: -1 }), `${bin.url}/redirect/12`);
      assert.deepEqual([unlimited.result, unlimited.response_code], [HTTPRequest.RESULT_SUCCESS, 200]);
    });

    test('TIMEOUT when the headers never finish', async () => {
      const server = await raw(neverFinishHeaders());
      const done = await fetchWith(node({ timeout: 0.3 }), `${server.url}/`);
      assert.deepEqual([done.result, done.response_code, done.headers], [HTTPRequest.RESULT_TIMEOUT, 0, []]);
    });

    test('TIMEOUT when the body stalls', async () => {
      const server = await raw(
        stall(responseBytes({ headers: [['Content-Length', '100']], body: 'abc', contentLength: false })),
      );
      const done = await fetchWith(node({ timeout: 0.3 }), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_TIMEOUT);
    });

    test('TIMEOUT for a drip-feed that keeps sending but never finishes in time', async () => {
      const server = await raw(drip(responseBytes({ body: 'y'.repeat(200) }), 20));
      const done = await fetchWith(node({ timeout: 0.4 }), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_TIMEOUT);
    });

    test('timeout covers the whole request including redirects', async () => {
      const url = `${bin.url}/redirect-to?url=${encodeURIComponent('/delay/1')}`;
      const done = await fetchWith(node({ timeout: 0.4 }), url);
      assert.equal(done.result, HTTPRequest.RESULT_TIMEOUT);
    });

    test('BODY_DECOMPRESS_FAILED for a corrupt gzip body, with code and headers', async () => {
      const corrupt = Buffer.concat([
        gzipSync('hello world').subarray(0, 10),
        Buffer.from('this is not deflate data'),
      ]);
      const server = await raw(
        reply(responseBytes({ headers: [['Content-Encoding', 'gzip']], body: corrupt })),
      );
      const done = await fetchWith(node(), `${server.url}/`);
      assert.deepEqual([done.result, done.response_code], [HTTPRequest.RESULT_BODY_DECOMPRESS_FAILED, 200]);
      assert.equal(done.body.length, 0);
    });
  });

  describe(`HTTPRequest TLS (${mode})`, () => {
    const https = async (
      name: 'expired' | 'selfSigned' | 'wrongHost' | 'untrustedRoot' | 'valid',
    ): Promise<RawServer> =>
      raw(reply(responseBytes({ body: 'secure' })), { key: fixtures[name].key, cert: fixtures[name].cert });

    for (const name of ['expired', 'selfSigned', 'wrongHost', 'untrustedRoot'] as const) {
      test(`SSL_HANDSHAKE_ERROR for a ${name} certificate, and SUCCESS with ssl_validate_domain = false`, async () => {
        const server = await https(name);
        const url = server.url.replace('http://', 'https://');
        const refused = await fetchWith(node(), `${url}/`);
        assert.deepEqual(
          [refused.result, refused.response_code],
          [HTTPRequest.RESULT_SSL_HANDSHAKE_ERROR, 0],
        );
        const accepted = await fetchWith(node(), `${url}/`, [], HTTPClient.METHOD_GET, '', false);
        assert.equal(accepted.result, HTTPRequest.RESULT_SUCCESS);
        assert.equal(Buffer.from(accepted.body).toString(), 'secure');
      });
    }

    test('a certificate from a CA added with add_trusted_ca is accepted for localhost', async () => {
      add_trusted_ca(fixtures.ca);
      const server = await https('valid');
      const done = await fetchWith(node(), `https://localhost:${server.port}/`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.equal(Buffer.from(done.body).toString(), 'secure');
    });
  });

  describe(`HTTPRequest wire format (${mode})`, () => {
    test('custom headers first and verbatim, then Host, User-Agent, Accept and Accept-Encoding defaults', async () => {
      await fetchWith(node(), `${bin.url}/get?a=1`, ['X-First: 1', 'x-second:  two ']);
      const last = bin.requests.at(-1);
      assert.ok(last !== undefined);
      const names = last.rawHeaders.map(([name]) => name);
      assert.deepEqual(
        last.rawHeaders.find(([name]) => name === 'X-First'),
        ['X-First', '1'],
      );
      assert.deepEqual(
        last.rawHeaders.find(([name]) => name === 'x-second'),
        ['x-second', 'two'],
      );
      assert.ok(names.indexOf('X-First') < names.indexOf('User-Agent'));
      const value = (name: string): string | undefined =>
        last.rawHeaders.find(([n]) => n.toLowerCase() === name)?.[1];
      assert.equal(value('host'), `127.0.0.1:${bin.port}`);
      assert.match(value('user-agent') ?? '', /^gdhttp\//);
      assert.equal(value('accept'), '*/*');
      assert.match(value('accept-encoding') ?? '', /gzip/);
    });

    test('a User-Agent given by the caller replaces the default', async () => {
      const done = await fetchWith(node(), `${bin.url}/headers`, ['User-Agent: MyGame/1.0']);
      assert.equal(json<{ headers: Record<string, string> }>(done.body).headers['User-Agent'], 'MyGame/1.0');
    });

    test('POST sends the body with its Content-Length; an empty POST sends Content-Length: 0', async () => {
      const done = await fetchWith(
        node(),
        `${bin.url}/post`,
        ['Content-Type: application/json'],
        HTTPClient.METHOD_POST,
        '{"name":"Godette"}',
      );
      const echo = json<EchoBody>(done.body);
      assert.equal(echo.data, '{"name":"Godette"}');
      assert.equal(echo.headers['Content-Length'], '18');
      const empty = await fetchWith(node(), `${bin.url}/post`, [], HTTPClient.METHOD_POST);
      assert.equal(json<EchoBody>(empty.body).headers['Content-Length'], '0');
    });

    test('request_raw sends bytes as they are', async () => {
      const bytes = seededBytes(3000, 11);
      await fetchWith(node(), `${bin.url}/put`, [], HTTPClient.METHOD_PUT, bytes);
      assert.deepEqual(bin.requests.at(-1)?.body, bytes);
    });

    test('user info in the URL becomes Basic authorization', async () => {
      const done = await fetchWith(
        node(),
        `http://godette:s3cret@127.0.0.1:${bin.port}/basic-auth/godette/s3cret`,
      );
      assert.deepEqual([done.result, done.response_code], [HTTPRequest.RESULT_SUCCESS, 200]);
    });

    test('gzip, deflate and br bodies are decoded; accept_gzip = false leaves them untouched', async () => {
      for (const path of ['gzip', 'deflate', 'brotli']) {
        const done = await fetchWith(node(), `${bin.url}/${path}`);
        assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
        assert.equal(json<{ method: string }>(done.body).method, 'GET');
      }
      const plain = await fetchWith(node({ accept_gzip: false }), `${bin.url}/gzip`);
      assert.equal(plain.result, HTTPRequest.RESULT_SUCCESS);
      assert.deepEqual([...plain.body.subarray(0, 2)], [0x1f, 0x8b]);
      const sent = bin.requests.at(-1)?.rawHeaders.find(([name]) => name.toLowerCase() === 'accept-encoding');
      assert.equal(sent, undefined);
    });

    test('get_downloaded_bytes counts wire bytes and body_size_limit applies to decoded bytes (gzip bomb)', async () => {
      const http = node({ body_size_limit: 5_000_000 });
      const done = await fetchWith(http, `${bin.url}/gzip-bomb/1073741824`);
      assert.equal(done.result, HTTPRequest.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
      assert.ok(http.get_downloaded_bytes() < 1_000_000, `wire bytes ${http.get_downloaded_bytes()}`);
    });

    test('a HEAD response has no body', async () => {
      const done = await fetchWith(node(), `${bin.url}/bytes/500`, [], HTTPClient.METHOD_HEAD);
      assert.deepEqual(
        [done.result, done.response_code, done.body.length],
        [HTTPRequest.RESULT_SUCCESS, 200, 0],
      );
    });

    test('get_body_size is the Content-Length, -1 for chunked; get_downloaded_bytes the bytes read', async () => {
      const sized = node();
      await fetchWith(sized, `${bin.url}/bytes/1234`);
      assert.deepEqual([sized.get_body_size(), sized.get_downloaded_bytes()], [1234, 1234]);
      const chunked = node();
      await fetchWith(chunked, `${bin.url}/stream-bytes/4321`);
      assert.equal(chunked.get_body_size(), -1);
      assert.ok(chunked.get_downloaded_bytes() >= 4321);
      assert.equal(chunked.get_http_client_status(), HTTPClient.STATUS_DISCONNECTED);
    });
  });

  describe(`HTTPRequest redirects (${mode})`, () => {
    const to = (server: Httpbin, location: string, status: number): string =>
      `${server.url}/redirect-to?url=${encodeURIComponent(location)}&status_code=${status}`;

    for (const [status, method] of [
      [301, 'GET'],
      [302, 'GET'],
      [303, 'GET'],
      [307, 'POST'],
      [308, 'POST'],
    ] as const) {
      test(`${status} after POST is followed with ${method}${method === 'GET' ? ' and no body' : ' and the same body'}`, async () => {
        const done = await fetchWith(
          node(),
          to(bin, '/anything/next', status),
          ['Content-Type: text/plain'],
          HTTPClient.METHOD_POST,
          'payload',
        );
        assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
        const echo = json<EchoBody>(done.body);
        assert.equal(echo.method, method);
        assert.equal(echo.data, method === 'GET' ? '' : 'payload');
        assert.equal(echo.headers['Content-Type'], method === 'GET' ? undefined : 'text/plain');
      });
    }

    test('303 after HEAD stays HEAD', async () => {
      await fetchWith(node(), to(bin, '/get', 303), [], HTTPClient.METHOD_HEAD);
      assert.equal(bin.requests.at(-1)?.method, 'HEAD');
    });

    test('absolute, relative, ../ and protocol-relative Locations are resolved against the current URL', async () => {
      const cases: [string, string][] = [
        [`${other.url}/anything/abs`, '/anything/abs'],
        ['anything/rel', '/anything/rel'],
        ['../anything/up', '/anything/up'],
        [`//127.0.0.1:${other.port}/anything/proto`, '/anything/proto'],
      ];
      for (const [location, path] of cases) {
        const done = await fetchWith(node(), to(bin, location, 302));
        assert.equal(done.result, HTTPRequest.RESULT_SUCCESS, location);
        assert.ok(json<{ url: string }>(done.body).url.endsWith(path), location);
      }
    });

    test('Authorization, Cookie and Proxy-Authorization are dropped when the origin changes, kept on the same origin', async () => {
      const secret = ['Authorization: Bearer token', 'Cookie: a=b', 'Proxy-Authorization: Basic eA=='];
      await fetchWith(node(), to(bin, `${other.url}/headers`, 302), secret);
      const cross = other.requests.at(-1)?.rawHeaders.map(([name]) => name.toLowerCase()) ?? [];
      assert.ok(
        !cross.includes('authorization') &&
          !cross.includes('cookie') &&
          !cross.includes('proxy-authorization'),
        cross.join(),
      );
      await fetchWith(node(), to(bin, '/headers', 302), secret);
      const same = bin.requests.at(-1)?.rawHeaders.map(([name]) => name.toLowerCase()) ?? [];
      assert.ok(same.includes('authorization') && same.includes('cookie'), same.join());
    });

    test('a 3xx without Location is the final response', async () => {
      const server = await raw(reply(responseBytes({ status: 302, body: 'no location' })));
      const done = await fetchWith(node(), `${server.url}/`);
      assert.deepEqual([done.result, done.response_code], [HTTPRequest.RESULT_SUCCESS, 302]);
      assert.equal(Buffer.from(done.body).toString(), 'no location');
    });

    test('get_downloaded_bytes and get_body_size are per hop', async () => {
      const http = node();
      await fetchWith(http, to(bin, '/bytes/777', 302));
      assert.deepEqual([http.get_body_size(), http.get_downloaded_bytes()], [777, 777]);
    });
  });

  describe(`HTTPRequest download_file (${mode})`, () => {
    test('the body is written to the file, the signal body is empty, no temporary file remains', async () => {
      const sub = mkdtempSync(join(dir, 'ok-'));
      const target = join(sub, 'out.bin');
      const done = await fetchWith(node({ download_file: target }), `${bin.url}/bytes/300000?seed=5`);
      assert.deepEqual([done.result, done.body.length], [HTTPRequest.RESULT_SUCCESS, 0]);
      assert.deepEqual(readFileSync(target), seededBytes(300000, 5));
      assert.deepEqual(strayFiles(sub, ['out.bin']), []);
    });

    test('a failed download leaves the old file intact and no temporary file', async () => {
      const sub = mkdtempSync(join(dir, 'fail-'));
      const target = join(sub, 'keep.txt');
      writeFileSync(target, 'original');
      const server = await raw(
        resetAfter(
          responseBytes({
            headers: [['Content-Length', '100000']],
            body: 'z'.repeat(5000),
            contentLength: false,
          }),
        ),
      );
      const done = await fetchWith(node({ download_file: target }), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_CONNECTION_ERROR);
      assert.equal(readFileSync(target, 'utf8'), 'original');
      assert.deepEqual(strayFiles(sub, ['keep.txt']), []);
    });

    test('a timed-out download leaves the old file intact and no temporary file', async () => {
      const sub = mkdtempSync(join(dir, 'timeout-'));
      const target = join(sub, 'keep.txt');
      writeFileSync(target, 'original');
      const server = await raw(
        stall(
          responseBytes({
            headers: [['Content-Length', '100000']],
            body: 'z'.repeat(5000),
            contentLength: false,
          }),
        ),
      );
      const done = await fetchWith(node({ download_file: target, timeout: 0.3 }), `${server.url}/`);
      assert.equal(done.result, HTTPRequest.RESULT_TIMEOUT);
      assert.equal(readFileSync(target, 'utf8'), 'original');
      assert.deepEqual(strayFiles(sub, ['keep.txt']), []);
    });

    test('DOWNLOAD_FILE_CANT_OPEN for a missing folder and for a folder in the way, with code and headers', async () => {
      const missing = await fetchWith(
        node({ download_file: join(dir, 'no-such-folder', 'x.bin') }),
        `${bin.url}/bytes/10`,
      );
      assert.deepEqual(
        [missing.result, missing.response_code],
        [HTTPRequest.RESULT_DOWNLOAD_FILE_CANT_OPEN, 200],
      );
      const folder = join(dir, 'a-folder');
      mkdirSync(folder, { recursive: true });
      const inTheWay = await fetchWith(node({ download_file: folder }), `${bin.url}/bytes/10`);
      assert.equal(inTheWay.result, HTTPRequest.RESULT_DOWNLOAD_FILE_CANT_OPEN);
    });

    test('DOWNLOAD_FILE_WRITE_ERROR when the disk is full (/dev/full)', async () => {
      const done = await fetchWith(node({ download_file: '/dev/full' }), `${bin.url}/bytes/100000`);
      assert.deepEqual(
        [done.result, done.response_code],
        [HTTPRequest.RESULT_DOWNLOAD_FILE_WRITE_ERROR, 200],
      );
    });

    test('/dev/null is written in place', async () => {
      const done = await fetchWith(node({ download_file: '/dev/null' }), `${bin.url}/bytes/100000`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
    });

    test('an empty body gives an empty file; HEAD never touches the file', async () => {
      const sub = mkdtempSync(join(dir, 'empty-'));
      const target = join(sub, 'empty.bin');
      const done = await fetchWith(node({ download_file: target }), `${bin.url}/bytes/0`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.equal(readFileSync(target).length, 0);
      writeFileSync(target, 'kept');
      await fetchWith(node({ download_file: target }), `${bin.url}/bytes/10`, [], HTTPClient.METHOD_HEAD);
      assert.equal(readFileSync(target, 'utf8'), 'kept');
    });

    test('a gzip body is decoded into the file', async () => {
      const target = join(dir, 'gz.json');
      const done = await fetchWith(node({ download_file: target }), `${bin.url}/gzip`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.equal(json<{ gzipped: boolean }>(readFileSync(target)).gzipped, true);
    });

    test('a large download with a small chunk size writes every byte', async () => {
      const target = join(dir, 'large.bin');
      const done = await fetchWith(
        node({ download_file: target, download_chunk_size: 4096 }),
        `${bin.url}/large/5000000`,
      );
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.deepEqual(readFileSync(target), largePatternBytes(5000000));
    });
  });

  describe(`HTTPRequest cancel and lifetime (${mode})`, () => {
    test('cancel_request while waiting for headers: no signal, the server sees the close, the node is reusable at once', async () => {
      const server = await raw(stall());
      const http = node();
      assert.equal(http.request(`${server.url}/`), 0);
      await sleep(100);
      http.cancel_request();
      assert.equal(http.get_http_client_status(), HTTPClient.STATUS_DISCONNECTED);
      const again = fetchWith(http, `${bin.url}/get`);
      assert.equal((await again).result, HTTPRequest.RESULT_SUCCESS);
      assert.ok(await staysSilent(http, 150));
    });

    test('cancel_request mid-download leaves the old file and no temporary file', async () => {
      const sub = mkdtempSync(join(dir, 'cancel-'));
      const target = join(sub, 'keep.txt');
      writeFileSync(target, 'original');
      const http = node({ download_file: target });
      assert.equal(http.request(`${bin.url}/drip?numbytes=50&duration=5`), 0);
      await sleep(300);
      http.cancel_request();
      assert.ok(await staysSilent(http, 300));
      assert.equal(readFileSync(target, 'utf8'), 'original');
      assert.deepEqual(strayFiles(sub, ['keep.txt']), []);
    });

    test('leaving the tree cancels the request without a signal', async () => {
      const server = await raw(stall());
      const http = node();
      assert.equal(http.request(`${server.url}/`), 0);
      await sleep(50);
      http.get_parent()?.remove_child(http);
      assert.equal(http.get_http_client_status(), HTTPClient.STATUS_DISCONNECTED);
      assert.ok(await staysSilent(http, 200));
    });
  });
}
