import { isIP } from 'node:net';
import {
  ERR_CANT_CONNECT,
  ERR_CANT_RESOLVE,
  ERR_CONNECTION_ERROR,
  ERR_INVALID_PARAMETER,
  ERR_UNAVAILABLE,
  ERR_UNCONFIGURED,
  OK,
  type Error,
} from '../core/error.js';
import { PoolByteArray, type PoolStringArray } from '../core/pool-arrays.js';
import { openConnection, type ConnectTarget } from './connector.js';
import { Connection } from './connection.js';
import type { ExchangeFailure } from './exchange.js';
import type { Exchange } from './exchange.js';
import { Method, ResponseCode, Status } from './http-client-constants.js';
import { parseProxySetting, type ProxySetting } from './proxy-config.js';
import { query_string_from_dict, type QueryValue } from './query-string.js';
import { buildRequestHeaders, hostHeader } from './request-headers.js';
import {
  encodeRequestTarget,
  hasControlBytes,
  methodName,
  parseHeaderLines,
  framingIsConsistent,
} from './request-validation.js';
import type { ResponseHead } from './response-head.js';
import { TransportError } from './transport-error.js';
import { add_trusted_ca } from './trust-store.js';

const MIN_CHUNK_SIZE = 256;
const MAX_CHUNK_SIZE = 1 << 24;

/**
 * Godot's low-level `HTTPClient`, on undici.
 *
 * The API, states and numbers are Godot 3.6's. One shape differs, because JavaScript cannot block:
 * {@link HTTPClient.poll} returns a promise that settles once the state has advanced or body data is ready,
 * so Godot's `while status == CONNECTING: poll()` becomes
 * `while (client.get_status() === HTTPClient.STATUS_CONNECTING) await client.poll();`.
 *
 * Under it, gdhttp opens the connection itself (resolve, TCP, proxy tunnel, TLS — each a Status) and hands
 * the socket to an undici `Client`, which speaks HTTP/1.1 with keep-alive: sequential requests on one
 * HTTPClient share one connection, as in Godot.
 */
export class HTTPClient {
  static readonly STATUS_DISCONNECTED = Status.STATUS_DISCONNECTED;
  static readonly STATUS_RESOLVING = Status.STATUS_RESOLVING;
  static readonly STATUS_CANT_RESOLVE = Status.STATUS_CANT_RESOLVE;
  static readonly STATUS_CONNECTING = Status.STATUS_CONNECTING;
  static readonly STATUS_CANT_CONNECT = Status.STATUS_CANT_CONNECT;
  static readonly STATUS_CONNECTED = Status.STATUS_CONNECTED;
  static readonly STATUS_REQUESTING = Status.STATUS_REQUESTING;
  static readonly STATUS_BODY = Status.STATUS_BODY;
  static readonly STATUS_CONNECTION_ERROR = Status.STATUS_CONNECTION_ERROR;
  static readonly STATUS_SSL_HANDSHAKE_ERROR = Status.STATUS_SSL_HANDSHAKE_ERROR;

  static readonly METHOD_GET = Method.METHOD_GET;
  static readonly METHOD_HEAD = Method.METHOD_HEAD;
  static readonly METHOD_POST = Method.METHOD_POST;
  static readonly METHOD_PUT = Method.METHOD_PUT;
  static readonly METHOD_DELETE = Method.METHOD_DELETE;
  static readonly METHOD_OPTIONS = Method.METHOD_OPTIONS;
  static readonly METHOD_TRACE = Method.METHOD_TRACE;
  static readonly METHOD_CONNECT = Method.METHOD_CONNECT;
  static readonly METHOD_PATCH = Method.METHOD_PATCH;
  static readonly METHOD_MAX = Method.METHOD_MAX;

