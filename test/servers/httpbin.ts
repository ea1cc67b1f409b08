/**
 * An httpbin-like HTTP/HTTPS server on loopback, port 0, for tests.
 *
 * Endpoints follow https://httpbin.org where they exist there (see test/servers/README.md for the full list).
 * Every request is recorded in {@link Httpbin.requests} with its raw headers (received order and case) and body.
 * `close()` destroys keep-alive sockets and cancels pending timers, so it never hangs.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createGzip, gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import type { Writable } from 'node:stream';
import {
  LARGE_PATTERN_PERIOD,
  PNG_HEIGHT,
  PNG_WIDTH,
  SeededByteGenerator,
  largePatternBytes,
  pngImage,
  rangeBytes,
  seededBytes,
} from './payloads.js';

export { PNG_HEIGHT, PNG_WIDTH, SeededByteGenerator, largePatternBytes, pngImage, rangeBytes, seededBytes };

/** One request as the server received it. */
export interface RecordedRequest {
  /** Request method as sent (e.g. `GET`). */
  method: string;
  /** Request target as sent (origin-form `/path?q`, or absolute-form if the client sent that). */
  url: string;
  /** HTTP version from the request line, e.g. `1.1`. */
  httpVersion: string;
  /** Header lines as `[name, value]` pairs, in received order and with received case. */
  rawHeaders: [string, string][];
  /** Request body; empty until {@link RecordedRequest.complete} is true. */
  body: Buffer;
  /** True once the whole request body has been received. */
  complete: boolean;
  /** 1-based number of the connection the request arrived on (in order of first request per connection). */
  connectionId: number;
}

/** Options for {@link startHttpbin}. */
export interface HttpbinOptions {
  /** Serve HTTPS with this key and certificate (e.g. from `getTlsFixtures().valid`). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Loopback address to bind; default `127.0.0.1`. */
  host?: '127.0.0.1' | '::1';
}

/** A running httpbin-like server. */
export interface Httpbin {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123` (or `https://…`, `http://[::1]:…`). */
  url: string;
  /** Same as {@link Httpbin.url}: scheme, host and port. */
  origin: string;
  /** Listening port. */
  port: number;
  /** Bound address (`127.0.0.1` or `::1`). */
  host: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Number of TCP connections accepted so far. */
  connectionCount(): number;
  /** Stops listening, destroys every open socket and cancels timers. */
  close(): Promise<void>;
}

type Res = http.ServerResponse;
type Req = http.IncomingMessage;

interface Ctx {
  req: Req;
  res: Res;
  record: RecordedRequest;
  path: string;
  query: URLSearchParams;
  base: string;
  later(ms: number, fn: () => void): void;
}

const MAX_DELAY_SECONDS = 60;

/** `user-agent` → `User-Agent` (httpbin's header-name style). */
export function titleCaseHeader(name: string): string {
  return name
    .split('-')
    .map((w) => (w.length > 0 ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w))
    .join('-');
}

function headersObject(rawHeaders: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of rawHeaders) {
    const key = titleCaseHeader(name);
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

function argsObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    out[key] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return out;
}

function sendBody(
  res: Res,
  status: number,
  body: Buffer | string,
  headers: Record<string, string> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(buf.length) });
  res.end(buf);
}

function sendJson(res: Res, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBody(res, status, JSON.stringify(value, null, 2) + '\n', {
    'Content-Type': 'application/json',
    ...headers,
  });
}

function echo(ctx: Ctx): Record<string, unknown> {
  const { req, record, query } = ctx;
  const data = record.body.toString('utf8');
  let json: unknown = null;
  try {
    json = data.length > 0 ? JSON.parse(data) : null;
  } catch {
    json = null;
  }
  const contentType = req.headers['content-type'] ?? '';
  const form = contentType.startsWith('application/x-www-form-urlencoded')
    ? argsObject(new URLSearchParams(data))
    : {};
  return {
    args: argsObject(query),
    data,
    files: {},
    form,
    headers: headersObject(record.rawHeaders),
    json,
    method: req.method,
    origin: req.socket.remoteAddress ?? '',
    url: ctx.base + (req.url ?? '/'),
  };
}

