/**
 * Proves the loopback test servers work, using Node's own http/https/net/tls as the client.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync, inflateSync, createGunzip } from 'node:zlib';
import { startHttpbin, type Httpbin } from './httpbin.js';
import { PNG_HEIGHT, PNG_WIDTH, crc32, largePatternBytes, rangeBytes, seededBytes } from './payloads.js';
import {
  badChunkSize,
  chunkedResponse,
  closeWithoutReply,
  contentLengthAndChunked,
  contentLengthCutShort,
  drip,
  hugeHeaderBlock,
  malformedStatusLine,
  neverFinishHeaders,
  reply,
  replyAndKeep,
  replySequence,
  resetAfter,
  responseBytes,
  stall,
  startRawServer,
  truncatedChunked,
  type RawServer,
} from './raw-server.js';
import { startConnectProxy } from './connect-proxy.js';
import { getTlsFixtures, type TlsFixtures } from './tls-fixtures.js';

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with node:http(s); collects the whole (undecoded) body. */
function request(url: string, options: https.RequestOptions & { body?: string | Buffer } = {}): Promise<Got> {
  const { body, ...rest } = options;
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { agent: false, ...rest }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
    req.end(body);
  });
}

function json(got: Got): Record<string, unknown> {
  return JSON.parse(got.body.toString('utf8')) as Record<string, unknown>;
}

interface RawResult {
  data: Buffer;
  error: NodeJS.ErrnoException | undefined;
  ended: boolean;
}

