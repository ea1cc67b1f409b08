/**
 * HTTPRequest as a node: return codes, busy rules, property setters, the Godot 3 and Godot 4 signal styles,
 * the promise helper, tree membership, connection reuse, many nodes at once, and frame-rate independence.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  ERR_BUSY,
  ERR_INVALID_PARAMETER,
  ERR_UNCONFIGURED,
  HTTPClient,
  HTTPRequest,
  Node,
  OK,
  RequestRefusedError,
  SceneTree,
  close_idle_connections,
  type PoolByteArray,
} from '../../../src/index.js';
import { startHttpbin, seededBytes, type Httpbin } from '../../servers/httpbin.js';
import { stall, startRawServer, type RawServer } from '../../servers/raw-server.js';
import { completion, fetchWith, makeNode, sleep, staysSilent } from './harness.js';

let bin: Httpbin;
let stalled: RawServer;
before(async () => {
  bin = await startHttpbin();
  stalled = await startRawServer(stall());
});
after(async () => {
  close_idle_connections();
  await Promise.all([bin.close(), stalled.close()]);
});

describe('request() return codes', () => {
  test('ERR_UNCONFIGURED outside the tree', () => {
    assert.equal(new HTTPRequest().request(`${bin.url}/get`), ERR_UNCONFIGURED);
  });

  test('ERR_BUSY while a request runs; OK again from inside the completion handler', async () => {
    const http = makeNode();
    assert.equal(http.request(`${bin.url}/get`), OK);
    assert.equal(http.request(`${bin.url}/get`), ERR_BUSY);
    const second = new Promise<number>((resolve) => {
      http.request_completed.connect(
        () => resolve(http.request(`${bin.url}/bytes/3`)),
        HTTPRequest.CONNECT_ONESHOT,
      );
    });
    assert.equal(await second, OK);
    const done = await completion(http);
    assert.equal(done.body.length, 3);
  });

  test('ERR_INVALID_PARAMETER for bad URLs, headers and methods, and nothing is sent', async () => {
    const http = makeNode();
    const before = bin.requests.length;
    const bad: [string, string[], number][] = [
      ['ftp://127.0.0.1/', [], 0],
      ['http://', [], 0],
      [`${bin.url.replace(/:\d+$/, ':0')}/`, [], 0],
      ['http://127.0.0.1:70000/', [], 0],
      ['127.0.0.1/get', [], 0],
      [`${bin.url}/get\r\nX: y`, [], 0],
      [`${bin.url}/get`, ['X-Bad: a\r\nInjected: b'], 0],
      [`${bin.url}/get`, ['NoColonHere'], 0],
      [`${bin.url}/get`, ['Bad Name: x'], 0],
      [`${bin.url}/get`, ['X-Nul: a\u0000b'], 0],
      [`${bin.url}/get`, [], HTTPClient.METHOD_MAX],
      [`${bin.url}/get`, [], -1],
    ];
    for (const [url, headers, method] of bad) {
      assert.equal(
        http.request(url, headers, true, method),
        ERR_INVALID_PARAMETER,
        JSON.stringify([url, headers, method]),
      );
    }
    assert.ok(await staysSilent(http, 100));
    assert.equal(bin.requests.length, before);
    // Not busy after a refused request.
    assert.equal((await fetchWith(http, `${bin.url}/get`)).result, HTTPRequest.RESULT_SUCCESS);
  });

  test('a bracketed IPv6 literal is accepted', async () => {
    const v6 = await startHttpbin({ host: '::1' });
    try {
      const done = await fetchWith(makeNode(), `http://[::1]:${v6.port}/get`);
      assert.deepEqual([done.result, done.response_code], [HTTPRequest.RESULT_SUCCESS, 200]);
      assert.equal(
        v6.requests.at(-1)?.rawHeaders.find(([n]) => n.toLowerCase() === 'host')?.[1],
        `[::1]:${v6.port}`,
      );
    } finally {
      close_idle_connections();
      await v6.close();
    }
  });
});

describe('properties', () => {
  test('defaults are Godot 3.6 ones (plus accept_gzip from Godot 4)', () => {
    const http = new HTTPRequest();
    assert.deepEqual(
      [
        http.body_size_limit,
        http.download_chunk_size,
        http.download_file,
        http.max_redirects,
        http.timeout,
        http.use_threads,
        http.accept_gzip,
      ],
      [-1, 65536, '', 8, 0, false, true],
    );
    assert.equal(http.get_body_size(), -1);
    assert.equal(http.get_downloaded_bytes(), 0);
    assert.equal(http.get_http_client_status(), HTTPClient.STATUS_DISCONNECTED);
  });

  test('download_file, download_chunk_size, use_threads and body_size_limit refuse changes while busy', () => {
    const http = makeNode();
    assert.equal(http.request(`${stalled.url}/`), OK);
    http.download_file = '/tmp/x';
    http.download_chunk_size = 4096;
    http.use_threads = true;
    http.body_size_limit = 10;
    assert.deepEqual(
      [http.download_file, http.download_chunk_size, http.use_threads, http.body_size_limit],
      ['', 65536, false, -1],
    );
    http.cancel_request();
    http.set_download_chunk_size(4096);
    assert.equal(http.get_download_chunk_size(), 4096);
  });

  test('download_chunk_size outside 256 – 16 MiB is refused', () => {
    const http = new HTTPRequest();
    http.download_chunk_size = 255;
    http.download_chunk_size = (1 << 24) + 1;
    assert.equal(http.download_chunk_size, 65536);
    http.download_chunk_size = 256;
    assert.equal(http.download_chunk_size, 256);
  });
});

describe('signals', () => {
  test('Godot 3 connect(signal, target, method, binds) receives the four arguments and the binds', async () => {
    class Receiver extends Node {
      got: unknown[] = [];
      _http_request_completed(
        result: number,
        code: number,
        headers: string[],
        body: PoolByteArray,
        extra: string,
      ): void {
        this.got = [result, code, headers.length > 0, body.get_string_from_utf8(), extra];
      }
    }
    const tree = new SceneTree();
    const receiver = new Receiver();
    tree.root.add_child(receiver);
    const http = makeNode({}, tree);
    assert.equal(http.connect('request_completed', receiver, '_http_request_completed', ['bound']), OK);
    await fetchWith(http, `${bin.url}/range/5`);
    assert.deepEqual(receiver.got, [0, 200, true, 'abcde', 'bound']);
  });

  test('the signal is never emitted inside request(), and exactly once per request', async () => {
    const http = makeNode();
    let count = 0;
    http.request_completed.connect(() => count++);
    let inside = true;
    let emittedInside = false;
    http.request_completed.connect(() => {
      if (inside) emittedInside = true;
    });
    const done = completion(http);
    http.request('http://gdhttp-fail.invalid/');
    inside = false;
    await done;
    await sleep(50);
    assert.equal(emittedInside, false);
    assert.equal(count, 1);
  });
});

describe('HTTPRequest.fetch', () => {
  test('resolves with the signal arguments by name', async () => {
    const response = await HTTPRequest.fetch(`${bin.url}/post`, {
      method: HTTPClient.METHOD_POST,
      headers: ['Content-Type: application/json'],
      body: '{"name":"Godette"}',
    });
    assert.equal(response.result, HTTPRequest.RESULT_SUCCESS);
    assert.equal(response.response_code, 200);
    assert.equal(
      (JSON.parse(response.body.get_string_from_utf8()) as { json: { name: string } }).json.name,
      'Godette',
    );
  });

  test('rejects with RequestRefusedError for a bad URL', async () => {
    await assert.rejects(HTTPRequest.fetch('not a url'), (error: unknown) => {
      assert.ok(error instanceof RequestRefusedError);
      assert.equal(error.error, ERR_INVALID_PARAMETER);
      return true;
    });
  });
});

describe('lifetime and resources', () => {
  test('queue_free during a request: no signal, the connection is closed', async () => {
    const http = makeNode();
    const opened = stalled.connectionCount();
    assert.equal(http.request(`${stalled.url}/`), OK);
    await sleep(50);
    assert.equal(stalled.connectionCount(), opened + 1);
    http.queue_free();
    await sleep(100);
    assert.equal(http.get_http_client_status(), HTTPClient.STATUS_DISCONNECTED);
  });

  test('1,000 sequential requests from one node share a handful of connections', async () => {
    const before = bin.connectionCount();
    const http = makeNode();
    for (let i = 0; i < 1000; i++) {
      const done = await fetchWith(http, `${bin.url}/bytes/16?seed=${i % 7}`);
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
    }
    const opened = bin.connectionCount() - before;
    assert.ok(opened <= 3, `opened ${opened} connections`);
  });

  test('20 nodes × 20 requests share the pool: at most one connection per concurrent node', async () => {
    const before = bin.connectionCount();
    const tree = new SceneTree();
    const nodes = Array.from({ length: 20 }, () => makeNode({}, tree));
    await Promise.all(
      nodes.map(async (http) => {
        for (let i = 0; i < 20; i++) assert.equal((await fetchWith(http, `${bin.url}/bytes/8`)).result, 0);
      }),
    );
    const opened = bin.connectionCount() - before;
    assert.ok(opened <= 20, `opened ${opened} connections`);
  });

  test('200 nodes in parallel all succeed, and afterwards no socket, descriptor or timer is left', async () => {
    close_idle_connections();
    await sleep(50);
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const resources = (): number =>
      process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap').length;
    const baseFds = fds();
    const baseResources = resources();
    const tree = new SceneTree();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => fetchWith(makeNode({}, tree), `${bin.url}/bytes/1000?seed=${i}`)),
    );
    results.forEach((done, i) => {
      assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
      assert.deepEqual(Buffer.from(done.body), seededBytes(1000, i));
    });
    for (const child of tree.root.get_children()) child.free();
    close_idle_connections();
    const deadline = Date.now() + 3000;
    while ((fds() > baseFds || resources() > baseResources) && Date.now() < deadline) await sleep(20);
    assert.ok(fds() <= baseFds, `fds ${fds()} > ${baseFds}`);
    assert.ok(resources() <= baseResources, `resources ${process.getActiveResourcesInfo().join()}`);
  });
});

describe('frame rate', () => {
  test('a 64 MiB download completes in a few frames at 10 frames/s (Godot reads one chunk per frame: 1,024 frames)', async () => {
    class FrameCounter extends Node {
      frames = 0;
      override _process(): void {
        this.frames += 1;
      }
    }
    const tree = new SceneTree();
    tree.target_fps = 10;
    const counter = new FrameCounter();
    tree.root.add_child(counter);
    const http = makeNode({ download_file: '/dev/null' }, tree);
    const running = tree.run();
    const done = await fetchWith(http, `${bin.url}/large/67108864`);
    tree.quit(0);
    assert.equal(await running, 0);
    assert.equal(done.result, HTTPRequest.RESULT_SUCCESS);
    assert.equal(http.get_downloaded_bytes(), 67108864);
    assert.ok(counter.frames < 200, `took ${counter.frames} frames`);
  });
});
