import { PoolByteArray, type PoolStringArray } from '../core/pool-arrays.js';
import type { ConnectTarget } from './connector.js';
import type { Connection } from './connection.js';
import type { ConnectionPool, Lease } from './connection-pool.js';
import { ACCEPT_ENCODING, BodyDecoder, codingsToUndo } from './decode.js';
import { DownloadFile, DownloadFileError } from './download-file.js';
import type { Exchange, ExchangeFailure, ExchangeSink } from './exchange.js';
import { Status } from './http-client-constants.js';
import { MemoryBody } from './memory-body.js';
import { followRedirect, type RedirectHop } from './redirect.js';
import { buildRequestHeaders, hostHeader } from './request-headers.js';
import type { PreparedRequest } from './request-options.js';
import type { ResponseHead } from './response-head.js';
import { Result } from './result.js';
import { TransportError } from './transport-error.js';

/** What `request_completed` carries. */
export interface RequestOutcome {
  readonly result: Result;
  readonly response_code: number;
  readonly headers: PoolStringArray;
  readonly body: PoolByteArray;
}

/** Where a running task reports what `get_http_client_status()`, `get_downloaded_bytes()` and `get_body_size()` read. */
export interface ProgressSink {
  set_status(status: Status): void;
  set_downloaded_bytes(bytes: number): void;
  set_body_size(bytes: number): void;
}

// A redirect's own body is read and dropped to keep the connection; past this size the connection is closed
// instead, so a hostile redirect cannot make us read forever.
const MAX_REDIRECT_BODY_DRAIN = 64 * 1024;
// RFC 9110 §9.2.2: only idempotent requests are sent again when a reused keep-alive connection turns out to
// be closed before any response byte arrived.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
const MAX_STALE_RETRIES = 1;
// The results whose signal carries the response code and headers (godot-behaviour.md §2).
const CARRIES_RESPONSE = new Set<Result>([
  Result.RESULT_SUCCESS,
  Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH,
  Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED,
  Result.RESULT_DOWNLOAD_FILE_CANT_OPEN,
  Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR,
  Result.RESULT_REDIRECT_LIMIT_REACHED,
  Result.RESULT_BODY_DECOMPRESS_FAILED,
]);

const EMPTY_BODY = new PoolByteArray(0);

/**
 * One `HTTPRequest.request()` from start to result: connections from the pool, redirects, decoding,
 * the body into memory or `download_file`, the timeout — every completion through one `#finish()`, which
 * runs exactly once (or never, after `cancel()`).
 *
 * It knows nothing of nodes or threads, so the same task runs on the main thread and in a worker.
 */
export class RequestTask {
  readonly #request: PreparedRequest;
  readonly #pool: ConnectionPool;
  readonly #progress: ProgressSink;
  readonly #onDone: (outcome: RequestOutcome) => void;
  // Created only when a new connection is opened: most requests reuse one and never need it.
  #connecting: AbortController | undefined;
  #hop: RedirectHop;
  #redirects = 0;
  #staleRetries = 0;
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  // The current hop's state.
  #target: ConnectTarget | undefined;
  #lease: Lease | undefined;
  #exchange: Exchange | undefined;
  #head: ResponseHead | undefined;
  #nextHop: RedirectHop | undefined;
  #decoder: BodyDecoder | undefined;
  #file: DownloadFile | undefined;
  #memory: MemoryBody | undefined;
  #downloaded = 0;
  #decodedBytes = 0;
  // The response body has been fully received (the decoder and the file may still be finishing).
  #bodyEnded = false;

  constructor(
    request: PreparedRequest,
    pool: ConnectionPool,
    progress: ProgressSink,
    onDone: (outcome: RequestOutcome) => void,
  ) {
    this.#request = request;
    this.#pool = pool;
    this.#progress = progress;
    this.#onDone = onDone;
    this.#hop = { url: request.url, method: request.method, headers: request.headers, body: request.body };
  }

  /** Starts the request. The outcome arrives through `onDone`, never inside this call. */
  start(): void {
    const seconds = this.#request.options.timeout;
    if (seconds > 0) {
      this.#timer = setTimeout(() => this.#finish(Result.RESULT_TIMEOUT), Math.ceil(seconds * 1000));
    }
    this.#startHop();
  }