/** Sends `payload` over a plain TCP socket and collects bytes until EOF/error or `waitMs` elapses. */
async function rawExchange(port: number, payload: string, waitMs = 2000): Promise<RawResult> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  let ended = false;
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'connect');
  socket.write(payload);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    socket.once('end', () => {
      ended = true;
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  socket.destroy();
  return { data: Buffer.concat(chunks), error, ended };
}

const GET = (path = '/') => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

void describe('httpbin', () => {
  let bin: Httpbin;
  before(async () => {
    bin = await startHttpbin();
  });
  after(() => bin.close());

  void test('/get echoes args, Title-Case headers, url and origin; raw headers are recorded as sent', async () => {
    const got = await request(`${bin.url}/get?a=1&b=2&b=3`, {
      headers: { 'x-CUSTOM-thing': 'v', 'User-Agent': 'ua/1' },
    });
    assert.equal(got.status, 200);
    assert.match(got.headers['content-type'] ?? '', /application\/json/);
    const body = json(got);
    assert.deepEqual(body['args'], { a: '1', b: ['2', '3'] });
    const headers = body['headers'] as Record<string, string>;
    assert.equal(headers['X-Custom-Thing'], 'v');
    assert.equal(headers['User-Agent'], 'ua/1');
    assert.equal(body['method'], 'GET');
    assert.equal(body['url'], `${bin.url}/get?a=1&b=2&b=3`);
    assert.equal(body['origin'], '127.0.0.1');
    const rec = bin.requests.at(-1);
    assert.ok(rec);
    assert.equal(rec.url, '/get?a=1&b=2&b=3');
    assert.deepEqual(
      rec.rawHeaders.find(([n]) => n.toLowerCase() === 'x-custom-thing'),
      ['x-CUSTOM-thing', 'v'],
    );
  });

  void test('/post echoes body as data and json; wrong method is 405; unknown path is 404', async () => {
    const got = await request(`${bin.url}/post`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"x":[1,2]}',
    });
    const body = json(got);
    assert.equal(body['data'], '{"x":[1,2]}');
    assert.deepEqual(body['json'], { x: [1, 2] });
    assert.equal(bin.requests.at(-1)?.body.toString(), '{"x":[1,2]}');
    assert.equal((await request(`${bin.url}/post`)).status, 405);
    assert.equal((await request(`${bin.url}/nope`)).status, 404);
    const any = json(await request(`${bin.url}/anything/x/y`, { method: 'PATCH', body: 'a=b' }));
    assert.equal(any['method'], 'PATCH');
    assert.equal(any['data'], 'a=b');
    for (const m of ['PUT', 'PATCH', 'DELETE']) {
      assert.equal((await request(`${bin.url}/${m.toLowerCase()}`, { method: m })).status, 200);
    }
  });

  void test('/headers, /user-agent, /status/N, /response-headers, /cookies/set, /basic-auth', async () => {
    assert.equal(
      (
        json(await request(`${bin.url}/headers`, { headers: { 'X-A': 'b' } }))['headers'] as Record<
          string,
          string
        >
      )['X-A'],
      'b',
    );
    assert.equal(
      json(await request(`${bin.url}/user-agent`, { headers: { 'User-Agent': 'gd' } }))['user-agent'],
      'gd',
    );
    assert.equal((await request(`${bin.url}/status/418`)).status, 418);
    const noContent = await request(`${bin.url}/status/204`);
    assert.equal(noContent.status, 204);
    assert.equal(noContent.body.length, 0);
    const rh = await request(`${bin.url}/response-headers?X-Thing=1&X-Thing=2&Y=z`);
    assert.equal(rh.headers['x-thing'], '1, 2');
    assert.equal(rh.headers['y'], 'z');
    const ck = await request(`${bin.url}/cookies/set?k=v&k2=v2`);
    assert.equal(ck.status, 302);
    assert.deepEqual(ck.headers['set-cookie'], ['k=v; Path=/', 'k2=v2; Path=/']);
    assert.deepEqual(
      json(await request(`${bin.url}/cookies`, { headers: { Cookie: 'a=1; b=2' } }))['cookies'],
      {
        a: '1',
        b: '2',
      },
    );
    assert.equal((await request(`${bin.url}/basic-auth/u/p`)).status, 401);
    assert.equal((await request(`${bin.url}/basic-auth/u/p`, { auth: 'u:wrong' })).status, 401);
    const ok = await request(`${bin.url}/basic-auth/u/p`, { auth: 'u:p' });
    assert.equal(ok.status, 200);
    assert.deepEqual(json(ok), { authenticated: true, user: 'u' });
  });

  void test('redirect endpoints', async () => {
    assert.equal((await request(`${bin.url}/redirect/3`)).headers.location, '/redirect/2');
    assert.equal((await request(`${bin.url}/redirect/1`)).headers.location, '/get');
    assert.equal((await request(`${bin.url}/relative-redirect/2`)).headers.location, '/relative-redirect/1');
    assert.equal(
      (await request(`${bin.url}/absolute-redirect/2`)).headers.location,
      `${bin.url}/absolute-redirect/1`,
    );
    assert.equal((await request(`${bin.url}/absolute-redirect/1`)).headers.location, `${bin.url}/get`);
    const to = await request(
      `${bin.url}/redirect-to?url=${encodeURIComponent('http://a.invalid/x')}&status_code=307`,
    );
    assert.equal(to.status, 307);
    assert.equal(to.headers.location, 'http://a.invalid/x');
    assert.equal((await request(`${bin.url}/redirect-to?url=/get`)).status, 302);
  });

  void test('/bytes and /stream-bytes are seeded, /stream-bytes is really chunked', async () => {
    const a = await request(`${bin.url}/bytes/1000?seed=7`);
    assert.equal(a.headers['content-length'], '1000');
    assert.deepEqual(a.body, seededBytes(1000, 7));
    assert.notDeepEqual(seededBytes(1000, 8), seededBytes(1000, 7));
    assert.deepEqual(seededBytes(3, 7), seededBytes(1000, 7).subarray(0, 3));
    const s = await request(`${bin.url}/stream-bytes/5000?seed=7&chunk_size=1000`);
    assert.equal(s.headers['transfer-encoding'], 'chunked');
    assert.equal(s.headers['content-length'], undefined);
    assert.deepEqual(s.body, seededBytes(5000, 7));
    const raw = await rawExchange(
      bin.port,
      'GET /stream-bytes/3000?chunk_size=1000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const text = raw.data.toString('latin1');
    assert.ok(text.endsWith('\r\n0\r\n\r\n'));
    assert.equal((text.match(/(^|\r\n)3e8\r\n/g) ?? []).length, 3);
  });

  void test('/range/N honours Range', async () => {
    const full = await request(`${bin.url}/range/100`);
    assert.deepEqual(full.body, rangeBytes(100));
    assert.equal(full.headers['accept-ranges'], 'bytes');
    const part = await request(`${bin.url}/range/100`, { headers: { Range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], 'bytes 10-19/100');
    assert.equal(part.body.toString(), 'klmnopqrst');
    assert.equal(
      (await request(`${bin.url}/range/100`, { headers: { Range: 'bytes=-5' } })).body.toString(),
      'rstuv',
    );
    assert.equal((await request(`${bin.url}/range/100`, { headers: { Range: 'bytes=200-' } })).status, 416);
  });

  void test('/gzip, /deflate, /brotli decode to JSON', async () => {
    const g = await request(`${bin.url}/gzip`);
    assert.equal(g.headers['content-encoding'], 'gzip');
    assert.equal((JSON.parse(gunzipSync(g.body).toString()) as Record<string, unknown>)['gzipped'], true);
    const d = await request(`${bin.url}/deflate`);
    assert.equal(d.headers['content-encoding'], 'deflate');
    assert.equal((JSON.parse(inflateSync(d.body).toString()) as Record<string, unknown>)['deflated'], true);
    const b = await request(`${bin.url}/brotli`);
    assert.equal(b.headers['content-encoding'], 'br');
    assert.equal(
      (JSON.parse(brotliDecompressSync(b.body).toString()) as Record<string, unknown>)['brotli'],
      true,
    );
  });

  void test('/image/png is a valid PNG of the exported size', async () => {
    const png = await request(`${bin.url}/image/png`);
    assert.equal(png.headers['content-type'], 'image/png');
    const buf = png.body;
    assert.deepEqual(buf.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    let offset = 8;
    const types: string[] = [];
    const idat: Buffer[] = [];
    for (let i = 0; i < 16 && offset < buf.length; i++) {
      const len = buf.readUInt32BE(offset);
      const type = buf.toString('latin1', offset + 4, offset + 8);
      const data = buf.subarray(offset + 8, offset + 8 + len);
      assert.equal(
        buf.readUInt32BE(offset + 8 + len),
        crc32(buf.subarray(offset + 4, offset + 8 + len)),
        type,
      );
      types.push(type);
      if (type === 'IHDR') {
        assert.equal(data.readUInt32BE(0), PNG_WIDTH);
        assert.equal(data.readUInt32BE(4), PNG_HEIGHT);
      }
      if (type === 'IDAT') idat.push(data);
      offset += 12 + len;
    }
    assert.deepEqual(types, ['IHDR', 'IDAT', 'IEND']);
    assert.equal(inflateSync(Buffer.concat(idat)).length, PNG_HEIGHT * (1 + PNG_WIDTH * 3));
    assert.equal(PNG_WIDTH, 64);
    assert.equal(PNG_HEIGHT, 48);
  });

  void test('/delay and /drip take their time', async () => {
    let t0 = Date.now();
    const d = await request(`${bin.url}/delay/0.2`);
    assert.equal(d.status, 200);
    assert.ok(Date.now() - t0 >= 190);
    t0 = Date.now();
    const dr = await request(`${bin.url}/drip?numbytes=5&duration=0.25&code=201`);
    assert.equal(dr.status, 201);
    assert.equal(dr.body.toString(), '*****');
    assert.equal(dr.headers['content-length'], '5');
    assert.ok(Date.now() - t0 >= 180);
  });

  void test('/large (Content-Length) and /chunked stream the pattern', async () => {
    const n = 3 * 1024 * 1024 + 17;
    const large = await request(`${bin.url}/large/${n}`);
    assert.equal(large.headers['content-length'], String(n));
    assert.deepEqual(large.body, largePatternBytes(n));
    const chunked = await request(`${bin.url}/chunked/${n}`);
    assert.equal(chunked.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(chunked.body, largePatternBytes(n));
  });

  void test('/large/1GiB is streamed with backpressure: a client can read a little and abort', async () => {
    const rssBefore = process.memoryUsage().rss;
    const read = await new Promise<number>((resolve, reject) => {
      const req = http.get(`${bin.url}/large/${1024 ** 3}`, { agent: false }, (res) => {
        let got = 0;
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (got >= 8 * 1024 * 1024) {
            req.destroy();
            resolve(got);
          }
        });
      });
      req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
    });
    assert.ok(read >= 8 * 1024 * 1024);
    assert.ok(process.memoryUsage().rss - rssBefore < 200 * 1024 * 1024);
  });

  void test('/gzip-bomb/N decodes to N zero bytes and is much smaller on the wire', async () => {
    const n = 20 * 1024 * 1024;
    const got = await request(`${bin.url}/gzip-bomb/${n}`);
    assert.equal(got.headers['content-encoding'], 'gzip');
    assert.ok(got.body.length < n / 500, `compressed ${got.body.length}`);
    let total = 0;
    let nonZero = 0;
    const gunzip = createGunzip();
    gunzip.on('data', (c: Buffer) => {
      total += c.length;
      if (c.some((b) => b !== 0)) nonZero++;
    });
    gunzip.end(got.body);
    await once(gunzip, 'end');
    assert.equal(total, n);
    assert.equal(nonZero, 0);
  });

  void test('keep-alive: sequential requests reuse one connection and are counted', async () => {
    const local = await startHttpbin();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) await request(`${local.url}/get`, { agent });
      assert.equal(local.connectionCount(), 1);
      assert.deepEqual(
        local.requests.map((r) => r.connectionId),
        [1, 1, 1],
      );
      await request(`${local.url}/get`, { agent: false });
      assert.equal(local.connectionCount(), 2);
      // close() with the agent's keep-alive socket still open must not hang.
      const t0 = Date.now();
      await local.close();
      assert.ok(Date.now() - t0 < 1000);
    } finally {
      agent.destroy();
      await local.close();
    }
  });

  void test('close() does not hang on pending /delay and /drip responses', async () => {
    const local = await startHttpbin();
    const pending = [
      request(`${local.url}/delay/30`).catch(() => undefined),
      request(`${local.url}/drip?numbytes=100&duration=30`).catch(() => undefined),
    ];
    for (let i = 0; i < 100 && local.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await local.close();
    await Promise.all(pending);
    assert.ok(Date.now() - t0 < 1000);
  });

  void test('HTTPS with the valid fixture, and IPv6 loopback when available', async () => {
    const fx = await getTlsFixtures();
    const secure = await startHttpbin({ tls: fx.valid });
    try {
      assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const got = await request(`${secure.url}/get`, { ca: fx.ca });
      assert.equal(got.status, 200);
      assert.equal(json(got)['url'], `${secure.url}/get`);
      const byName = await request(`https://localhost:${secure.port}/get`, { ca: fx.ca });
      assert.equal(byName.status, 200);
    } finally {
      await secure.close();
    }
    let v6: Httpbin | undefined;
    try {
      v6 = await startHttpbin({ host: '::1' });
    } catch {
      return; // no IPv6 loopback here
    }
    try {
      assert.match(v6.url, /^http:\/\/\[::1\]:\d+$/);
      assert.equal((await request(`${v6.url}/get`)).status, 200);
    } finally {
      await v6.close();
    }
  });
});