  static readonly RESPONSE_CONTINUE = ResponseCode.RESPONSE_CONTINUE;
  static readonly RESPONSE_SWITCHING_PROTOCOLS = ResponseCode.RESPONSE_SWITCHING_PROTOCOLS;
  static readonly RESPONSE_PROCESSING = ResponseCode.RESPONSE_PROCESSING;
  static readonly RESPONSE_OK = ResponseCode.RESPONSE_OK;
  static readonly RESPONSE_CREATED = ResponseCode.RESPONSE_CREATED;
  static readonly RESPONSE_ACCEPTED = ResponseCode.RESPONSE_ACCEPTED;
  static readonly RESPONSE_NON_AUTHORITATIVE_INFORMATION =
    ResponseCode.RESPONSE_NON_AUTHORITATIVE_INFORMATION;
  static readonly RESPONSE_NO_CONTENT = ResponseCode.RESPONSE_NO_CONTENT;
  static readonly RESPONSE_RESET_CONTENT = ResponseCode.RESPONSE_RESET_CONTENT;
  static readonly RESPONSE_PARTIAL_CONTENT = ResponseCode.RESPONSE_PARTIAL_CONTENT;
  static readonly RESPONSE_MULTI_STATUS = ResponseCode.RESPONSE_MULTI_STATUS;
  static readonly RESPONSE_ALREADY_REPORTED = ResponseCode.RESPONSE_ALREADY_REPORTED;
  static readonly RESPONSE_IM_USED = ResponseCode.RESPONSE_IM_USED;
  static readonly RESPONSE_MULTIPLE_CHOICES = ResponseCode.RESPONSE_MULTIPLE_CHOICES;
  static readonly RESPONSE_MOVED_PERMANENTLY = ResponseCode.RESPONSE_MOVED_PERMANENTLY;
  static readonly RESPONSE_FOUND = ResponseCode.RESPONSE_FOUND;
  static readonly RESPONSE_SEE_OTHER = ResponseCode.RESPONSE_SEE_OTHER;
  static readonly RESPONSE_NOT_MODIFIED = ResponseCode.RESPONSE_NOT_MODIFIED;
  static readonly RESPONSE_USE_PROXY = ResponseCode.RESPONSE_USE_PROXY;
  static readonly RESPONSE_SWITCH_PROXY = ResponseCode.RESPONSE_SWITCH_PROXY;
  static readonly RESPONSE_TEMPORARY_REDIRECT = ResponseCode.RESPONSE_TEMPORARY_REDIRECT;
  static readonly RESPONSE_PERMANENT_REDIRECT = ResponseCode.RESPONSE_PERMANENT_REDIRECT;
  static readonly RESPONSE_BAD_REQUEST = ResponseCode.RESPONSE_BAD_REQUEST;
  static readonly RESPONSE_UNAUTHORIZED = ResponseCode.RESPONSE_UNAUTHORIZED;
  static readonly RESPONSE_PAYMENT_REQUIRED = ResponseCode.RESPONSE_PAYMENT_REQUIRED;
  static readonly RESPONSE_FORBIDDEN = ResponseCode.RESPONSE_FORBIDDEN;
  static readonly RESPONSE_NOT_FOUND = ResponseCode.RESPONSE_NOT_FOUND;
  static readonly RESPONSE_METHOD_NOT_ALLOWED = ResponseCode.RESPONSE_METHOD_NOT_ALLOWED;
  static readonly RESPONSE_NOT_ACCEPTABLE = ResponseCode.RESPONSE_NOT_ACCEPTABLE;
  static readonly RESPONSE_PROXY_AUTHENTICATION_REQUIRED =
    ResponseCode.RESPONSE_PROXY_AUTHENTICATION_REQUIRED;
  static readonly RESPONSE_REQUEST_TIMEOUT = ResponseCode.RESPONSE_REQUEST_TIMEOUT;
  static readonly RESPONSE_CONFLICT = ResponseCode.RESPONSE_CONFLICT;
  static readonly RESPONSE_GONE = ResponseCode.RESPONSE_GONE;
  static readonly RESPONSE_LENGTH_REQUIRED = ResponseCode.RESPONSE_LENGTH_REQUIRED;
  static readonly RESPONSE_PRECONDITION_FAILED = ResponseCode.RESPONSE_PRECONDITION_FAILED;
  static readonly RESPONSE_REQUEST_ENTITY_TOO_LARGE = ResponseCode.RESPONSE_REQUEST_ENTITY_TOO_LARGE;
  static readonly RESPONSE_REQUEST_URI_TOO_LONG = ResponseCode.RESPONSE_REQUEST_URI_TOO_LONG;
  static readonly RESPONSE_UNSUPPORTED_MEDIA_TYPE = ResponseCode.RESPONSE_UNSUPPORTED_MEDIA_TYPE;
  static readonly RESPONSE_REQUESTED_RANGE_NOT_SATISFIABLE =
    ResponseCode.RESPONSE_REQUESTED_RANGE_NOT_SATISFIABLE;
  static readonly RESPONSE_EXPECTATION_FAILED = ResponseCode.RESPONSE_EXPECTATION_FAILED;
  static readonly RESPONSE_IM_A_TEAPOT = ResponseCode.RESPONSE_IM_A_TEAPOT;
  static readonly RESPONSE_MISDIRECTED_REQUEST = ResponseCode.RESPONSE_MISDIRECTED_REQUEST;
  static readonly RESPONSE_UNPROCESSABLE_ENTITY = ResponseCode.RESPONSE_UNPROCESSABLE_ENTITY;
  static readonly RESPONSE_LOCKED = ResponseCode.RESPONSE_LOCKED;
  static readonly RESPONSE_FAILED_DEPENDENCY = ResponseCode.RESPONSE_FAILED_DEPENDENCY;
  static readonly RESPONSE_UPGRADE_REQUIRED = ResponseCode.RESPONSE_UPGRADE_REQUIRED;
  static readonly RESPONSE_PRECONDITION_REQUIRED = ResponseCode.RESPONSE_PRECONDITION_REQUIRED;
  static readonly RESPONSE_TOO_MANY_REQUESTS = ResponseCode.RESPONSE_TOO_MANY_REQUESTS;
  static readonly RESPONSE_REQUEST_HEADER_FIELDS_TOO_LARGE =
    ResponseCode.RESPONSE_REQUEST_HEADER_FIELDS_TOO_LARGE;
  static readonly RESPONSE_UNAVAILABLE_FOR_LEGAL_REASONS =
    ResponseCode.RESPONSE_UNAVAILABLE_FOR_LEGAL_REASONS;
  static readonly RESPONSE_INTERNAL_SERVER_ERROR = ResponseCode.RESPONSE_INTERNAL_SERVER_ERROR;
  static readonly RESPONSE_NOT_IMPLEMENTED = ResponseCode.RESPONSE_NOT_IMPLEMENTED;
  static readonly RESPONSE_BAD_GATEWAY = ResponseCode.RESPONSE_BAD_GATEWAY;
  static readonly RESPONSE_SERVICE_UNAVAILABLE = ResponseCode.RESPONSE_SERVICE_UNAVAILABLE;
  static readonly RESPONSE_GATEWAY_TIMEOUT = ResponseCode.RESPONSE_GATEWAY_TIMEOUT;
  static readonly RESPONSE_HTTP_VERSION_NOT_SUPPORTED = ResponseCode.RESPONSE_HTTP_VERSION_NOT_SUPPORTED;
  static readonly RESPONSE_VARIANT_ALSO_NEGOTIATES = ResponseCode.RESPONSE_VARIANT_ALSO_NEGOTIATES;
  static readonly RESPONSE_INSUFFICIENT_STORAGE = ResponseCode.RESPONSE_INSUFFICIENT_STORAGE;
  static readonly RESPONSE_LOOP_DETECTED = ResponseCode.RESPONSE_LOOP_DETECTED;
  static readonly RESPONSE_NOT_EXTENDED = ResponseCode.RESPONSE_NOT_EXTENDED;
  static readonly RESPONSE_NETWORK_AUTH_REQUIRED = ResponseCode.RESPONSE_NETWORK_AUTH_REQUIRED;

