// Catalogue group E: slow peers and which timeout catches them (cases 45–51). gdhttp has one deadline, the
// node's `timeout` (whole request, wall-clock, godot-behaviour.md §2): every stall must end in RESULT_TIMEOUT
// within it, never in SUCCESS, and never hang.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTPClient, HTTPRequest, Result, SceneTree, add_trusted_ca } from '../../src/index.js';
import type { PoolByteArray, PoolStringArray } from '../../src/index.js';
import { neverFinishHeaders, stall, type RawHandler } from '../servers/raw-server.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';
import { runCases, withRaw, type TrustCase } from './harness.js';
import { withBlackhole } from '../servers/blackhole.js';

type Completed = [result: number, response_code: number, headers: PoolStringArray, body: PoolByteArray];

/** The HTTPRequest under test, with what it reported while running. */
interface Observed {
  readonly result: number;
  readonly response_code: number;
  readonly headers: PoolStringArray;
  readonly elapsedMs: number;
  /** `get_http_client_status()` sampled half-way to the deadline. */
  readonly statusMidway: number;
  /** `get_downloaded_bytes()` sampled half-way to the deadline. */
  readonly downloadedMidway: number;
}

const tree = new SceneTree();
/** Seconds of every deadline below: short, so the group stays fast. */
const T = 0.5;

// The worker pool starts on the first threaded request and the deadline only starts once a worker runs the
// task, so the pool is started once up front: the mid-way status samples then see the request's real phase.
const warmWorkers = HTTPRequest.fetch('http://127.0.0.1:1/', { use_threads: true, timeout: 5 }).then(
  () => undefined,
);

/** Runs one request on a node of our own (so its status can be sampled) with `timeout` seconds. */
async function observe(
  url: string,
  use_threads: boolean,
  timeout: number,
  setup: (http: HTTPRequest) => void = () => undefined,
): Promise<Observed> {
  if (use_threads) await warmWorkers;
  const http = new HTTPRequest();
  tree.root.add_child(http);
  try {
    http.use_threads = use_threads;
    http.timeout = timeout;
    setup(http);
    const completed = http.request_completed.as_promise() as Promise<Completed>;
    const started = Date.now();
    assert.equal(http.request(url), 0);
    let statusMidway = -1;
    let downloadedMidway = -1;
    const sampler = setTimeout(
      () => {
        statusMidway = http.get_http_client_status();
        downloadedMidway = http.get_downloaded_bytes();
      },
      (timeout * 1000) / 2,
    );
    // A hang would otherwise only be caught by node:test's 180 s limit.
    let guard: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      guard = setTimeout(
        () => reject(new Error('no request_completed within timeout + 5 s')),
        timeout * 1000 + 5000,
      );
    });
    try {
      const [result, response_code, headers] = await Promise.race([completed, hang]);
      return {
        result,
        response_code,
        headers,
        elapsedMs: Date.now() - started,
        statusMidway,
        downloadedMidway,
      };
    } finally {
      clearTimeout(sampler);
      clearTimeout(guard);
    }
  } finally {
    http.cancel_request();
    http.queue_free();
  }
}

/**
 * RESULT_TIMEOUT, carrying no response, after about `timeout` seconds. The upper bound leaves room for the
 * worker pool's start-up on the first threaded request (the deadline starts when the worker runs the task).
 */
function assertTimedOut(o: Observed, timeout: number): void {
  assert.equal(o.result, Result.RESULT_TIMEOUT);
  assert.equal(o.response_code, 0);
  assert.deepEqual([...o.headers], []);
  assert.ok(o.elapsedMs >= timeout * 1000 - 50, `ended after ${o.elapsedMs} ms, before the deadline`);
  assert.ok(o.elapsedMs < timeout * 1000 + 2500, `ended after ${o.elapsedMs} ms, long past the deadline`);
}

async function inDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gdhttp-trust-e-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `head`, then one byte of body every `intervalMs`, forever (until closed). */
function bodyDrip(head: string, intervalMs: number): RawHandler {
  return (socket, _head, ctx) => {
    socket.write(head);
    const tick = (): void => {
      if (ctx.closed) return;
      socket.write('x');
      ctx.setTimer(intervalMs, tick);
    };
    ctx.setTimer(intervalMs, tick);
  };
}

/** Answers whatever arrives with `bytes` written in a loop every `intervalMs`, forever. */
function repeatForever(first: string, each: () => string, intervalMs: number): RawHandler {
  return (socket, _head, ctx) => {
    socket.write(first);
    const tick = (): void => {
      if (ctx.closed) return;
      socket.write(each());
      ctx.setTimer(intervalMs, tick);
    };
    tick();
  };
}