void describe('raw fault server', () => {
  const started: RawServer[] = [];
  const start = async (...args: Parameters<typeof startRawServer>): Promise<RawServer> => {
    const s = await startRawServer(...args);
    started.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(started.map((s) => s.close()));
  });

  void test('reply() writes exact bytes then FIN, and records what was received', async () => {
    const bytes = malformedStatusLine();
    const srv = await start(reply(bytes));
    const res = await rawExchange(srv.port, GET('/x'));
    assert.deepEqual(res.data, bytes);
    assert.equal(res.ended, true);
    assert.equal(srv.connectionCount(), 1);
    assert.equal(srv.received[0]?.toString('latin1'), GET('/x'));
    assert.equal(srv.heads[0]?.toString('latin1'), GET('/x'));
  });

  void test('replyAndKeep() answers several requests on one connection', async () => {
    const resp = responseBytes({ body: 'hi' });
    const srv = await start(replyAndKeep(resp));
    const socket = net.connect(srv.port, '127.0.0.1');
    try {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.write('POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
      for (let i = 0; i < 100 && Buffer.concat(chunks).length < resp.length; i++)
        await new Promise((r) => setTimeout(r, 10));
      socket.write(GET('/b'));
      for (let i = 0; i < 100 && Buffer.concat(chunks).length < 2 * resp.length; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(Buffer.concat(chunks), Buffer.concat([resp, resp]));
      assert.equal(srv.connectionCount(), 1);
      assert.deepEqual(
        srv.heads.map((h) => h.toString('latin1').split(' ')[1]),
        ['/a', '/b'],
      );
    } finally {
      socket.destroy();
    }
  });

  void test('replySequence() counts requests across connections; node:http sees the responses', async () => {
    const srv = await start(
      replySequence([responseBytes({ body: 'one' }), chunkedResponse(['tw', 'o'])], { close: true }),
    );
    assert.equal((await request(`${srv.url}/`)).body.toString(), 'one');
    const second = await request(`${srv.url}/`);
    assert.equal(second.body.toString(), 'two');
    assert.equal(second.headers['transfer-encoding'], 'chunked');
    assert.equal((await request(`${srv.url}/`)).body.toString(), 'two');
    assert.equal(srv.connectionCount(), 3);
  });

  void test('closeWithoutReply(), resetAfter(), stall(), neverFinishHeaders(), drip()', async () => {
    const empty = await start(closeWithoutReply());
    const e = await rawExchange(empty.port, GET());
    assert.equal(e.data.length, 0);
    assert.equal(e.ended, true);

    const partial = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel';
    const rst = await start(resetAfter(partial));
    const r = await rawExchange(rst.port, GET());
    assert.equal(r.data.toString('latin1'), partial);
    assert.equal(r.error?.code, 'ECONNRESET');

    const stalled = await start(stall('HTTP/1.1 200'));
    const s = await rawExchange(stalled.port, GET(), 200);
    assert.equal(s.data.toString('latin1'), 'HTTP/1.1 200');
    assert.equal(s.ended, false);

    const nf = await start(neverFinishHeaders(undefined, { intervalMs: 20 }));
    const n = await rawExchange(nf.port, GET(), 200);
    const text = n.data.toString('latin1');
    assert.ok(text.startsWith('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Drip-1: 1\r\n'), text);
    assert.ok(!text.includes('\r\n\r\n'));
    assert.equal(n.ended, false);

    const dripped = await start(drip('abcd', 30));
    const t0 = Date.now();
    const d = await rawExchange(dripped.port, GET());
    assert.equal(d.data.toString(), 'abcd');
    assert.ok(Date.now() - t0 >= 80);
    assert.equal(d.ended, true);
  });

  void test('custom handler: readBody() and nextRequest() on a keep-alive connection', async () => {
    const bodies: string[] = [];
    const srv = await start(async (socket, head, ctx) => {
      let h: Buffer | null = head;
      for (let i = 0; i < 10 && h !== null; i++) {
        bodies.push((await ctx.readBody()).toString());
        socket.write(responseBytes({ body: String(ctx.connectionId) }));
        h = await ctx.nextRequest();
      }
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await request(`${srv.url}/p`, { agent, method: 'POST', body: 'hello' });
      const got = await request(`${srv.url}/g`, { agent });
      assert.equal(got.body.toString(), '1');
      assert.deepEqual(bodies, ['hello', '']);
      assert.equal(srv.connectionCount(), 1);
    } finally {
      agent.destroy();
    }
  });

  void test('response builders produce the documented bytes, and node:http rejects them', async () => {
    assert.equal(
      badChunkSize().toString(),
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    );
    assert.equal(
      truncatedChunked().toString(),
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
    );
    assert.equal(contentLengthCutShort().toString(), 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello');
    assert.equal(
      contentLengthAndChunked().toString(),
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    const huge = hugeHeaderBlock();
    assert.ok(huge.length >= 1024 * 1024);
    assert.ok(huge.toString('latin1').endsWith('\r\nContent-Length: 2\r\n\r\nok'));

    for (const bytes of [
      malformedStatusLine(),
      badChunkSize(),
      truncatedChunked(),
      contentLengthCutShort(),
      huge,
    ]) {
      const srv = await start(reply(bytes));
      await assert.rejects(request(`${srv.url}/`), bytes.subarray(0, 40).toString());
    }
  });

  void test('speaks TLS when given a key and certificate', async () => {
    const fx = await getTlsFixtures();
    const srv = await start(reply(responseBytes({ body: 'secret' })), { tls: fx.valid });
    assert.match(srv.url, /^https:/);
    const got = await request(`https://localhost:${srv.port}/`, { ca: fx.ca });
    assert.equal(got.body.toString(), 'secret');
    assert.match(srv.received[0]?.toString('latin1') ?? '', /^GET \/ HTTP\/1\.1\r\n/);
  });

  void test('close() destroys stalled connections without hanging', async () => {
    const srv = await startRawServer(stall());
    const socket = net.connect(srv.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(GET());
    for (let i = 0; i < 100 && srv.heads.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await srv.close();
    await once(socket, 'close');
    assert.ok(Date.now() - t0 < 1000);
  });
});

void describe('connect proxy', () => {
  let bin: Httpbin;
  let secureBin: Httpbin;
  let fx: TlsFixtures;
  before(async () => {
    fx = await getTlsFixtures();
    bin = await startHttpbin();
    secureBin = await startHttpbin({ tls: fx.valid });
  });
  after(async () => {
    await Promise.all([bin.close(), secureBin.close()]);
  });

  /** Sends a CONNECT and resolves with the response status and the socket. */
  function connect(
    proxyPort: number,
    target: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; socket: net.Socket; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: proxyPort,
        method: 'CONNECT',
        path: target,
        headers,
        agent: false,
      });
      req.on('connect', (res, socket) =>
        resolve({ status: res.statusCode ?? 0, socket, headers: res.headers }),
      );
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, socket: res.socket, headers: res.headers });
      });
      req.on('error', reject);
      req.end();
    });
  }

  void test('forwards absolute-form requests, strips Proxy-Authorization, enforces auth', async () => {
    const proxy = await startConnectProxy({ auth: { user: 'u', pass: 'p' } });
    try {
      const authHeader = `Basic ${Buffer.from('u:p').toString('base64')}`;
      const denied = await request(proxy.url, { path: `${bin.url}/get` });
      assert.equal(denied.status, 407);
      assert.match(String(denied.headers['proxy-authenticate']), /^Basic /);
      const got = await request(proxy.url, {
        path: `${bin.url}/get?q=1`,
        headers: { Host: `127.0.0.1:${bin.port}`, 'Proxy-Authorization': authHeader },
      });
      assert.equal(got.status, 200);
      assert.equal(json(got)['url'], `${bin.url}/get?q=1`);
      const seenByProxy = proxy.requests.at(-1);
      assert.equal(seenByProxy?.method, 'GET');
      assert.equal(seenByProxy?.target, `${bin.url}/get?q=1`);
      assert.equal(seenByProxy?.headers['proxy-authorization'], authHeader);
      const seenByOrigin = bin.requests.at(-1);
      assert.equal(seenByOrigin?.url, '/get?q=1');
      assert.ok(!seenByOrigin?.rawHeaders.some(([n]) => n.toLowerCase() === 'proxy-authorization'));
      assert.equal((await connect(proxy.port, `127.0.0.1:${secureBin.port}`)).status, 407);
    } finally {
      await proxy.close();
    }
  });

  void test('tunnels CONNECT to an HTTPS origin', async () => {
    const proxy = await startConnectProxy();
    try {
      const { status, socket } = await connect(proxy.port, `localhost:${secureBin.port}`);
      assert.equal(status, 200);
      const tlsSocket = tls.connect({ socket, servername: 'localhost', ca: fx.ca });
      await once(tlsSocket, 'secureConnect');
      tlsSocket.end('GET /get HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const chunks: Buffer[] = [];
      tlsSocket.on('data', (c: Buffer) => chunks.push(c));
      await once(tlsSocket, 'end');
      tlsSocket.destroy();
      assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 200 OK/);
      assert.equal(proxy.tunnelCount(), 1);
      assert.equal(proxy.requests[0]?.target, `localhost:${secureBin.port}`);
      assert.equal(proxy.requests[0]?.status, 200);
    } finally {
      await proxy.close();
    }
  });

  void test('refuses CONNECT as scripted, and non-loopback targets with 502', async () => {
    const forbidden = await startConnectProxy({ refuse: 403 });
    const picky = await startConnectProxy({ refuse: (t) => (t.startsWith('localhost:') ? 502 : undefined) });
    try {
      const r = await connect(forbidden.port, `127.0.0.1:${secureBin.port}`);
      assert.equal(r.status, 403);
      r.socket.destroy();
      const p = await connect(picky.port, `localhost:${secureBin.port}`);
      assert.equal(p.status, 502);
      p.socket.destroy();
      const ok = await connect(picky.port, `127.0.0.1:${secureBin.port}`);
      assert.equal(ok.status, 200);
      ok.socket.destroy();
      const far = await connect(picky.port, 'example.com:443');
      assert.equal(far.status, 502);
      far.socket.destroy();
    } finally {
      await Promise.all([forbidden.close(), picky.close()]);
    }
  });
});