  /**
   * Trusts an extra CA (PEM) for every verified TLS connection in this process, on top of Node's default
   * store (bundled roots and `NODE_EXTRA_CA_CERTS`). gdhttp's form of Godot's certificate-bundle override;
   * the `GDHTTP_CA_FILE` environment variable does the same at start-up.
   */
  static add_trusted_ca(pem: string): void {
    add_trusted_ca(pem);
  }

  #status: Status = Status.STATUS_DISCONNECTED;
  #target: ConnectTarget | undefined;
  #connection: Connection | undefined;
  #connecting: AbortController | undefined;
  #exchange: Exchange | undefined;
  #head: ResponseHead | undefined;
  #failure: ExchangeFailure | undefined;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #bodyDone = false;
  #readChunkSize = 65536;
  #httpProxy: ProxySetting = null;
  #httpsProxy: ProxySetting = null;
  #waiters: (() => void)[] = [];

  /**
   * Godot: in blocking mode reads wait for data. JavaScript cannot block a thread, so this flag is kept for
   * API compatibility and has no effect: reads return what has arrived, `poll()` waits.
   */
  blocking_mode_enabled = false;

  /**
   * The most bytes one {@link read_response_body_chunk} returns, and the most body bytes buffered before the
   * socket is paused (backpressure). Godot's default 65536; values outside 256 – 16 MiB are refused with an
   * error printed, as in Godot.
   */
  get read_chunk_size(): number {
    return this.#readChunkSize;
  }
  set read_chunk_size(size: number) {
    if (!Number.isInteger(size) || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
      process.stderr.write(
        `ERROR: read_chunk_size must be between ${MIN_CHUNK_SIZE} and ${MAX_CHUNK_SIZE}.\n`,
      );
      return;
    }
    this.#readChunkSize = size;
  }