const cases: TrustCase[] = [
  {
    id: 'E45',
    title:
      'a connect that never completes (SYN dropped) is TIMEOUT while CONNECTING; refused is CANT_CONNECT',
    run: (use_threads) =>
      withBlackhole(async (port) => {
        const o = await observe(`http://127.0.0.1:${port}/`, use_threads, T);
        assertTimedOut(o, T);
        assert.equal(o.statusMidway, HTTPClient.STATUS_CONNECTING);
        // The distinct failure: nothing listening at all answers RST at once.
        const refused = await observe('http://127.0.0.1:1/', use_threads, 2);
        assert.equal(refused.result, Result.RESULT_CANT_CONNECT);
        assert.ok(refused.elapsedMs < 1000, `refused took ${refused.elapsedMs} ms`);
      }),
  },
  {
    id: 'E46',
    title: 'TCP accepted but the TLS handshake never progresses (silent, or half a ServerHello) is TIMEOUT',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const halfServerHello = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03]);
      const handlers = [
        (): undefined => undefined,
        (socket: Socket): void => void socket.write(halfServerHello),
      ];
      await Promise.all(
        handlers.map((handler) =>
          withRaw(
            handler,
            async (server) => {
              const o = await observe(`https://localhost:${server.port}/`, use_threads, T);
              assertTimedOut(o, T);
              assert.equal(o.statusMidway, HTTPClient.STATUS_CONNECTING);
              const wire = server.received[0] ?? Buffer.alloc(0);
              assert.equal(wire[0], 0x16, 'a TLS ClientHello reached the server');
              assert.ok(!wire.includes('HTTP/1.1'), 'no plaintext request was sent');
            },
            { immediate: true },
          ),
        ),
      );
    },
  },
  {
    id: 'E47',
    title: 'request sent, no response byte ever: TIMEOUT while REQUESTING',
    run: (use_threads) =>
      withRaw(stall(), async (server) => {
        const o = await observe(`${server.url}/wait`, use_threads, T);
        assertTimedOut(o, T);
        assert.equal(o.statusMidway, HTTPClient.STATUS_REQUESTING);
        assert.equal(server.heads.length, 1);
        assert.match(server.heads[0]?.toString('latin1') ?? '', /^GET \/wait HTTP\/1\.1\r\n/);
        assert.equal(server.connectionCount(), 1, 'no retry on another connection');
      }),
  },
  {
    id: 'E48',
    title: 'header drip (one header line every 50 ms, never the blank line) is TIMEOUT at the deadline',
    run: (use_threads) =>
      withRaw(neverFinishHeaders('HTTP/1.1 200 OK\r\nX-A: ', { intervalMs: 50 }), async (server) => {
        const o = await observe(`${server.url}/`, use_threads, T);
        assertTimedOut(o, T);
        assert.equal(server.connectionCount(), 1);
      }),
  },
  {
    id: 'E49',
    title:
      'body drip (1 byte / 100 ms of a 1 MB body) and a stalled body are TIMEOUT; a download leaves the old file intact',
    run: (use_threads) =>
      inDir(async (dir) => {
        const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n';
        const dripped = withRaw(bodyDrip(head, 100), async (server) => {
          const o = await observe(`${server.url}/`, use_threads, T);
          assertTimedOut(o, T);
          assert.equal(o.statusMidway, HTTPClient.STATUS_BODY);
          assert.ok(o.downloadedMidway > 0, 'body bytes were arriving');
        });
        const stalled = withRaw(stall(`${head}${'y'.repeat(40_000)}`), async (server) => {
          const target = join(dir, 'save.bin');
          writeFileSync(target, 'original');
          const o = await observe(`${server.url}/`, use_threads, T, (http) => {
            http.download_file = target;
          });
          assertTimedOut(o, T);
          assert.equal(readFileSync(target, 'utf8'), 'original');
          assert.deepEqual(readdirSync(dir), ['save.bin'], 'no temporary file left');
        });
        await Promise.all([dripped, stalled]);
      }),
  },
  {
    id: 'E50',
    title: 'a proxy that never answers CONNECT, or answers 200 then relays nothing, is TIMEOUT',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const established = (socket: Socket): void =>
        void socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
      const tunnels = [stall(), established].map((handler) =>
        withRaw(handler, async (proxy) => {
          const o = await observe('https://localhost:9/', use_threads, T, (http) => {
            http.set_https_proxy('127.0.0.1', proxy.port);
          });
          assertTimedOut(o, T);
          assert.equal(o.statusMidway, HTTPClient.STATUS_CONNECTING);
          assert.match(proxy.heads[0]?.toString('latin1') ?? '', /^CONNECT localhost:9 HTTP\/1\.1\r\n/);
        }),
      );
      // A plain-HTTP proxy that reads the request and never answers.
      const plain = withRaw(stall(), async (proxy) => {
        const o = await observe('http://localhost:9/p', use_threads, T, (http) => {
          http.set_http_proxy('127.0.0.1', proxy.port);
        });
        assertTimedOut(o, T);
        assert.match(proxy.heads[0]?.toString('latin1') ?? '', /^GET http:\/\/localhost:9\/p HTTP\/1\.1\r\n/);
      });
      await Promise.all([...tunnels, plain]);
    },
  },
  {
    id: 'E51',
    title:
      'endless 103s and endless 1-byte chunks with huge extensions end at the deadline; endless trailers hit the header cap',
    run: async (use_threads) => {
      const hint = 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n';
      const hints = withRaw(
        repeatForever(hint, () => hint, 5),
        async (server) => assertTimedOut(await observe(`${server.url}/`, use_threads, T), T),
      );
      const extensions = withRaw(
        repeatForever(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
          () => `1;${'e'.repeat(8000)}\r\nx\r\n`,
          2,
        ),
        async (server) => assertTimedOut(await observe(`${server.url}/`, use_threads, T), T),
      );
      let n = 0;
      const trailers = withRaw(
        repeatForever(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n',
          () => `X-Trailer-${(n += 1)}: ${'v'.repeat(100)}\r\n`,
          2,
        ),
        async (server) => {
          const o = await observe(`${server.url}/`, use_threads, 3);
          assert.equal(o.result, Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH);
          assert.equal(o.response_code, 200);
          assert.ok(o.elapsedMs < 3000, `took ${o.elapsedMs} ms`);
        },
      );
      await Promise.all([hints, extensions, trailers]);
    },
  },
];

runCases('E slow peers and timeouts', cases);
