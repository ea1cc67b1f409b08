/**
 * A small HTTP proxy on loopback for tests: absolute-form forwarding of plain HTTP requests and
 * `CONNECT` tunnels, with optional Basic authentication and scripted refusals. It only ever connects
 * to loopback targets (`127.x.x.x`, `::1`, `localhost`); any other target gets `502` without a lookup.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** One request as the proxy received it. */
export interface ProxyRecordedRequest {
  /** Request method, e.g. `GET` or `CONNECT`. */
  method: string;
  /** Request target as sent: absolute-form URL, `host:port` for CONNECT, or origin-form. */
  target: string;
  /** HTTP version from the request line, e.g. `1.1`. */
  httpVersion: string;
  /** Header lines as `[name, value]` pairs in received order and case. */
  rawHeaders: [string, string][];
  /** Headers with lower-case names (duplicates joined with `, `; see Node's `IncomingMessage.headers`). */
  headers: http.IncomingHttpHeaders;
  /** 1-based number of the client connection it arrived on. */
  connectionId: number;
  /** Status the proxy answered itself (407, 403, 502, ...) or the 200 of an established tunnel; forwarded requests record the origin's status. */
  status?: number;
}

/** Options for {@link startConnectProxy}. */
export interface ConnectProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(user:pass)`; otherwise answer `407` with `Proxy-Authenticate`. */
  auth?: { user: string; pass: string };
  /**
   * Answer every CONNECT with this status (e.g. 403, 502) instead of tunnelling, or decide per target
   * (return `undefined` to tunnel).
   */
  refuse?: number | ((target: string) => number | undefined);
  /** Loopback address to bind; default `127.0.0.1`. */
  host?: '127.0.0.1' | '::1';
}

/** A running proxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Listening port. */
  port: number;
  /** Bound address. */
  host: string;
  /** Every request received (forwarded, tunnelled or refused), in arrival order. */
  requests: ProxyRecordedRequest[];
  /** Number of client connections accepted so far. */
  connectionCount(): number;
  /** Number of CONNECT tunnels established so far. */
  tunnelCount(): number;
  /** Stops listening and destroys every client, upstream and tunnel socket. */
  close(): Promise<void>;
}

/** True for targets the proxy will connect to: loopback IPs and `localhost`. */
export function isLoopbackTarget(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (net.isIPv4(h) && h.startsWith('127.'));
}

/** Splits `host:port` / `[v6]:port`; returns null when malformed. */
function splitAuthority(authority: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(authority);
  if (m === null) return null;
  const port = Number(m[3]);
  const host = m[1] ?? m[2];
  if (host === undefined || !(port > 0 && port < 65536)) return null;
  return { host, port };
}

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Status'}\r\n`;
}

/**
 * Starts the proxy on loopback port 0.
 *
 * @example
 * const proxy = await startConnectProxy({ auth: { user: 'u', pass: 'p' } });
 * after(() => proxy.close());
 */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1')
    throw new Error(`proxy only binds loopback, got ${String(host)}`);
  const requests: ProxyRecordedRequest[] = [];
  const sockets = new Set<Duplex>();
  const connectionIds = new WeakMap<object, number>();
  let accepted = 0;
  let tunnels = 0;
  let closed = false;

  const track = (s: Duplex): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const expectedAuth =
    options.auth !== undefined
      ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.pass}`).toString('base64')}`
      : undefined;

  const record = (req: http.IncomingMessage): ProxyRecordedRequest => {
    const rawHeaders: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      rawHeaders.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
    }
    const entry: ProxyRecordedRequest = {
      method: req.method ?? '',
      target: req.url ?? '',
      httpVersion: req.httpVersion,
      rawHeaders,
      headers: req.headers,
      connectionId: connectionIds.get(req.socket) ?? 0,
    };
    requests.push(entry);
    return entry;
  };

  const authorized = (req: http.IncomingMessage): boolean =>
    expectedAuth === undefined || req.headers['proxy-authorization'] === expectedAuth;

  const server = http.createServer((req, res) => {
    const entry = record(req);
    res.on('error', () => undefined);
    const answer = (status: number, extra: Record<string, string> = {}): void => {
      entry.status = status;
      req.resume();
      res.writeHead(status, { 'Content-Type': 'text/plain', ...extra });
      res.end(`${status} ${http.STATUS_CODES[status] ?? ''} (gdhttp test proxy)\n`);
    };
    if (!authorized(req)) return answer(407, { 'Proxy-Authenticate': 'Basic realm="gdhttp-proxy"' });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return answer(400);
    }
    if (target.protocol !== 'http:') return answer(400);
    if (!isLoopbackTarget(target.hostname)) return answer(502, { 'X-Proxy-Error': 'non-loopback target' });

    const outgoingRaw: string[] = [];
    for (const [name, value] of entry.rawHeaders) {
      const lower = name.toLowerCase();
      if (lower === 'proxy-authorization' || lower === 'proxy-connection') continue;
      outgoingRaw.push(name, value);
    }
    const upstream = http.request({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port === '' ? 80 : Number(target.port),
      method: req.method ?? 'GET',
      path: target.pathname + target.search,
      headers: outgoingRaw,
      agent: false,
      setHost: false,
    });
    upstream.on('socket', (s) => track(s));
    upstream.on('response', (upRes) => {
      entry.status = upRes.statusCode ?? 0;
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, upRes.rawHeaders);
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      if (!res.headersSent) answer(502, { 'X-Proxy-Error': 'upstream error' });
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connection', (socket: Socket) => {
    accepted++;
    connectionIds.set(socket, accepted);
    track(socket);
    if (closed) socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const entry = record(req);
    const refuseWith = (status: number, extra = ''): void => {
      entry.status = status;
      client.end(`${statusLine(status)}${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!authorized(req)) return refuseWith(407, 'Proxy-Authenticate: Basic realm="gdhttp-proxy"\r\n');
    const target = req.url ?? '';
    const refusal = typeof options.refuse === 'function' ? options.refuse(target) : options.refuse;
    if (refusal !== undefined) return refuseWith(refusal);
    const authority = splitAuthority(target);
    if (authority === null) return refuseWith(400);
    if (!isLoopbackTarget(authority.host)) return refuseWith(502, 'X-Proxy-Error: non-loopback target\r\n');
    const upstream = net.connect({ host: authority.host, port: authority.port });
    track(upstream);
    upstream.once('error', () => {
      if (entry.status === undefined) refuseWith(502, 'X-Proxy-Error: upstream error\r\n');
      else client.destroy();
    });
    upstream.once('connect', () => {
      entry.status = 200;
      tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });

  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host === '::1' ? '[::1]' : host}:${port}`,
    port,
    host,
    requests,
    connectionCount: () => accepted,
    tunnelCount: () => tunnels,
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}