void describe('TLS fixtures', () => {
  let fx: TlsFixtures;
  before(async () => {
    fx = await getTlsFixtures();
  });

  async function handshake(
    name: Exclude<keyof TlsFixtures, 'dir' | 'ca' | 'caFile' | 'untrustedCa'>,
    servername: string | undefined,
  ): Promise<string> {
    const server = tls.createServer({ key: fx[name].key, cert: fx[name].cert }, (s) => s.end('hi'));
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      return await new Promise<string>((resolve) => {
        const c = tls.connect(
          { port, host: '127.0.0.1', ca: fx.ca, ...(servername ? { servername } : {}) },
          () => {
            resolve('OK');
            c.destroy();
          },
        );
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  void test('each certificate fails or succeeds as documented', async () => {
    assert.equal(await handshake('valid', 'localhost'), 'OK');
    assert.equal(await handshake('valid', undefined), 'OK'); // checked against IP:127.0.0.1
    assert.equal(await handshake('expired', 'localhost'), 'CERT_HAS_EXPIRED');
    assert.equal(await handshake('notYetValid', 'localhost'), 'CERT_NOT_YET_VALID');
    assert.equal(await handshake('wrongHost', 'localhost'), 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(await handshake('selfSigned', 'localhost'), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(await handshake('untrustedRoot', 'localhost'), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  void test('fixtures are cached per process and written to disk', async () => {
    assert.equal(await getTlsFixtures(), fx);
    assert.match(fx.ca, /BEGIN CERTIFICATE/);
    assert.match(fx.valid.key, /BEGIN PRIVATE KEY/);
    assert.ok(fx.caFile.startsWith(fx.dir));
    assert.notEqual(fx.untrustedCa, fx.ca);
  });
});
