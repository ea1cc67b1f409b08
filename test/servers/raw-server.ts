/**
 * A raw-TCP (optionally TLS) fault server that writes exact bytes, for malformed-response,
 * truncation and slow-peer tests. Never use `node:http` to serve such responses: it normalises them.
 *
 * `startRawServer(handler)` calls `handler(socket, requestHead, ctx)` once per connection, as soon as the
 * first request's header section has arrived (or, failing that, with whatever arrived when the client
 * half-closed or `headTimeoutMs` passed). The handler writes what it likes; `ctx.nextRequest()` lets it
 * serve further requests on a keep-alive connection. Ready-made handlers (`reply`, `resetAfter`,
 * `drip`, ...) and response builders (`malformedStatusLine`, `badChunkSize`, ...) are exported too.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';

/** Bytes given as a latin1 string (each char one byte) or a Buffer. */
export type Bytes = string | Buffer;

function toBuffer(bytes: Bytes): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
}

/** Per-connection helpers given to a {@link RawHandler}. */
export interface RawContext {
  /** 1-based number of this connection, in accept order. */
  readonly connectionId: number;
  /** Every byte received on this connection so far. */
  received(): Buffer;
  /** True once the socket has closed. */
  readonly closed: boolean;
  /**
   * Waits for the body of the current request, delimited by its `Content-Length` (empty if it has none;
   * chunked request bodies are not decoded). Resolves with what arrived if the connection ends first.
   */
  readBody(): Promise<Buffer>;
  /**
   * Skips the rest of the current request's body (by `Content-Length`) and waits for the next request's
   * header section on this connection. Resolves `null` if the connection ends first with nothing pending.
   */
  nextRequest(): Promise<Buffer | null>;
  /** `setTimeout` that is cancelled when the connection or the server closes. */
  setTimer(ms: number, fn: () => void): void;
  /** Resolves after `ms`, or never if the connection closes first (a closed connection has nothing to wait for). */
  sleep(ms: number): Promise<void>;
}

/**
 * Serves one connection. `requestHead` is the first request's bytes up to and including the blank line
 * that ends its headers (`\r\n\r\n`, or `\n\n`), or whatever arrived if the headers never finished.
 */
export type RawHandler = (socket: Socket, requestHead: Buffer, ctx: RawContext) => void | Promise<void>;

/** Options for {@link startRawServer}. */
export interface RawServerOptions {
  /** Loopback address to bind; default `127.0.0.1`. */
  host?: '127.0.0.1' | '::1';
  /** Serve over TLS with this key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Call the handler at once on connect with an empty head, instead of waiting for the request (for
   * servers that speak first or when the client sends nothing). Default `false`.
   */
  immediate?: boolean;
  /** Call the handler with whatever arrived if the first head is not complete after this long. Default 5000. */
  headTimeoutMs?: number;
}

/** A running raw fault server. */
export interface RawServer {
  /** `http://127.0.0.1:PORT` (or `https://…`). */
  url: string;
  /** Listening port. */
  port: number;
  /** Bound address. */
  host: string;
  /** Bytes received per connection (index `connectionId - 1`), live. */
  readonly received: Buffer[];
  /** Every request header section read (first heads and those from `ctx.nextRequest()`), in order. */
  heads: Buffer[];
  /** Errors thrown by handlers (the connection is destroyed when one throws). */
  errors: unknown[];
  /** Number of connections accepted so far. */
  connectionCount(): number;
  /** Stops listening, destroys every socket and cancels every timer. */
  close(): Promise<void>;
}

/** Index just past the blank line ending a header section, or -1. Accepts CRLF and bare LF. */
function headEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  const a = crlf === -1 ? Infinity : crlf + 4;
  const b = lf === -1 ? Infinity : lf + 2;
  const end = Math.min(a, b);
  return end === Infinity ? -1 : end;
}

function contentLengthOf(head: Buffer): number {
  const m = /\r?\ncontent-length:[ \t]*(\d+)/i.exec(head.toString('latin1'));
  return m?.[1] !== undefined ? Number(m[1]) : 0;
}