  /** Cancels the request: no outcome is reported, the connection is closed, no file is left behind. */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    void this.#cleanUp(false);
  }

  #startHop(): void {
    const { url } = this.#hop;
    const options = this.#request.options;
    const proxySetting = url.tls ? options.https_proxy : options.http_proxy;
    const proxy = proxySetting === null || proxySetting === 'invalid' ? undefined : proxySetting;
    this.#target = {
      host: url.host,
      port: url.port,
      tls: url.tls,
      verify: options.ssl_validate_domain,
      proxy,
    };
    this.#resetHopState();
    const target = this.#target;
    // After a reused connection turned out stale, the retry opens a fresh one: the other idle connections to
    // the same server may be just as stale.
    const idle = this.#staleRetries > 0 ? undefined : this.#pool.take_idle(target);
    if (idle !== undefined) {
      this.#send(idle);
      return;
    }
    const connecting = new AbortController();
    this.#connecting = connecting;
    this.#pool
      .connect(
        target,
        (status) => {
          // A cancelled task must not write into the state a newer request of the node now uses.
          if (!this.#done) this.#progress.set_status(status);
        },
        connecting.signal,
      )
      .then(
        (lease) => {
          if (this.#connecting === connecting) this.#connecting = undefined;
          if (this.#done) {
            lease.connection.destroy();
            return;
          }
          this.#send(lease);
        },
        (error: unknown) => {
          if (this.#done) return;
          const status = error instanceof TransportError ? error.status : Status.STATUS_CANT_CONNECT;
          this.#finish(
            status === Status.STATUS_CANT_RESOLVE
              ? Result.RESULT_CANT_RESOLVE
              : status === Status.STATUS_SSL_HANDSHAKE_ERROR
                ? Result.RESULT_SSL_HANDSHAKE_ERROR
                : Result.RESULT_CANT_CONNECT,
          );
        },
      );
  }

  #resetHopState(): void {
    this.#lease = undefined;
    this.#exchange = undefined;
    this.#head = undefined;
    this.#nextHop = undefined;
    this.#downloaded = 0;
    this.#decodedBytes = 0;
    this.#bodyEnded = false;
    this.#progress.set_downloaded_bytes(0);
    this.#progress.set_body_size(-1);
  }

  #send(lease: Lease): void {
    this.#lease = lease;
    this.#progress.set_status(Status.STATUS_CONNECTED);
    const hop = this.#hop;
    const target = this.#target as ConnectTarget;
    const plainProxy = target.proxy !== undefined && !target.tls;
    const host = hostHeader(hop.url.host, hop.url.port, hop.url.tls);
    // Proxy credentials are for the proxy: inside a CONNECT tunnel the origin must never see them.
    const given =
      target.proxy !== undefined && target.tls ? hop.headers.filter(isNotProxyAuthorization) : hop.headers;
    const fields =
      hop.url.authorization !== undefined && !given.some((f) => f.name.toLowerCase() === 'authorization')
        ? [...given, { name: 'Authorization', value: hop.url.authorization }]
        : given;
    const headers = buildRequestHeaders(fields, {
      host,
      method: hop.method,
      body: hop.body,
      acceptEncoding: this.#request.options.accept_gzip ? ACCEPT_ENCODING : undefined,
      proxyAuthorization: plainProxy ? target.proxy?.authorization : undefined,
    });
    const path = plainProxy ? `http://${host}${hop.url.path}` : hop.url.path;
    this.#progress.set_status(Status.STATUS_REQUESTING);
    this.#exchange = lease.connection.send({ method: hop.method, path, headers, body: hop.body }, this.#sink);
  }

  readonly #sink: ExchangeSink = {
    onHead: (head) => this.#onHead(head),
    onData: (chunk) => this.#onData(chunk),
    onEnd: (reusable) => this.#onEnd(reusable),
    onError: (failure) => this.#onError(failure),
  };

  #onHead(head: ResponseHead): boolean {
    if (this.#done) return false;
    this.#head = head;
    this.#progress.set_body_size(head.contentLength);
    this.#progress.set_status(head.hasBody ? Status.STATUS_BODY : Status.STATUS_CONNECTED);
    const options = this.#request.options;
    const hop = this.#hop;
    const next = followRedirect(
      hop.url,
      head.statusCode,
      head.fields.get('location')?.[0],
      hop.method,
      hop.headers,
      hop.body,
    );
    if (next !== undefined) {
      if (options.max_redirects !== -1 && this.#redirects >= options.max_redirects) {
        this.#finish(Result.RESULT_REDIRECT_LIMIT_REACHED);
        return false;
      }
      this.#redirects += 1;
      this.#nextHop = next;
      if (head.contentLength > MAX_REDIRECT_BODY_DRAIN) this.#followNow();
      return true;
    }
    if (options.body_size_limit >= 0 && head.contentLength > options.body_size_limit) {
      this.#finish(Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
      return false;
    }
    const codings =
      options.accept_gzip && head.hasBody
        ? codingsToUndo(head.fields.get('content-encoding')?.join(','))
        : undefined;
    if (codings === 'too_many') {
      this.#finish(Result.RESULT_BODY_DECOMPRESS_FAILED);
      return false;
    }
    if (codings !== undefined) {
      this.#decoder = new BodyDecoder(codings, {
        onData: (chunk) => {
          if (!this.#deliver(chunk)) this.#decoder?.pause();
        },
        onDrain: () => this.#exchange?.resume(),
        onEnd: () => this.#complete(),
        onError: () => this.#finish(Result.RESULT_BODY_DECOMPRESS_FAILED),
      });
    }
    if (options.download_file !== '' && hop.method !== 'HEAD') {
      this.#openDownloadFile();
      return false;
    }
    this.#memory = new MemoryBody(codings === undefined ? head.contentLength : -1);
    return true;
  }

  #openDownloadFile(): void {
    const options = this.#request.options;
    DownloadFile.open(options.download_file, fileBufferLimit(options.download_chunk_size)).then(
      (file) => {
        if (this.#done) {
          void file.abandon();
          return;
        }
        this.#file = file;
        file.onError = () => this.#finish(Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR);
        file.onDrain = () => {
          if (this.#decoder !== undefined) this.#decoder.resume();
          else this.#exchange?.resume();
        };
        if (this.#bodyEnded) this.#afterExchangeEnded();
        else this.#exchange?.resume();
      },
      () => this.#finish(Result.RESULT_DOWNLOAD_FILE_CANT_OPEN),
    );
  }

  #onData(chunk: Buffer): boolean {
    if (this.#done) return false;
    this.#downloaded += chunk.byteLength;
    this.#progress.set_downloaded_bytes(this.#downloaded);
    if (this.#nextHop !== undefined) {
      if (this.#downloaded > MAX_REDIRECT_BODY_DRAIN) this.#followNow();
      return true;
    }
    if (this.#decoder !== undefined) return this.#decoder.write(chunk);
    return this.#deliver(chunk);
  }

  /** Takes decoded body bytes. Returns false when the file wants the producer to wait. */
  #deliver(chunk: Buffer): boolean {
    if (this.#done) return false;
    this.#decodedBytes += chunk.byteLength;
    const limit = this.#request.options.body_size_limit;
    if (limit >= 0 && this.#decodedBytes > limit) {
      this.#finish(Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
      return false;
    }
    if (this.#file !== undefined) return this.#file.write(chunk);
    this.#memory?.append(chunk);
    return true;
  }

  #onEnd(reusable: boolean): void {
    if (this.#done) return;
    this.#bodyEnded = true;
    if (reusable) this.#releaseConnection();
    else {
      this.#lease?.connection.destroy();
      this.#lease = undefined;
    }
    if (this.#nextHop !== undefined) {
      this.#goToNextHop();
      return;
    }
    // With a download file still opening, the end is handled once it is open.
    if (this.#request.options.download_file !== '' && this.#hop.method !== 'HEAD' && this.#file === undefined)
      return;
    this.#afterExchangeEnded();
  }

  #afterExchangeEnded(): void {
    if (this.#decoder !== undefined) this.#decoder.end();
    else this.#complete();
  }

  #complete(): void {
    if (this.#done) return;
    const file = this.#file;
    if (file === undefined) {
      this.#finish(Result.RESULT_SUCCESS, this.#memory?.finish() ?? EMPTY_BODY);
      return;
    }
    this.#file = undefined;
    file.commit().then(
      () => this.#finish(Result.RESULT_SUCCESS),
      (error: unknown) =>
        this.#finish(
          error instanceof DownloadFileError && error.kind === 'cant_open'
            ? Result.RESULT_DOWNLOAD_FILE_CANT_OPEN
            : Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR,
        ),
    );
  }

  #onError(failure: ExchangeFailure): void {
    if (this.#done) return;
    const lease = this.#lease;
    if (
      failure.kind === 'no_response' &&
      lease?.reused === true &&
      IDEMPOTENT.has(this.#hop.method) &&
      this.#staleRetries < MAX_STALE_RETRIES
    ) {
      this.#staleRetries += 1;
      this.#startHop();
      return;
    }
    if (this.#nextHop !== undefined && this.#head !== undefined) {
      // The redirect's own body failed; the redirect itself is still good.
      this.#goToNextHop();
      return;
    }
    this.#finish(
      failure.kind === 'no_response'
        ? Result.RESULT_NO_RESPONSE
        : failure.kind === 'chunked'
          ? Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH
          : Result.RESULT_CONNECTION_ERROR,
    );
  }

  /** Leaves a redirect's body unread: the connection is closed and the next hop starts. */
  #followNow(): void {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    exchange?.abort();
    this.#goToNextHop();
  }

  #goToNextHop(): void {
    this.#hop = this.#nextHop as RedirectHop;
    this.#startHop();
  }

  #releaseConnection(): void {
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease !== undefined && this.#target !== undefined) this.#pool.release(this.#target, lease.connection);
  }

  #finish(result: Result, body: PoolByteArray = EMPTY_BODY): void {
    if (this.#done) return;
    this.#done = true;
    const head = CARRIES_RESPONSE.has(result) ? this.#head : undefined;
    const outcome: RequestOutcome = {
      result,
      response_code: head?.statusCode ?? 0,
      headers: head === undefined ? [] : [...head.headerLines],
      body: result === Result.RESULT_SUCCESS ? body : EMPTY_BODY,
    };
    const leftover = this.#cleanUp(true);
    // Report only once no temporary download file is left behind.
    if (leftover === undefined) this.#onDone(outcome);
    else void leftover.finally(() => this.#onDone(outcome));
  }

  /**
   * Stops everything still running. Returns a promise when a download file is being removed (settled once
   * no temporary file is left behind), else undefined.
   */
  #cleanUp(completed: boolean): Promise<void> | undefined {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connecting?.abort(new Error('Request ended'));
    this.#connecting = undefined;
    const exchange = this.#exchange;
    this.#exchange = undefined;
    if (exchange !== undefined && !exchange.settled) {
      exchange.abort();
      this.#lease?.connection.destroy();
      this.#lease = undefined;
    }
    if (!completed || this.#lease !== undefined) {
      const connection: Connection | undefined = this.#lease?.connection;
      this.#lease = undefined;
      connection?.destroy();
    }
    this.#decoder?.destroy();
    this.#decoder = undefined;
    this.#memory?.discard();
    this.#progress.set_status(Status.STATUS_DISCONNECTED);
    const file = this.#file;
    this.#file = undefined;
    return file?.abandon();
  }
}

function isNotProxyAuthorization(field: { name: string }): boolean {
  return field.name.toLowerCase() !== 'proxy-authorization';
}

/**
 * How many body bytes may wait for the disk before the socket is paused: a few chunks, so the network and
 * the disk work at the same time instead of taking turns, still bounded by `download_chunk_size` (4 × 64 KiB
 * by default; at most 16 MiB).
 */
function fileBufferLimit(chunkSize: number): number {
  return Math.min(Math.max(chunkSize * FILE_BUFFER_CHUNKS, 64 * 1024), 16 * 1024 * 1024);
}
const FILE_BUFFER_CHUNKS = 16;
