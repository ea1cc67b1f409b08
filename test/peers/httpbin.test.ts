// The reference's examples against an independent implementation: Debian's python3-httpbin under gunicorn.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  HTTPClient,
  HTTPRequest,
  Result,
  close_worker_pool,
  query_string_from_dict,
} from '../../src/index.js';
import { THREAD_MODES, useHttpbin } from './peer-helper.js';

const started = await useHttpbin();
after(() => close_worker_pool());

function json(body: Uint8Array): Record<string, unknown> {
  return JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
}

for (const use_threads of THREAD_MODES) {
  describe(`httpbin peer (use_threads ${use_threads})`, { skip: started.skip }, () => {
    const base = (): string => started.peer?.url ?? '';

    test('GET /get with a query string echoes args and our headers', async () => {
      const query = query_string_from_dict({ name: 'gdhttp', n: 3 });
      const r = await HTTPRequest.fetch(`${base()}/get?${query}`, {
        use_threads,
        headers: ['X-Peer-Test: yes'],
        timeout: 10,
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 200);
      const echo = json(r.body);
      assert.deepEqual(echo['args'], { name: 'gdhttp', n: '3' });
      const headers = echo['headers'] as Record<string, string>;
      assert.equal(headers['X-Peer-Test'], 'yes');
      assert.match(headers['User-Agent'] ?? '', /^gdhttp\//);
    });

    test('POST /post with a JSON body (the reference example) is echoed as json', async () => {
      const data = JSON.stringify({ name: 'Godette' });
      const r = await HTTPRequest.fetch(`${base()}/post`, {
        use_threads,
        method: HTTPClient.METHOD_POST,
        headers: ['Content-Type: application/json'],
        body: data,
        timeout: 10,
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 200);
      assert.deepEqual(json(r.body)['json'], { name: 'Godette' });
    });

    test('POST form data from query_string_from_dict is parsed as a form', async () => {
      const r = await HTTPRequest.fetch(`${base()}/post`, {
        use_threads,
        method: HTTPClient.METHOD_POST,
        headers: ['Content-Type: application/x-www-form-urlencoded'],
        body: query_string_from_dict({ user: 'a b', pass: 'c&d' }),
        timeout: 10,
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.deepEqual(json(r.body)['form'], { user: 'a b', pass: 'c&d' });
    });

    test('a 3-hop redirect chain ends at /get', async () => {
      const r = await HTTPRequest.fetch(`${base()}/redirect/3`, { use_threads, timeout: 10 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 200);
      assert.match(String(json(r.body)['url']), /\/get$/);
    });

    test('max_redirects 1 stops a 3-hop chain with REDIRECT_LIMIT_REACHED and the 302', async () => {
      const r = await HTTPRequest.fetch(`${base()}/redirect/3`, {
        use_threads,
        max_redirects: 1,
        timeout: 10,
      });
      assert.equal(r.result, Result.RESULT_REDIRECT_LIMIT_REACHED);
      assert.equal(r.response_code, 302);
    });

    test('/gzip and /deflate are decoded', async () => {
      for (const path of ['gzip', 'deflate']) {
        const r = await HTTPRequest.fetch(`${base()}/${path}`, { use_threads, timeout: 10 });
        assert.equal(r.result, Result.RESULT_SUCCESS, path);
        assert.equal(json(r.body)[path === 'gzip' ? 'gzipped' : 'deflated'], true);
      }
    });

    test('accept_gzip false leaves /gzip encoded', async () => {
      const r = await HTTPRequest.fetch(`${base()}/gzip`, { use_threads, accept_gzip: false, timeout: 10 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.body[0], 0x1f);
      assert.equal(r.body[1], 0x8b);
    });

    test('/status/404 and /status/500 are SUCCESS with their code', async () => {
      for (const code of [404, 500]) {
        const r = await HTTPRequest.fetch(`${base()}/status/${code}`, { use_threads, timeout: 10 });
        assert.equal(r.result, Result.RESULT_SUCCESS);
        assert.equal(r.response_code, code);
      }
    });

    test('/basic-auth with user info in the URL authenticates', async () => {
      const url = base().replace('http://', 'http://godette:s3cret@');
      const r = await HTTPRequest.fetch(`${url}/basic-auth/godette/s3cret`, { use_threads, timeout: 10 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 200);
      assert.equal(json(r.body)['authenticated'], true);
    });

    test('/bytes/N returns exactly N bytes and body_size_limit below N fails', async () => {
      const ok = await HTTPRequest.fetch(`${base()}/bytes/5000`, { use_threads, timeout: 10 });
      assert.equal(ok.result, Result.RESULT_SUCCESS);
      assert.equal(ok.body.byteLength, 5000);
      const limited = await HTTPRequest.fetch(`${base()}/bytes/5000`, {
        use_threads,
        body_size_limit: 100,
        timeout: 10,
      });
      assert.equal(limited.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
    });

    test('/delay/3 with timeout 1 is RESULT_TIMEOUT', async () => {
      const started = Date.now();
      const r = await HTTPRequest.fetch(`${base()}/delay/3`, { use_threads, timeout: 1 });
      assert.equal(r.result, Result.RESULT_TIMEOUT);
      assert.ok(Date.now() - started < 2500);
    });

    test('HEAD /get has no body', async () => {
      const r = await HTTPRequest.fetch(`${base()}/get`, {
        use_threads,
        method: HTTPClient.METHOD_HEAD,
        timeout: 10,
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 200);
      assert.equal(r.body.byteLength, 0);
    });
  });
}