class Connection implements RawContext {
  readonly connectionId: number;
  closed = false;
  private chunks: Buffer[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private bodyRemaining = 0;
  private wake: (() => void)[] = [];
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly socket: Socket,
    id: number,
    private readonly onHead: (head: Buffer) => void,
    private readonly serverTimers: Set<NodeJS.Timeout>,
  ) {
    this.connectionId = id;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.pending = Buffer.concat([this.pending, chunk]);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.ended = true;
      for (const t of this.timers) {
        clearTimeout(t);
        this.serverTimers.delete(t);
      }
      this.timers.clear();
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  received(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const fn of wake) fn();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  /** Reads a head; `deadline` (ms since epoch) makes it return whatever arrived when it passes. */
  async readHead(deadline = Infinity): Promise<Buffer | null> {
    for (;;) {
      const end = headEnd(this.pending);
      if (end !== -1) {
        const head = this.pending.subarray(0, end);
        this.pending = this.pending.subarray(end);
        this.bodyRemaining = contentLengthOf(head);
        this.onHead(head);
        return head;
      }
      if (this.ended || Date.now() >= deadline) {
        if (this.pending.length === 0) return this.ended ? null : Buffer.alloc(0);
        const head = this.pending;
        this.pending = Buffer.alloc(0);
        this.bodyRemaining = 0;
        this.onHead(head);
        return head;
      }
      if (deadline === Infinity) {
        await this.changed();
      } else {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          void this.changed().then(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    }
  }

  async readBody(): Promise<Buffer> {
    while (this.pending.length < this.bodyRemaining && !this.ended) await this.changed();
    const n = Math.min(this.bodyRemaining, this.pending.length);
    const body = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.bodyRemaining = 0;
    return body;
  }

  async nextRequest(): Promise<Buffer | null> {
    await this.readBody();
    return this.readHead();
  }

  setTimer(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.serverTimers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    this.serverTimers.add(t);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }
}

/**
 * Starts a raw fault server on loopback port 0; `handler` runs once per connection.
 *
 * @example
 * const srv = await startRawServer(reply(contentLengthCutShort(10, 'hello')));
 * after(() => srv.close());
 */
export async function startRawServer(
  handler: RawHandler,
  options: RawServerOptions = {},
): Promise<RawServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1')
    throw new Error(`raw server only binds loopback, got ${String(host)}`);
  const headTimeoutMs = options.headTimeoutMs ?? 5000;
  const connections: Connection[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const heads: Buffer[] = [];
  const errors: unknown[] = [];
  let closed = false;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const serve = (socket: Socket): void => {
    track(socket);
    if (closed) return void socket.destroy();
    const conn = new Connection(socket, connections.length + 1, (head) => heads.push(head), timers);
    connections.push(conn);
    const run = async (): Promise<void> => {
      const head =
        options.immediate === true ? Buffer.alloc(0) : await conn.readHead(Date.now() + headTimeoutMs);
      if (conn.closed || closed) return;
      await handler(socket, head ?? Buffer.alloc(0), conn);
    };
    run().catch((error: unknown) => {
      errors.push(error);
      socket.destroy();
    });
  };

  const server =
    options.tls !== undefined
      ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, serve)
      : net.createServer(serve);
  if (options.tls !== undefined) {
    server.on('connection', track);
    server.on('tlsClientError', () => undefined);
  }
  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls !== undefined ? 'https' : 'http'}://${host === '::1' ? '[::1]' : host}:${port}`;

  return {
    url,
    port,
    host,
    get received() {
      return connections.map((c) => c.received());
    },
    heads,
    errors,
    connectionCount: () => connections.length,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Ready-made handlers

/** Writes `bytes`, then ends the connection (FIN). */
export function reply(bytes: Bytes): RawHandler {
  const buf = toBuffer(bytes);
  return (socket) => {
    socket.end(buf);
  };
}

/** Answers every request on the connection with `bytes` and keeps the connection open (keep-alive). */
export function replyAndKeep(bytes: Bytes): RawHandler {
  return replySequence([bytes]);
}

/**
 * Answers the k-th request received by the server (counted across all connections, from 0) with
 * `responses[k]` (the last one once they run out), keeping each connection open for further requests.
 * With `{ close: true }` the connection is ended after each response.
 */
export function replySequence(responses: Bytes[], options: { close?: boolean } = {}): RawHandler {
  if (responses.length === 0) throw new Error('replySequence needs at least one response');
  const bufs = responses.map(toBuffer);
  let k = 0;
  return async (socket, _head, ctx) => {
    let head: Buffer | null = _head;
    while (head !== null && !ctx.closed) {
      const buf = bufs[Math.min(k++, bufs.length - 1)] ?? Buffer.alloc(0);
      if (options.close === true) return void socket.end(buf);
      socket.write(buf);
      head = await ctx.nextRequest();
    }
  };
}

/** Reads the request, then ends the connection (FIN) without writing a byte. */
export function closeWithoutReply(): RawHandler {
  return (socket) => {
    socket.end();
  };
}

/**
 * Writes `bytes` (may be empty), waits `delayMs` so they leave the socket, then resets the connection
 * (RST, via `socket.resetAndDestroy()`).
 */
export function resetAfter(bytes: Bytes = '', delayMs = 20): RawHandler {
  const buf = toBuffer(bytes);
  return (socket, _head, ctx) => {
    const rst = (): void => ctx.setTimer(delayMs, () => void socket.resetAndDestroy());
    if (buf.length === 0) rst();
    else socket.write(buf, rst);
  };
}

/**
 * Writes a status line and part of a header section, and never the blank line that would end it.
 * With `intervalMs`, keeps adding one header line `X-Drip-N: N` every interval (until the connection
 * or server closes), so the peer always sees progress but never the end of the headers.
 */
export function neverFinishHeaders(
  prefix: Bytes = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n',
  options: { intervalMs?: number } = {},
): RawHandler {
  const buf = toBuffer(prefix);
  return (socket, _head, ctx) => {
    socket.write(buf);
    const interval = options.intervalMs;
    if (interval === undefined) return;
    let n = 0;
    const tick = (): void => {
      if (ctx.closed) return;
      n++;
      socket.write(`X-Drip-${n}: ${n}\r\n`);
      ctx.setTimer(interval, tick);
    };
    ctx.setTimer(interval, tick);
  };
}

/**
 * Writes `bytes` `bytesPerTick` bytes (default 1) every `intervalMs`; the first write is immediate.
 * Afterwards ends the connection unless `end: false`.
 */
export function drip(
  bytes: Bytes,
  intervalMs: number,
  options: { bytesPerTick?: number; end?: boolean } = {},
): RawHandler {
  const buf = toBuffer(bytes);
  const step = Math.max(1, options.bytesPerTick ?? 1);
  return (socket, _head, ctx) => {
    let offset = 0;
    const tick = (): void => {
      if (ctx.closed) return;
      if (offset >= buf.length) {
        if (options.end !== false) socket.end();
        return;
      }
      socket.write(buf.subarray(offset, offset + step));
      offset += step;
      ctx.setTimer(intervalMs, tick);
    };
    tick();
  };
}

/** Writes `prefix` (default nothing) and then never writes again nor closes. */
export function stall(prefix: Bytes = ''): RawHandler {
  const buf = toBuffer(prefix);
  return (socket) => {
    if (buf.length > 0) socket.write(buf);
  };
}

// ---------------------------------------------------------------------------------------------------
// Response builders (all return the exact bytes to send)

/** Fields for {@link responseBytes}. */
export interface ResponseInit {
  /** Status code; default 200. */
  status?: number;
  /** Reason phrase; default `OK` for 200, else `Status`. Use `''` for none (the space is kept). */
  reason?: string;
  /** HTTP version token; default `HTTP/1.1`. */
  version?: string;
  /** Header lines, written verbatim in order. */
  headers?: [string, string][];
  /** Body bytes; default none. */
  body?: Bytes;
  /** Add `Content-Length: <body length>` after the headers. Default true. */
  contentLength?: boolean;
}

/** Builds `VERSION STATUS REASON\r\n` + headers + `\r\n` + body. */
export function responseBytes(init: ResponseInit = {}): Buffer {
  const status = init.status ?? 200;
  const body = toBuffer(init.body ?? '');
  const lines = [
    `${init.version ?? 'HTTP/1.1'} ${status} ${init.reason ?? (status === 200 ? 'OK' : 'Status')}`,
  ];
  for (const [name, value] of init.headers ?? []) lines.push(`${name}: ${value}`);
  if (init.contentLength !== false) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** Chunked framing of `chunks` plus the terminating `0` chunk and optional trailer lines. */
export function chunkedBody(chunks: Bytes[], trailers: [string, string][] = []): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks.map(toBuffer)) {
    if (chunk.length === 0) continue;
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n' + trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n', 'latin1'));
  return Buffer.concat(parts);
}

/** A well-formed `200` chunked response carrying `chunks`. */
export function chunkedResponse(chunks: Bytes[], headers: [string, string][] = []): Buffer {
  return responseBytes({
    headers: [...headers, ['Transfer-Encoding', 'chunked']],
    body: chunkedBody(chunks),
    contentLength: false,
  });
}

/** A response whose status line is `line` (default `HTTP/1.1 OK 200`), then `Content-Length: 2` and `ok`. */
export function malformedStatusLine(line = 'HTTP/1.1 OK 200'): Buffer {
  return Buffer.from(`${line}\r\nContent-Length: 2\r\n\r\nok`, 'latin1');
}

/** A chunked response whose first chunk-size line is `sizeLine` (default `zz`, not hex), data `hello`. */
export function badChunkSize(sizeLine = 'zz'): Buffer {
  return Buffer.from(
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${sizeLine}\r\nhello\r\n0\r\n\r\n`,
    'latin1',
  );
}

/** A chunked response with `chunks` (default `['hello']`) but no terminating `0` chunk. */
export function truncatedChunked(chunks: Bytes[] = ['hello']): Buffer {
  const full = chunkedResponse(chunks);
  return full.subarray(0, full.length - '0\r\n\r\n'.length);
}

/** A response declaring `Content-Length: declared` (default 10) but carrying only `body` (default `hello`). */
export function contentLengthCutShort(declared = 10, body: Bytes = 'hello'): Buffer {
  return responseBytes({ headers: [['Content-Length', String(declared)]], body, contentLength: false });
}

/** A response with both `Content-Length: contentLength` (default 100) and `Transfer-Encoding: chunked`, body `hello`. */
export function contentLengthAndChunked(contentLength = 100): Buffer {
  return responseBytes({
    headers: [
      ['Content-Length', String(contentLength)],
      ['Transfer-Encoding', 'chunked'],
    ],
    body: chunkedBody(['hello']),
    contentLength: false,
  });
}

/**
 * A `200` response whose header section is about `totalBytes` long (default 1 MiB), made of
 * `X-Filler-N: aaa…` lines of `lineLength` bytes each (default 1024, CRLF included), then
 * `Content-Length: 2` and `ok`.
 */
export function hugeHeaderBlock(totalBytes = 1024 * 1024, lineLength = 1024): Buffer {
  const lines: string[] = ['HTTP/1.1 200 OK'];
  let size = lines[0]!.length + 2;
  for (let n = 0; size < totalBytes; n++) {
    const name = `X-Filler-${n}: `;
    const line = name + 'a'.repeat(Math.max(1, lineLength - name.length - 2));
    lines.push(line);
    size += line.length + 2;
  }
  lines.push('Content-Length: 2');
  return Buffer.from(lines.join('\r\n') + '\r\n\r\nok', 'latin1');
}