  /** Godot's setter form of {@link read_chunk_size}. */
  set_read_chunk_size(size: number): void {
    this.read_chunk_size = size;
  }
  /** Godot's getter form of {@link read_chunk_size}. */
  get_read_chunk_size(): number {
    return this.read_chunk_size;
  }
  /** Godot's setter form of {@link blocking_mode_enabled} (no effect in JavaScript). */
  set_blocking_mode(enabled: boolean): void {
    this.blocking_mode_enabled = enabled;
  }
  /** Godot's getter form of {@link blocking_mode_enabled}. */
  is_blocking_mode_enabled(): boolean {
    return this.blocking_mode_enabled;
  }

  /**
   * Starts connecting to `host` (Godot: a `http://` or `https://` prefix sets `use_ssl`). `port` -1 means
   * 80 or 443. Returns OK and moves to RESOLVING (CONNECTING for an IP literal); the outcome arrives through
   * `poll()`. ERR_INVALID_PARAMETER for an empty host, a port outside 1–65535, or control bytes in the host.
   * gdhttp also takes bracketed IPv6 literals (`[::1]`).
   */
  connect_to_host(host: string, port = -1, use_ssl = false, verify_host = true): Error {
    this.close();
    let name = host;
    let tls = use_ssl;
    if (/^http:\/\//i.test(name)) name = name.slice(7);
    else if (/^https:\/\//i.test(name)) {
      name = name.slice(8);
      tls = true;
    }
    if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
    const realPort = port === -1 ? (tls ? 443 : 80) : port;
    if (name === '' || hasControlBytes(name) || /[\s/@?#]/.test(name)) return ERR_INVALID_PARAMETER;
    if (!Number.isInteger(realPort) || realPort < 1 || realPort > 65535) return ERR_INVALID_PARAMETER;
    const proxy = tls ? this.#httpsProxy : this.#httpProxy;
    if (proxy === 'invalid') return ERR_INVALID_PARAMETER;
    this.#target = { host: name, port: realPort, tls, verify: verify_host, proxy: proxy ?? undefined };
    const connecting = new AbortController();
    this.#connecting = connecting;
    this.#setStatus(isIP(proxy?.host ?? name) !== 0 ? Status.STATUS_CONNECTING : Status.STATUS_RESOLVING);
    const target = this.#target;
    openConnection(
      target,
      (phase) => {
        if (
          this.#connecting === connecting &&
          !(phase === Status.STATUS_RESOLVING && this.#status === Status.STATUS_CONNECTING)
        ) {
          this.#setStatus(phase);
        }
      },
      connecting.signal,
    ).then(
      (socket) => {
        if (this.#connecting !== connecting) {
          socket.destroy();
          return;
        }
        this.#connecting = undefined;
        this.#connection = new Connection(socket);
        this.#connection.on_close(() => this.#onConnectionClosed());
        this.#setStatus(Status.STATUS_CONNECTED);
      },
      (error: unknown) => {
        if (this.#connecting !== connecting) return;
        this.#connecting = undefined;
        this.#setStatus(error instanceof TransportError ? error.status : Status.STATUS_CANT_CONNECT);
      },
    );
    return OK;
  }

  /** Closes the connection (if any) and returns to DISCONNECTED. Anything in flight is cancelled. */
  close(): void {
    this.#connecting?.abort(new TransportError(Status.STATUS_CANT_CONNECT, 'Closed'));
    this.#connecting = undefined;
    this.#exchange?.abort();
    this.#exchange = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
    this.#resetResponse();
    this.#setStatus(Status.STATUS_DISCONNECTED);
  }

  /**
   * Godot: advances the connection one step. gdhttp: returns a promise that settles once the status has
   * changed or body data is ready — at once when nothing is pending — so a poll loop never spins.
   *
   * It settles with what Godot's `poll()` returns in the status reached: ERR_UNCONFIGURED in DISCONNECTED,
   * ERR_CANT_RESOLVE in CANT_RESOLVE, ERR_CANT_CONNECT in CANT_CONNECT, ERR_CONNECTION_ERROR in
   * CONNECTION_ERROR and SSL_HANDSHAKE_ERROR, OK otherwise.
   */
  poll(): Promise<Error> {
    if (!this.#isWaiting()) return Promise.resolve(this.#pollResult());
    // The result is read once the wake-up's synchronous work is done (a close and the error it causes
    // arrive in one tick), so it matches the status the caller sees next.
    return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() => this.#pollResult());
  }

  /** The current `HTTPClient.Status`. */
  get_status(): Status {
    return this.#status;
  }

  /**
   * Sends a request (`body` as UTF-8 text). Only in CONNECTED; `url` starts with `/` (absolute URLs and
   * `host:port` for CONNECT are also taken). ERR_INVALID_PARAMETER — and nothing sent — for a method out of
   * range, CR/LF/NUL or other control bytes in the URL or any header, a header line without `name:`, `*`
   * with a method other than OPTIONS, or when not CONNECTED. `OPTIONS *`, which Godot sends, is
   * ERR_UNAVAILABLE in gdhttp (undici cannot send an asterisk-form target). Adds `Host`, `User-Agent`,
   * `Accept` and `Content-Length` unless given.
   */
  request(method: number, url: string, headers: PoolStringArray, body = ''): Error {
    return this.request_raw(method, url, headers, PoolByteArray.from_string(body));
  }

  /** {@link request} with a raw byte body. */
  request_raw(
    method: number,
    url: string,
    headers: PoolStringArray,
    body: Uint8Array = new PoolByteArray(0),
  ): Error {
    const name = methodName(method);
    const target = this.#target;
    const connection = this.#connection;
    if (name === undefined || target === undefined || connection === undefined) return ERR_INVALID_PARAMETER;
    if (this.#status !== Status.STATUS_CONNECTED || connection.closed) return ERR_INVALID_PARAMETER;
    if (typeof url !== 'string' || !Array.isArray(headers)) return ERR_INVALID_PARAMETER;
    const path = encodeRequestTarget(url);
    if (path === undefined || !isAcceptedTarget(path, name)) return ERR_INVALID_PARAMETER;
    // Godot sends `OPTIONS *` (RFC 9112 §3.2.4), but undici only sends origin- and absolute-form targets
    // (and authority-form for CONNECT): refuse it here rather than fail after returning OK.
    if (path === '*') return ERR_UNAVAILABLE;
    const fields = parseHeaderLines(headers);
    if (fields === undefined || !framingIsConsistent(fields, body.byteLength)) return ERR_INVALID_PARAMETER;
    const plainProxy = target.proxy !== undefined && !target.tls;
    const host = hostHeader(target.host, target.port, target.tls);
    const list = buildRequestHeaders(fields, {
      host,
      method: name,
      body,
      proxyAuthorization: plainProxy ? target.proxy?.authorization : undefined,
    });
    this.#resetResponse();
    this.#setStatus(Status.STATUS_REQUESTING);
    const wirePath = plainProxy && path.startsWith('/') ? `http://${host}${path}` : path;
    this.#exchange = connection.send(
      { method: name, path: wirePath, headers: list, body: body.byteLength > 0 ? body : null },
      {
        onHead: (head) => {
          this.#head = head;
          // A response without a body (HEAD, 204, 304) stays in REQUESTING until `onEnd`, which undici
          // reports in the same parser step, so the status goes straight to CONNECTED or DISCONNECTED.
          if (head.hasBody) this.#setStatus(Status.STATUS_BODY);
          else this.#bodyDone = true;
          return true;
        },
        onData: (chunk) => {
          this.#chunks.push(chunk);
          this.#buffered += chunk.byteLength;
          this.#notify();
          return this.#buffered < this.#readChunkSize;
        },
        onEnd: () => {
          this.#exchange = undefined;
          this.#bodyDone = true;
          // undici closes a connection it cannot reuse (`Connection: close`, HTTP/1.0, a close-delimited
          // body) right after reporting the end, in the same call. Settling a microtask later lets the
          // status say DISCONNECTED instead of a CONNECTED that could take no request.
          const head = this.#head;
          queueMicrotask(() => {
            if (this.#head !== head) return;
            this.#settleBody();
            this.#notify();
          });
        },
        onError: (failure) => {
          this.#exchange = undefined;
          this.#failure = failure;
          this.#chunks = [];
          this.#buffered = 0;
          this.#setStatus(Status.STATUS_CONNECTION_ERROR);
        },
      },
    );
    return OK;
  }

  /** True once the response's status line and headers have arrived. */
  has_response(): boolean {
    return this.#head !== undefined;
  }

  /** The response's status code (200, 404, ...), or 0 before a response. */
  get_response_code(): number {
    return this.#head?.statusCode ?? 0;
  }

  /** The response's header lines, `"Name: value"`, as received. */
  get_response_headers(): PoolStringArray {
    return [...(this.#head?.headerLines ?? [])];
  }

  /**
   * The response's headers as an object keyed by name as received. Godot keeps only the last of repeated
   * names; gdhttp joins repeated names (compared case-insensitively, keyed by the first spelling) with
   * `", "` as RFC 9110 §5.3 allows, so nothing is lost. `get_response_headers()` keeps each line.
   */
  get_response_headers_as_dictionary(): Record<string, string> {
    const out: Record<string, string> = {};
    const keys = new Map<string, string>();
    for (const line of this.#head?.headerLines ?? []) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      const key = keys.get(name.toLowerCase());
      if (key === undefined) {
        keys.set(name.toLowerCase(), name);
        out[name] = value;
      } else {
        out[key] = `${out[key]}, ${value}`;
      }
    }
    return out;
  }

  /** The response's Content-Length, or -1 when unknown (chunked, none, before headers). */
  get_response_body_length(): number {
    return this.#head?.contentLength ?? -1;
  }

  /** True when the response body is sent chunked (`Transfer-Encoding: chunked`). */
  is_response_chunked(): boolean {
    return this.#head?.chunked ?? false;
  }

  /**
   * Returns up to {@link read_chunk_size} body bytes that have arrived (empty when none yet). When the last
   * byte has been read the status becomes CONNECTED — or DISCONNECTED when the server closed the connection.
   */
  read_response_body_chunk(): PoolByteArray {
    if (this.#buffered === 0) {
      this.#settleBody();
      return new PoolByteArray(0);
    }
    const want = Math.min(this.#buffered, this.#readChunkSize);
    const first = this.#chunks[0] as Buffer;
    if (first.byteLength >= want) {
      // The common case: one received chunk covers the read. Hand out a view of it instead of a copy (the
      // chunk is a fresh allocation of the socket read that nothing else writes to).
      this.#chunks[0] = first.subarray(want);
      if (want === first.byteLength) this.#chunks.shift();
      this.#buffered -= want;
      if (this.#buffered < this.#readChunkSize) this.#exchange?.resume();
      this.#settleBody();
      return PoolByteArray.wrap(first.subarray(0, want));
    }
    const out = new PoolByteArray(want);
    let filled = 0;
    while (filled < out.length) {
      const chunk = this.#chunks[0] as Buffer;
      const take = Math.min(chunk.byteLength, out.length - filled);
      out.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= filled;
    if (this.#buffered < this.#readChunkSize) this.#exchange?.resume();
    this.#settleBody();
    return out;
  }

  /** Godot's `query_string_from_dict()`: see {@link query_string_from_dict}. */
  query_string_from_dict(
    dict: Readonly<Record<string, QueryValue>> | ReadonlyMap<string, QueryValue>,
  ): string {
    return query_string_from_dict(dict);
  }

  /**
   * Sets the proxy for plain-HTTP connections made by later `connect_to_host` calls: requests go to it in
   * absolute form with the real Host. Unset with an empty host or port -1. `user:pass@host` sends Basic
   * `Proxy-Authorization` to the proxy only.
   */
  set_http_proxy(host: string, port: number): void {
    this.#httpProxy = parseProxySetting(host, port);
  }

  /** Sets the proxy for HTTPS connections: a CONNECT tunnel, then TLS with the origin through it. */
  set_https_proxy(host: string, port: number): void {
    this.#httpsProxy = parseProxySetting(host, port);
  }

  /** Why the last exchange failed, when the status is CONNECTION_ERROR (gdhttp extra, for diagnostics). */
  get_last_failure(): ExchangeFailure | undefined {
    return this.#failure;
  }

  #isWaiting(): boolean {
    switch (this.#status) {
      case Status.STATUS_RESOLVING:
      case Status.STATUS_CONNECTING:
      case Status.STATUS_REQUESTING:
        return true;
      case Status.STATUS_BODY:
        return this.#buffered === 0 && !this.#bodyDone;
      default:
        return false;
    }
  }

  /** Godot's `poll()` return value for the current status (http_client.cpp, the `switch` in `poll`). */
  #pollResult(): Error {
    switch (this.#status) {
      case Status.STATUS_DISCONNECTED:
        return ERR_UNCONFIGURED;
      case Status.STATUS_CANT_RESOLVE:
        return ERR_CANT_RESOLVE;
      case Status.STATUS_CANT_CONNECT:
        return ERR_CANT_CONNECT;
      case Status.STATUS_CONNECTION_ERROR:
      case Status.STATUS_SSL_HANDSHAKE_ERROR:
        return ERR_CONNECTION_ERROR;
      default:
        return OK;
    }
  }

  #settleBody(): void {
    if (this.#status !== Status.STATUS_BODY && this.#status !== Status.STATUS_REQUESTING) return;
    if (!this.#bodyDone || this.#buffered > 0) return;
    this.#setStatus(
      this.#connection === undefined || this.#connection.closed
        ? Status.STATUS_DISCONNECTED
        : Status.STATUS_CONNECTED,
    );
  }

  #onConnectionClosed(): void {
    // A closed connection with nothing in flight is a plain disconnect; mid-exchange, the exchange's own
    // error reports CONNECTION_ERROR.
    if (this.#status === Status.STATUS_CONNECTED) this.#setStatus(Status.STATUS_DISCONNECTED);
    else this.#notify();
  }

  #resetResponse(): void {
    this.#head = undefined;
    this.#failure = undefined;
    this.#chunks = [];
    this.#buffered = 0;
    this.#bodyDone = false;
  }

  #setStatus(status: Status): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#notify();
  }

  #notify(): void {
    if (this.#waiters.length === 0) return;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

function isAcceptedTarget(path: string, method: string): boolean {
  if (path.startsWith('/')) return true;
  if (/^https?:\/\/[^/]/i.test(path)) return true;
  if (path === '*') return method === 'OPTIONS';
  if (method === 'CONNECT') return /^(?:\[[0-9a-fA-F:.]+\]|[^\s/:]+):\d{1,5}$/.test(path);
  return false;
}