/** Resolves on 'drain' or when the stream closes; returns false if the stream is gone. Leaves no listeners behind. */
function drained(stream: Writable): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve(!stream.destroyed);
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Writes `total` bytes produced by `chunk(offset, length)` with backpressure, then ends. */
async function streamBody(
  res: Res,
  total: number,
  chunkSize: number,
  chunk: (offset: number, length: number) => Buffer,
): Promise<void> {
  let sent = 0;
  while (sent < total) {
    if (res.destroyed) return;
    const length = Math.min(chunkSize, total - sent);
    const ok = res.write(chunk(sent, length));
    sent += length;
    if (!ok && !(await drained(res))) return;
  }
  res.end();
}

function intParam(value: string | null | undefined, fallback: number): number {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function floatParam(value: string | null | undefined, fallback: number): number {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

function methodNotAllowed(res: Res, allowed: string[]): void {
  sendBody(res, 405, 'Method Not Allowed\n', { Allow: allowed.join(', '), 'Content-Type': 'text/plain' });
}

function notFound(res: Res): void {
  sendBody(res, 404, 'Not Found\n', { 'Content-Type': 'text/plain' });
}

const LARGE_BLOCK = largePatternBytes(LARGE_PATTERN_PERIOD * 1024);
const ZERO_BLOCK = Buffer.alloc(64 * 1024);

function redirectChain(ctx: Ctx, kind: 'relative' | 'absolute', prefix: string, n: number): void {
  if (n < 1) return notFound(ctx.res);
  const target = n === 1 ? '/get' : `${prefix}/${n - 1}`;
  const location = kind === 'absolute' ? ctx.base + target : target;
  sendBody(ctx.res, 302, '', { Location: location });
}

function route(ctx: Ctx): void | Promise<void> {
  const { req, res, path, query } = ctx;
  const method = req.method ?? 'GET';
  const parts = path.split('/').filter((p) => p.length > 0);
  const [first, second, third] = parts;
  const num = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  const isHead = method === 'HEAD';

  switch (first) {
    case 'get':
      if (parts.length !== 1) return notFound(res);
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
      return sendJson(res, 200, echo(ctx));
    case 'post':
    case 'put':
    case 'patch':
    case 'delete': {
      if (parts.length !== 1) return notFound(res);
      const expected = first.toUpperCase();
      if (method !== expected) return methodNotAllowed(res, [expected]);
      return sendJson(res, 200, echo(ctx));
    }
    case 'anything':
      return sendJson(res, 200, echo(ctx));
    case 'headers':
      return sendJson(res, 200, { headers: headersObject(ctx.record.rawHeaders) });
    case 'user-agent':
      return sendJson(res, 200, { 'user-agent': req.headers['user-agent'] ?? null });
    case 'status': {
      const code = num(second);
      if (!(code >= 200 && code <= 999) || parts.length !== 2)
        return sendBody(res, 400, 'Invalid status code\n');
      const headers: Record<string, string> = {};
      if (code >= 300 && code < 400 && code !== 304) headers['Location'] = '/redirect/1';
      if (code === 401) headers['WWW-Authenticate'] = 'Basic realm="Fake Realm"';
      return sendBody(res, code, '', headers);
    }
    case 'redirect': {
      const absolute = query.get('absolute') === 'true';
      return redirectChain(ctx, absolute ? 'absolute' : 'relative', '/redirect', num(second));
    }
    case 'relative-redirect':
      return redirectChain(ctx, 'relative', '/relative-redirect', num(second));
    case 'absolute-redirect':
      return redirectChain(ctx, 'absolute', '/absolute-redirect', num(second));
    case 'redirect-to': {
      const target = query.get('url');
      if (target === null) return sendBody(res, 400, 'missing url\n');
      const code = intParam(query.get('status_code'), 302);
      return sendBody(res, code >= 300 && code < 400 ? code : 302, '', { Location: target });
    }
    case 'bytes': {
      const n = num(second);
      if (Number.isNaN(n)) return notFound(res);
      const body = seededBytes(n, intParam(query.get('seed'), 0));
      return sendBody(res, 200, body, { 'Content-Type': 'application/octet-stream' });
    }
    case 'stream-bytes': {
      const n = num(second);
      if (Number.isNaN(n)) return notFound(res);
      const gen = new SeededByteGenerator(intParam(query.get('seed'), 0));
      const chunkSize = Math.max(1, intParam(query.get('chunk_size'), 10 * 1024));
      // No Content-Length: Node frames the body as chunked for HTTP/1.1 clients (close-delimited for 1.0).
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      if (isHead) return void res.end();
      return streamBody(res, n, chunkSize, (_offset, length) => gen.next(length));
    }
    case 'range':
      return rangeEndpoint(ctx, num(second));
    case 'gzip':
    case 'deflate':
    case 'brotli': {
      const flag = first === 'gzip' ? 'gzipped' : first === 'deflate' ? 'deflated' : 'brotli';
      const payload = Buffer.from(JSON.stringify({ ...echo(ctx), [flag]: true }, null, 2));
      const [encoding, body] =
        first === 'gzip'
          ? ['gzip', gzipSync(payload)]
          : first === 'deflate'
            ? ['deflate', deflateSync(payload)]
            : ['br', brotliCompressSync(payload)];
      return sendBody(res, 200, body, { 'Content-Type': 'application/json', 'Content-Encoding': encoding });
    }
    case 'image':
      if (second !== 'png' || parts.length !== 2) return notFound(res);
      return sendBody(res, 200, pngImage(), { 'Content-Type': 'image/png' });
    case 'delay': {
      const seconds = Math.min(Math.max(floatParam(second, 0), 0), MAX_DELAY_SECONDS);
      ctx.later(seconds * 1000, () => sendJson(res, 200, echo(ctx)));
      return;
    }
    case 'drip':
      return dripEndpoint(ctx);
    case 'basic-auth': {
      if (second === undefined || third === undefined) return notFound(res);
      const header = req.headers.authorization ?? '';
      const m = /^Basic\s+(\S+)$/i.exec(header);
      const decoded = m?.[1] !== undefined ? Buffer.from(m[1], 'base64').toString('utf8') : null;
      if (decoded === `${second}:${third}`) return sendJson(res, 200, { authenticated: true, user: second });
      return sendBody(res, 401, '', { 'WWW-Authenticate': 'Basic realm="Fake Realm"' });
    }
    case 'response-headers': {
      for (const key of new Set(query.keys())) res.setHeader(key, query.getAll(key));
      return sendJson(res, 200, argsObject(query));
    }
    case 'cookies':
      return cookiesEndpoint(ctx, second);
    case 'large':
    case 'chunked': {
      const n = num(second);
      if (Number.isNaN(n)) return notFound(res);
      const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
      if (first === 'large') headers['Content-Length'] = String(n);
      res.writeHead(200, headers);
      if (isHead) return void res.end();
      return streamBody(res, n, LARGE_BLOCK.length, (_offset, length) => LARGE_BLOCK.subarray(0, length));
    }
    case 'gzip-bomb':
      return gzipBomb(ctx, num(second));
    default:
      return notFound(res);
  }
}

function rangeEndpoint(ctx: Ctx, n: number): void {
  const { req, res } = ctx;
  if (Number.isNaN(n)) return notFound(res);
  const full = rangeBytes(n);
  const common = { 'Accept-Ranges': 'bytes', ETag: `range${n}`, 'Content-Type': 'application/octet-stream' };
  const header = req.headers.range;
  if (header === undefined) return sendBody(res, 200, full, common);
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  let start = NaN;
  let end = NaN;
  if (m !== null && (m[1] !== '' || m[2] !== '')) {
    if (m[1] === '') {
      const suffix = Number(m[2]);
      start = Math.max(0, n - suffix);
      end = n - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? n - 1 : Math.min(Number(m[2]), n - 1);
    }
  }
  if (!(start <= end && start < n)) {
    return sendBody(res, 416, '', { ...common, 'Content-Range': `bytes */${n}` });
  }
  return sendBody(res, 206, full.subarray(start, end + 1), {
    ...common,
    'Content-Range': `bytes ${start}-${end}/${n}`,
  });
}

function dripEndpoint(ctx: Ctx): void {
  const { res, query } = ctx;
  const numbytes = Math.min(Math.max(intParam(query.get('numbytes'), 10), 0), 10 * 1024 * 1024);
  const duration = Math.max(floatParam(query.get('duration'), 2), 0) * 1000;
  const delay = Math.min(Math.max(floatParam(query.get('delay'), 0), 0), MAX_DELAY_SECONDS) * 1000;
  const code = intParam(query.get('code'), 200);
  const interval = numbytes > 0 ? duration / numbytes : 0;
  const isHead = ctx.req.method === 'HEAD';
  ctx.later(delay, () => {
    res.writeHead(code, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(numbytes) });
    if (isHead) return void res.end();
    let sent = 0;
    const tick = (): void => {
      if (res.destroyed) return;
      if (sent >= numbytes) return void res.end();
      res.write('*');
      sent++;
      if (sent >= numbytes) return void res.end();
      ctx.later(interval, tick);
    };
    tick();
  });
}

function cookiesEndpoint(ctx: Ctx, action: string | undefined): void {
  const { req, res, query } = ctx;
  if (action === undefined) {
    const cookies: Record<string, string> = {};
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return sendJson(res, 200, { cookies });
  }
  if (action === 'set') {
    res.setHeader(
      'Set-Cookie',
      [...query.entries()].map(([k, v]) => `${k}=${v}; Path=/`),
    );
  } else if (action === 'delete') {
    res.setHeader(
      'Set-Cookie',
      [...new Set(query.keys())].map(
        (k) => `${k}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/`,
      ),
    );
  } else {
    return notFound(res);
  }
  return sendBody(res, 302, '', { Location: '/cookies' });
}

async function gzipBomb(ctx: Ctx, n: number): Promise<void> {
  const { res } = ctx;
  if (Number.isNaN(n)) return notFound(res);
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Encoding': 'gzip',
  });
  if (ctx.req.method === 'HEAD') return void res.end();
  const gz = createGzip({ level: 9 });
  gz.on('error', () => res.destroy());
  gz.pipe(res);
  res.once('close', () => gz.destroy());
  let fed = 0;
  while (fed < n) {
    if (gz.destroyed || res.destroyed) return;
    const length = Math.min(ZERO_BLOCK.length, n - fed);
    const ok = gz.write(ZERO_BLOCK.subarray(0, length));
    fed += length;
    if (!ok && !(await drained(gz))) return;
  }
  gz.end();
}

