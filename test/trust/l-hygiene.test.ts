// Catalogue group L: resource hygiene — leaks, concurrency, cancellation (cases 90–95). Probes (H7): open
// descriptors (/proc/self/fd, both ends of every loopback connection live in this process), active handles
// (process.getActiveResourcesInfo) and the heap after a forced GC; each measured against a baseline taken
// after a warm-up, and given a settle period before it must be back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  HTTPClient,
  HTTPRequest,
  Result,
  SceneTree,
  add_trusted_ca,
  close_idle_connections,
} from '../../src/index.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import {
  malformedStatusLine,
  reply,
  resetAfter,
  responseBytes,
  stall,
  startRawServer,
  type RawHandler,
  type RawServer,
  type RawServerOptions,
} from '../servers/raw-server.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';
import { get, routed, runCases, targetOf, text, withRaw, type TrustCase } from './harness.js';
import { withBlackhole } from '../servers/blackhole.js';

const tree = new SceneTree();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds, polling every 5 ms; false if `ms` passed first. */
async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(5);
  }
  return true;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const handles = (): string[] => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');

function getGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The H7 baseline: descriptors, handles and heap, taken after a GC. */
interface Baseline {
  readonly fds: number;
  readonly handles: number;
  readonly heap: number;
}

function baseline(): Baseline {
  close_idle_connections();
  getGc()();
  return { fds: openFds(), handles: handles().length, heap: process.memoryUsage().heapUsed };
}

/** Asserts every probe is back to `base` within `settleMs` (after closing idle keep-alive connections). */
async function assertBackTo(
  base: Baseline,
  settleMs: number,
  heapSlack: number,
  what: string,
): Promise<void> {
  close_idle_connections();
  await until(() => openFds() <= base.fds && handles().length <= base.handles, settleMs);
  getGc()();
  const heapGrowth = process.memoryUsage().heapUsed - base.heap;
  assert.ok(openFds() <= base.fds, `${what}: ${openFds()} fds open, baseline ${base.fds}`);
  assert.ok(
    handles().length <= base.handles,
    `${what}: handles ${handles().join()} (baseline ${base.handles})`,
  );
  assert.ok(heapGrowth < heapSlack, `${what}: heap grew by ${heapGrowth} bytes`);
}

/** A node in the tree that records every `request_completed` it emits. */
interface Probe {
  readonly http: HTTPRequest;
  readonly signals: number[];
}

function probe(use_threads: boolean, setup: (http: HTTPRequest) => void = () => undefined): Probe {
  const http = new HTTPRequest();
  tree.root.add_child(http);
  http.use_threads = use_threads;
  http.timeout = 10;
  setup(http);
  const signals: number[] = [];
  http.request_completed.connect((result) => void signals.push(result));
  return { http, signals };
}

/** A loopback port with nothing listening on it. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Counts server-side connections opened and closed, for "the server saw the close" assertions. */
function closeCounter(handler: RawHandler): {
  handler: RawHandler;
  opened: () => number;
  closed: () => number;
} {
  let opened = 0;
  let closed = 0;
  return {
    handler: (socket, head, ctx) => {
      opened += 1;
      socket.once('close', () => (closed += 1));
      return handler(socket, head, ctx);
    },
    opened: () => opened,
    closed: () => closed,
  };
}

/** Streams a `size`-byte body (Content-Length framed) in 16 KiB pieces every 5 ms, the last byte 300 ms later. */
function slowBody(size: number): RawHandler {
  return (socket, _head, ctx) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
    let sent = 0;
    const tick = (): void => {
      if (ctx.closed) return;
      // The last byte is held back, so a cancel at any offset lands mid-body.
      const n = Math.min(16 * 1024, size - 1 - sent);
      socket.write(Buffer.alloc(n, 0x61));
      sent += n;
      if (sent < size - 1) ctx.setTimer(5, tick);
      else ctx.setTimer(300, () => void socket.write('z'));
    };
    tick();
  };
}

async function inDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gdhttp-trust-l-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP server that accepts and never reads (`pauseOnConnect`), so an upload stalls on backpressure. */
async function withDeafServer<T>(body: (port: number, sockets: Set<Socket>) => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    return await body((server.address() as AddressInfo).port, sockets);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function withHttpbin<T>(body: (bin: Httpbin) => Promise<T>): Promise<T> {
  const bin = await startHttpbin();
  try {
    return await body(bin);
  } finally {
    await bin.close();
  }
}

const cases: TrustCase[] = [
  {
    id: 'L90',
    title:
      '40 failures of each kind (refused, reset, malformed, TLS, timeout, size limit, cancel) leave no fd, handle or heap behind',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const refusedPort = await freePort();
      const servers: RawServer[] = [];
      try {
        const start = async (handler: RawHandler, options: RawServerOptions = {}): Promise<RawServer> => {
          const server = await startRawServer(handler, options);
          servers.push(server);
          return server;
        };
        const resetting = await start(resetAfter('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhel', 5));
        const malformed = await start(reply(malformedStatusLine()));
        const tls = await start(reply(responseBytes({ body: 'x' })), { tls: fx.selfSigned });
        const stalled = await start(stall());
        const big = await start(reply(responseBytes({ body: 'y'.repeat(100_000) })));
        const expect =
          (url: string, result: number, options: Parameters<typeof get>[2] = {}) =>
          async () =>
            assert.equal((await get(url, use_threads, options)).result, result, url);
        const kinds: (() => Promise<void>)[] = [
          expect(`http://127.0.0.1:${refusedPort}/`, Result.RESULT_CANT_CONNECT),
          expect(`${resetting.url}/`, Result.RESULT_CONNECTION_ERROR),
          expect(`${malformed.url}/`, Result.RESULT_CONNECTION_ERROR),
          expect(`https://localhost:${tls.port}/`, Result.RESULT_SSL_HANDSHAKE_ERROR),
          expect(`${stalled.url}/`, Result.RESULT_TIMEOUT, { timeout: 0.05 }),
          expect(`${big.url}/`, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED, { body_size_limit: 1000 }),
          async () => {
            const { http, signals } = probe(use_threads);
            assert.equal(http.request(`${stalled.url}/`), 0);
            await sleep(Math.floor(Math.random() * 15));
            http.cancel_request();
            http.queue_free();
            await sleep(5);
            assert.deepEqual(signals, []);
          },
        ];
        // Warm-up: worker pool, TLS context, lazy modules.
        for (const once of kinds) await once();
        await sleep(50);
        const base = baseline();
        for (const once of kinds) {
          for (let round = 0; round < 2; round += 1) await Promise.all(Array.from({ length: 20 }, once));
        }
        await assertBackTo(base, 3000, 8 * 1024 * 1024, 'after 280 failures');
      } finally {
        for (const server of servers) await server.close();
      }
    },
  },
  {
    id: 'L91',
    title: '300 concurrent 256 KiB downloads all succeed; afterwards descriptors, handles and heap are back',
    run: (use_threads) => {
      const size = 256 * 1024;
      // `Connection: close`, so nothing stays pooled (a worker's idle connections would otherwise only go after
      // the 4 s keep-alive timeout; L90 and L93 cover the pooled paths).
      const body = Buffer.alloc(size, 0x5a);
      body[size - 1] = 0x21;
      return withRaw(reply(responseBytes({ body, headers: [['Connection', 'close']] })), async (server) => {
        await get(`${server.url}/warm`, use_threads);
        const base = baseline();
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) => get(`${server.url}/${i}`, use_threads, { timeout: 30 })),
        );
        for (const r of results) {
          assert.equal(r.result, Result.RESULT_SUCCESS);
          assert.equal(r.body.byteLength, size);
          assert.equal(r.body[size - 1], 0x21);
        }
        assert.equal(server.connectionCount(), 301);
        results.length = 0;
        await assertBackTo(base, 3000, 16 * 1024 * 1024, 'after 300 concurrent');
      });
    },
  },
  {
    id: 'L92',
    title:
      'cancel at random byte offsets mid-body (memory and download_file): no signal, the server sees the close, no temp file',
    run: (use_threads) =>
      inDir(async (dir) => {
        const size = 256 * 1024;
        const counter = closeCounter(slowBody(size));
        await withRaw(counter.handler, async (server) => {
          const target = join(dir, 'save.bin');
          writeFileSync(target, 'original');
          const offsets = [0, 1, 16 * 1024, size / 2, size - 1];
          for (let i = 0; i < 7; i += 1) offsets.push(Math.floor(Math.random() * size));
          for (const [i, offset] of offsets.entries()) {
            const toFile = i % 2 === 1;
            const { http, signals } = probe(use_threads, (node) => {
              if (toFile) node.download_file = target;
            });
            const opened = counter.opened();
            assert.equal(http.request(`${server.url}/${i}`), 0);
            assert.ok(
              await until(() => http.get_downloaded_bytes() >= offset && counter.opened() > opened, 5000),
              `offset ${offset} reached`,
            );
            http.cancel_request();
            assert.equal(http.get_http_client_status(), HTTPClient.STATUS_DISCONNECTED);
            const closedBefore = counter.closed();
            assert.ok(
              await until(
                () => counter.closed() > closedBefore || counter.closed() === counter.opened(),
                1000,
              ),
              `server saw the close after cancel at ${offset}`,
            );
            // The node takes a new request at once; cancel that too.
            assert.equal(http.request(`${server.url}/again`), 0);
            http.cancel_request();
            await sleep(20);
            http.queue_free();
            assert.deepEqual(signals, [], 'no signal after cancel');
            assert.equal(readFileSync(target, 'utf8'), 'original');
            assert.deepEqual(readdirSync(dir), ['save.bin'], 'no temporary file left');
          }
          assert.ok(
            await until(() => counter.closed() === counter.opened(), 1000),
            'every connection closed',
          );
        });
      }),
  },
  {
    id: 'L93',
    title:
      'cancel in every phase (resolve, connect, TLS, proxy CONNECT, upload, headers, between hops, decompression, file write) leaves nothing behind',
    run: (use_threads) =>
      inDir(async (dir) => {
        const fx = await getTlsFixtures();
        add_trusted_ca(fx.ca);
        await withHttpbin((bin) =>
          withBlackhole((blackhole) =>
            withDeafServer((deaf, deafSockets) =>
              withRaw(stall(), (stalled) =>
                withRaw(
                  () => undefined,
                  (silentTls) =>
                    withRaw(
                      routed(() =>
                        responseBytes({
                          status: 302,
                          headers: [['Location', `${stalled.url}/second-hop`]],
                          body: '',
                        }),
                      ),
                      async (redirector) => {
                        const target = join(dir, 'save.bin');
                        writeFileSync(target, 'original');
                        const phases: [
                          string,
                          string,
                          (http: HTTPRequest) => void,
                          () => boolean,
                          number | undefined,
                        ][] = [
                          [
                            'resolve',
                            `http://localhost:${stalled.port}/`,
                            () => undefined,
                            () => true,
                            undefined,
                          ],
                          [
                            'connect',
                            `http://127.0.0.1:${blackhole}/`,
                            () => undefined,
                            () => true,
                            HTTPClient.STATUS_CONNECTING,
                          ],
                          [
                            'tls',
                            `https://localhost:${silentTls.port}/`,
                            () => undefined,
                            () => silentTls.connectionCount() > 0,
                            HTTPClient.STATUS_CONNECTING,
                          ],
                          [
                            'proxy CONNECT',
                            'https://localhost:9/',
                            (http) => http.set_https_proxy('127.0.0.1', stalled.port),
                            () => stalled.heads.some((h) => h.toString('latin1').startsWith('CONNECT')),
                            HTTPClient.STATUS_CONNECTING,
                          ],
                          [
                            'upload',
                            `http://127.0.0.1:${deaf}/upload`,
                            () => undefined,
                            () => deafSockets.size > 0,
                            HTTPClient.STATUS_REQUESTING,
                          ],
                          [
                            'headers',
                            `${stalled.url}/headers`,
                            () => undefined,
                            () => stalled.heads.some((h) => targetOf(h) === '/headers'),
                            HTTPClient.STATUS_REQUESTING,
                          ],
                          [
                            'between hops',
                            `${redirector.url}/first-hop`,
                            () => undefined,
                            () => stalled.heads.some((h) => targetOf(h) === '/second-hop'),
                            HTTPClient.STATUS_REQUESTING,
                          ],
                          [
                            'decompression',
                            `${bin.url}/gzip-bomb/1073741824`,
                            () => undefined,
                            () => false,
                            HTTPClient.STATUS_BODY,
                          ],
                          [
                            'file write',
                            `${bin.url}/large/1073741824`,
                            (http) => (http.download_file = target),
                            () => false,
                            HTTPClient.STATUS_BODY,
                          ],
                        ];
                        const run = async (
                          [name, url, setup, reached, status]: (typeof phases)[number],
                          measure: boolean,
                        ): Promise<void> => {
                          const { http, signals } = probe(use_threads, setup);
                          const upload = name === 'upload' ? new Uint8Array(8 * 1024 * 1024) : undefined;
                          const error =
                            upload === undefined
                              ? http.request(url)
                              : http.request_raw(url, [], true, HTTPClient.METHOD_POST, upload);
                          assert.equal(error, 0, name);
                          if (name !== 'resolve') {
                            const inBody = (): boolean => http.get_downloaded_bytes() > 16 * 1024;
                            assert.ok(
                              await until(
                                () =>
                                  (status === HTTPClient.STATUS_BODY ? inBody() : reached()) &&
                                  http.get_http_client_status() === status,
                                5000,
                              ),
                              `${name}: phase reached (status ${http.get_http_client_status()})`,
                            );
                          }
                          http.cancel_request();
                          await sleep(30);
                          http.queue_free();
                          if (measure) assert.deepEqual(signals, [], `${name}: no signal after cancel`);
                        };
                        // The deaf server never reads, so it cannot see a close until it drains what was sent.
                        const drainDeaf = async (): Promise<void> => {
                          for (const socket of deafSockets) socket.resume();
                          assert.ok(
                            await until(() => deafSockets.size === 0, 2000),
                            `${deafSockets.size} upload connection(s) still open`,
                          );
                        };
                        for (const phase of phases) await run(phase, false);
                        await drainDeaf();
                        await sleep(50);
                        const base = baseline();
                        for (const phase of phases) await run(phase, true);
                        await drainDeaf();
                        await assertBackTo(base, 3000, 16 * 1024 * 1024, 'after cancelling every phase');
                        assert.equal(readFileSync(target, 'utf8'), 'original');
                        assert.deepEqual(readdirSync(dir), ['save.bin'], 'no temporary file left');
                      },
                    ),
                  { immediate: true },
                ),
              ),
            ),
          ),
        );
      }),
  },
  {
    id: 'L94',
    title:
      'a connection that timed out, was cancelled or had ambiguous framing is never reused; a dead reused one is retried for GET only',
    run: async (use_threads) => {
      // Request 0 on the server misbehaves as `first`; every later request gets `ok <target>`.
      const misbehaving: [
        string,
        (index: number) => Buffer | null,
        Partial<Parameters<typeof get>[2]>,
        number,
        string,
      ][] = [
        ['timeout', () => null, { timeout: 0.2 }, Result.RESULT_TIMEOUT, ''],
        [
          'CL and chunked',
          () =>
            Buffer.from(
              'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
            ),
          {},
          Result.RESULT_CONNECTION_ERROR,
          '',
        ],
        [
          'extra bytes',
          () => Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n'),
          {},
          Result.RESULT_SUCCESS,
          'ok',
        ],
        [
          'cut short',
          () => Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'),
          { timeout: 0.3 },
          Result.RESULT_TIMEOUT,
          '',
        ],
      ];
      for (const [name, first, options, firstResult, firstBody] of misbehaving) {
        let index = 0;
        const handler: RawHandler = async (socket, head, ctx) => {
          let current: Buffer | null = head;
          while (current !== null && !ctx.closed) {
            const answer: Buffer | null =
              index === 0 ? first(index) : responseBytes({ body: `ok ${targetOf(current) ?? ''}` });
            index += 1;
            if (answer !== null) socket.write(answer);
            current = answer === null ? null : await ctx.nextRequest();
          }
        };
        await withRaw(handler, async (server) => {
          const r1 = await get(`${server.url}/one`, use_threads, options);
          assert.equal(r1.result, firstResult, name);
          assert.equal(text(r1.body), firstBody);
          const r2 = await get(`${server.url}/two`, use_threads);
          assert.equal(r2.result, Result.RESULT_SUCCESS, name);
          assert.equal(text(r2.body), 'ok /two', `${name}: the second response is its own`);
          assert.equal(server.connectionCount(), 2, `${name}: the second request used a new connection`);
        });
      }
      // Cancelled mid-body: the next request opens a new connection.
      await withRaw(
        routed((head, i) =>
          i === 0
            ? Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial')
            : responseBytes({ body: `ok ${targetOf(head) ?? ''}` }),
        ),
        async (server) => {
          const { http, signals } = probe(use_threads);
          assert.equal(http.request(`${server.url}/one`), 0);
          assert.ok(await until(() => http.get_downloaded_bytes() > 0, 3000));
          http.cancel_request();
          http.queue_free();
          const r2 = await get(`${server.url}/two`, use_threads);
          assert.equal(text(r2.body), 'ok /two');
          assert.equal(server.connectionCount(), 2);
          assert.deepEqual(signals, []);
        },
      );
      // A kept-alive connection the server drops without answering: GET is retried on a new connection,
      // POST is not (RFC 9110 §9.2.2).
      for (const [method, expected, posts] of [
        [HTTPClient.METHOD_GET, Result.RESULT_SUCCESS, 0],
        [HTTPClient.METHOD_POST, Result.RESULT_NO_RESPONSE, 1],
      ] as const) {
        let served = 0;
        await withRaw(
          async (socket, head, ctx) => {
            if (ctx.connectionId === 1) {
              socket.write(responseBytes({ body: 'first' }));
              served += 1;
              await ctx.nextRequest();
              socket.end();
              return;
            }
            let current: Buffer | null = head;
            while (current !== null && !ctx.closed) {
              socket.write(responseBytes({ body: `fresh ${targetOf(current) ?? ''}` }));
              current = await ctx.nextRequest();
            }
          },
          async (server) => {
            assert.equal((await get(`${server.url}/warm`, use_threads)).result, Result.RESULT_SUCCESS);
            const r = await get(`${server.url}/again`, use_threads, {
              method,
              body: method === 2 ? 'data' : '',
            });
            assert.equal(r.result, expected, `method ${method}`);
            const postsSeen = server.heads.filter((h) => h.toString('latin1').startsWith('POST')).length;
            assert.equal(postsSeen, posts, 'a POST is never sent twice');
            if (expected === Result.RESULT_SUCCESS) assert.equal(text(r.body), 'fresh /again');
            assert.equal(served, 1);
          },
        );
      }
    },
  },
  {
    id: 'L95',
    title:
      'event-loop friendly: the process exits by itself after requests, and a gzip bomb stopped at 32 MiB keeps loop delay low',
    run: async (use_threads) => {
      await withRaw(
        reply(responseBytes({ body: 'bye', headers: [['Connection', 'keep-alive']] })),
        async (server) => {
          const script = [
            `import { HTTPRequest } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)};`,
            `const r = await HTTPRequest.fetch('${server.url}/', { use_threads: ${use_threads}, timeout: 5 });`,
            "process.stdout.write(String(r.result) + ' ' + Buffer.from(r.body).toString());",
          ].join('\n');
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          const started = Date.now();
          const code = await new Promise<number | null>((resolve) => {
            const timer = setTimeout(() => {
              child.kill();
              resolve(null);
            }, 15_000);
            child.once('exit', (c) => {
              clearTimeout(timer);
              resolve(c);
            });
          });
          assert.equal(code, 0, `the child did not exit by itself within 15 s (${Date.now() - started} ms)`);
          assert.equal(out, '0 bye');
        },
      );
      await withHttpbin(async (bin) => {
        const delay = monitorEventLoopDelay({ resolution: 10 });
        delay.enable();
        const r = await get(`${bin.url}/gzip-bomb/${128 * 1024 * 1024}`, use_threads, {
          body_size_limit: 32 * 1024 * 1024,
          timeout: 30,
        });
        delay.disable();
        assert.equal(r.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
        const maxMs = delay.max / 1e6;
        assert.ok(maxMs < 300, `event loop blocked for ${maxMs.toFixed(0)} ms while decoding`);
      });
    },
  },
];

runCases('L resource hygiene', cases);