/**
 * Starts the httpbin-like server on loopback port 0.
 *
 * @example
 * const bin = await startHttpbin();
 * after(() => bin.close());
 * const res = await fetch(`${bin.url}/get`);
 */
export async function startHttpbin(options: HttpbinOptions = {}): Promise<Httpbin> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1')
    throw new Error(`httpbin only binds loopback, got ${String(host)}`);
  const scheme = options.tls !== undefined ? 'https' : 'http';
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const connectionIds = new WeakMap<object, number>();
  let accepted = 0;
  let nextConnectionId = 1;
  let closed = false;

  const onRequest = (req: Req, res: Res): void => {
    let connectionId = connectionIds.get(req.socket);
    if (connectionId === undefined) {
      connectionId = nextConnectionId++;
      connectionIds.set(req.socket, connectionId);
    }
    const rawHeaders: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      rawHeaders.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      httpVersion: req.httpVersion,
      rawHeaders,
      body: Buffer.alloc(0),
      complete: false,
      connectionId,
    };
    requests.push(record);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const mine = new Set<NodeJS.Timeout>();
    res.once('close', () => {
      for (const t of mine) {
        clearTimeout(t);
        timers.delete(t);
      }
    });
    req.once('end', () => {
      record.body = Buffer.concat(chunks);
      record.complete = true;
      const parsed = new URL(req.url ?? '/', 'http://placeholder');
      const ctx: Ctx = {
        req,
        res,
        record,
        path: parsed.pathname,
        query: parsed.searchParams,
        base: `${scheme}://${req.headers.host ?? hostPort}`,
        later(ms, fn) {
          if (closed) return;
          const t = setTimeout(() => {
            timers.delete(t);
            mine.delete(t);
            fn();
          }, ms);
          timers.add(t);
          mine.add(t);
        },
      };
      Promise.resolve()
        .then(() => route(ctx))
        .catch((error: unknown) => {
          if (!res.headersSent) sendBody(res, 500, `httpbin error: ${String(error)}\n`);
          else res.destroy();
        });
    });
  };

  const server =
    options.tls !== undefined
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
      : http.createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  if (server instanceof https.Server) server.on('tlsClientError', () => undefined);

  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const hostPort = host === '::1' ? `[::1]:${port}` : `${host}:${port}`;
  const url = `${scheme}://${hostPort}`;

  return {
    url,
    origin: url,
    port,
    host,
    requests,
    connectionCount: () => accepted,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}
