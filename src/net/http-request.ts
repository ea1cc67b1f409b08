import { ERR_BUSY, ERR_INVALID_PARAMETER, ERR_UNCONFIGURED, OK, type Error } from '../core/error.js';
import { push_error } from '../core/global-scope.js';
import { defer } from '../core/message-queue.js';
import { NOTIFICATION_EXIT_TREE, Node } from '../core/node.js';
import { NOTIFICATION_PREDELETE } from '../core/object.js';
import { PoolByteArray, type PoolStringArray } from '../core/pool-arrays.js';
import { default_pool } from './default-pool.js';
import { Method, Status } from './http-client-constants.js';
import { parseProxySetting, type ProxySetting } from './proxy-config.js';
import { prepareRequest, type RequestOptions } from './request-options.js';
import { RequestState } from './request-state.js';
import { RequestTask, type RequestOutcome } from './request-task.js';
import { Result } from './result.js';
import { runInWorker } from './worker/worker-pool.js';
import { SceneTree } from '../core/scene-tree.js';
import { RequestRefusedError, type FetchOptions, type FetchResponse } from './fetch-options.js';

let fetchTree: SceneTree | undefined;

const MIN_CHUNK_SIZE = 256;
const EMPTY_BODY = new PoolByteArray(0);
const MAX_CHUNK_SIZE = 1 << 24;

/** A request being run, on this thread or in a worker. */
interface RunningRequest {
  cancel(): void;
}

/**
 * Godot's `HTTPRequest` node: "a node with the ability to send HTTP(S) requests".
 *
 * Add it to a tree, connect `request_completed`, call `request()`. Everything in the class reference works
 * with Godot 3.6's names and numbers; gdhttp differs where Godot has a known defect (see docs/differences.md):
 * data is consumed as it arrives instead of one chunk per frame, connections are kept alive and reused,
 * `download_file` never leaves a partial file, redirects follow RFC 9110, `timeout` is wall-clock, and
 * `use_threads` runs the whole request in a worker thread without ever blocking the main loop.
 *
 * @example
 * const http = new HTTPRequest();
 * this.add_child(http);
 * http.connect('request_completed', this, '_http_request_completed');
 * if (http.request('http://127.0.0.1:8080/get') !== OK) push_error('An error occurred in the HTTP request.');
 */
export class HTTPRequest extends Node {
  static readonly RESULT_SUCCESS = Result.RESULT_SUCCESS;
  static readonly RESULT_CHUNKED_BODY_SIZE_MISMATCH = Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH;
  static readonly RESULT_CANT_CONNECT = Result.RESULT_CANT_CONNECT;
  static readonly RESULT_CANT_RESOLVE = Result.RESULT_CANT_RESOLVE;
  static readonly RESULT_CONNECTION_ERROR = Result.RESULT_CONNECTION_ERROR;
  static readonly RESULT_SSL_HANDSHAKE_ERROR = Result.RESULT_SSL_HANDSHAKE_ERROR;
  static readonly RESULT_NO_RESPONSE = Result.RESULT_NO_RESPONSE;
  static readonly RESULT_BODY_SIZE_LIMIT_EXCEEDED = Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED;
  static readonly RESULT_REQUEST_FAILED = Result.RESULT_REQUEST_FAILED;
  static readonly RESULT_DOWNLOAD_FILE_CANT_OPEN = Result.RESULT_DOWNLOAD_FILE_CANT_OPEN;
  static readonly RESULT_DOWNLOAD_FILE_WRITE_ERROR = Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR;
  static readonly RESULT_REDIRECT_LIMIT_REACHED = Result.RESULT_REDIRECT_LIMIT_REACHED;
  static readonly RESULT_TIMEOUT = Result.RESULT_TIMEOUT;
  /** gdhttp addition (Godot 4 has it as 8): the body's Content-Encoding could not be decoded. */
  static readonly RESULT_BODY_DECOMPRESS_FAILED = Result.RESULT_BODY_DECOMPRESS_FAILED;

  /**
   * Emitted once per request that `request()` accepted with OK (never after `cancel_request()`), always from
   * the main loop, never inside `request()`. `headers` and `response_code` are only filled for the results
   * that have a response (SUCCESS, CHUNKED_BODY_SIZE_MISMATCH, BODY_SIZE_LIMIT_EXCEEDED, DOWNLOAD_FILE_*,
   * REDIRECT_LIMIT_REACHED, BODY_DECOMPRESS_FAILED); `body` is empty unless SUCCESS without `download_file`.
   */
  readonly request_completed = this.declare_signal<
    [result: number, response_code: number, headers: PoolStringArray, body: PoolByteArray]
  >('request_completed', ['result', 'response_code', 'headers', 'body']);

  /**
   * gdhttp addition: one request without writing a Node subclass. Builds an HTTPRequest in an internal
   * SceneTree, sets its properties from `options`, awaits `request_completed` and frees the node. Resolves
   * with the signal's arguments by name (whatever the result: check `result`); rejects with
   * {@link RequestRefusedError} when `request()` refuses (bad URL or header).
   *
   * @example
   * const { result, response_code, body } = await HTTPRequest.fetch('http://127.0.0.1:8080/get');
   */
  static async fetch(url: string, options: FetchOptions = {}): Promise<FetchResponse> {
    fetchTree ??= new SceneTree();
    const node = new HTTPRequest();
    fetchTree.root.add_child(node);
    try {
      if (options.body_size_limit !== undefined) node.body_size_limit = options.body_size_limit;
      if (options.download_chunk_size !== undefined) node.download_chunk_size = options.download_chunk_size;
      if (options.download_file !== undefined) node.download_file = options.download_file;
      if (options.max_redirects !== undefined) node.max_redirects = options.max_redirects;
      if (options.timeout !== undefined) node.timeout = options.timeout;
      if (options.use_threads !== undefined) node.use_threads = options.use_threads;
      if (options.accept_gzip !== undefined) node.accept_gzip = options.accept_gzip;
      if (options.http_proxy !== undefined) node.set_http_proxy(...options.http_proxy);
      if (options.https_proxy !== undefined) node.set_https_proxy(...options.https_proxy);
      const completed = node.request_completed.as_promise();
      const body = options.body ?? '';
      const error = node.request_raw(
        url,
        options.headers ?? [],
        options.ssl_validate_domain ?? true,
        options.method ?? Method.METHOD_GET,
        typeof body === 'string' ? PoolByteArray.from_string(body) : body,
      );
      if (error !== OK) throw new RequestRefusedError(error, url);
      const [result, response_code, headers, responseBody] = await completed;
      return { result, response_code, headers, body: responseBody };
    } finally {
      node.queue_free();
    }
  }

  #bodySizeLimit = -1;
  #downloadChunkSize = 65536;
  #downloadFile = '';
  #maxRedirects = 8;
  #timeout = 0;
  #useThreads = false;
  #acceptGzip = true;
  #httpProxy: ProxySetting = null;
  #httpsProxy: ProxySetting = null;
  #state = new RequestState();
  #running: RunningRequest | undefined;
  // True from an accepted request() until its completion handler starts (Godot's `requesting`).
  #busy = false;
  #generation = 0;
  #inRequestCall = false;
  // Main-thread requests reuse one state object; a worker request needs one backed by shared memory.
  readonly #localState = new RequestState();

  /** Maximum response body size in bytes (decoded), -1 for none. Refused while a request runs, as in Godot. */
  get body_size_limit(): number {
    return this.#bodySizeLimit;
  }
  set body_size_limit(bytes: number) {
    if (this.#refuseWhileBusy('body_size_limit')) return;
    this.#bodySizeLimit = bytes;
  }

  /**
   * Godot: the read size per frame, which caps speed at chunk × FPS. gdhttp: bounds the memory a download
   * holds per read and per file write, not the speed. 256 – 16 MiB; refused while a request runs.
   */
  get download_chunk_size(): number {
    return this.#downloadChunkSize;
  }
  set download_chunk_size(bytes: number) {
    if (this.#refuseWhileBusy('download_chunk_size')) return;
    if (!Number.isInteger(bytes) || bytes < MIN_CHUNK_SIZE || bytes > MAX_CHUNK_SIZE) {
      push_error(`download_chunk_size must be between ${MIN_CHUNK_SIZE} and ${MAX_CHUNK_SIZE}.`);
      return;
    }
    this.#downloadChunkSize = bytes;
  }

  /**
   * The file to download into ("" keeps the body in memory). gdhttp writes a temporary file beside it and
   * renames it into place on success only; folders are not created. Refused while a request runs.
   */
  get download_file(): string {
    return this.#downloadFile;
  }
  set download_file(path: string) {
    if (this.#refuseWhileBusy('download_file')) return;
    this.#downloadFile = path;
  }

  /** Maximum number of redirects followed (0 refuses the first, -1 means no limit). Default 8. */
  get max_redirects(): number {
    return this.#maxRedirects;
  }
  set max_redirects(count: number) {
    this.#maxRedirects = count;
  }

  /**
   * Seconds before the request fails with RESULT_TIMEOUT, over the whole request including redirects; 0 means
   * none. Godot counts scene-tree time (paused with the tree, scaled); gdhttp counts wall-clock time.
   */
  get timeout(): number {
    return this.#timeout;
  }
  set timeout(seconds: number) {
    this.#timeout = seconds;
  }

  /**
   * Run the request in a worker thread (network, TLS, parsing, decoding, file writing). The signal still
   * arrives on the main loop and cancelling never blocks. Refused while a request runs.
   */
  get use_threads(): boolean {
    return this.#useThreads;
  }
  set use_threads(enabled: boolean) {
    if (this.#refuseWhileBusy('use_threads')) return;
    this.#useThreads = enabled;
  }

  /**
   * Godot 4's `accept_gzip` (default true): offer gzip, deflate and br and decode them as they stream.
   * `false` sends no Accept-Encoding and leaves bodies untouched.
   */
  get accept_gzip(): boolean {
    return this.#acceptGzip;
  }
  set accept_gzip(enabled: boolean) {
    if (this.#refuseWhileBusy('accept_gzip')) return;
    this.#acceptGzip = enabled;
  }

  /** Godot's setter form of {@link body_size_limit}. */
  set_body_size_limit(bytes: number): void {
    this.body_size_limit = bytes;
  }
  /** Godot's getter form of {@link body_size_limit}. */
  get_body_size_limit(): number {
    return this.body_size_limit;
  }
  /** Godot's setter form of {@link download_chunk_size}. */
  set_download_chunk_size(bytes: number): void {
    this.download_chunk_size = bytes;
  }
  /** Godot's getter form of {@link download_chunk_size}. */
  get_download_chunk_size(): number {
    return this.download_chunk_size;
  }
  /** Godot's setter form of {@link download_file}. */
  set_download_file(path: string): void {
    this.download_file = path;
  }
  /** Godot's getter form of {@link download_file}. */
  get_download_file(): string {
    return this.download_file;
  }
  /** Godot's setter form of {@link max_redirects}. */
  set_max_redirects(count: number): void {
    this.max_redirects = count;
  }
  /** Godot's getter form of {@link max_redirects}. */
  get_max_redirects(): number {
    return this.max_redirects;
  }
  /** Godot's setter form of {@link timeout}. */
  set_timeout(seconds: number): void {
    this.timeout = seconds;
  }
  /** Godot's getter form of {@link timeout}. */
  get_timeout(): number {
    return this.timeout;
  }
  /** Godot's setter form of {@link use_threads}. */
  set_use_threads(enabled: boolean): void {
    this.use_threads = enabled;
  }
  /** Godot's getter form of {@link use_threads}. */
  is_using_threads(): boolean {
    return this.use_threads;
  }
  /** Godot 4's setter form of {@link accept_gzip}. */
  set_accept_gzip(enabled: boolean): void {
    this.accept_gzip = enabled;
  }
  /** Godot 4's getter form of {@link accept_gzip}. */
  is_accepting_gzip(): boolean {
    return this.accept_gzip;
  }

  /**
   * Starts a request; `request_data` is sent as UTF-8. Returns OK (the result comes with
   * `request_completed`), ERR_UNCONFIGURED outside the tree, ERR_BUSY while the previous request has not
   * finished (until its handler has run; a new request may start inside the handler), or
   * ERR_INVALID_PARAMETER for a bad URL, method, header line (CR/LF/NUL, no `name:`) or proxy — nothing sent.
   * Godot can also return ERR_CANT_CONNECT at once; gdhttp reports connection failures through the signal.
   */
  request(
    url: string,
    custom_headers: PoolStringArray = [],
    ssl_validate_domain = true,
    method: number = Method.METHOD_GET,
    request_data = '',
  ): Error {
    if (typeof request_data !== 'string') return ERR_INVALID_PARAMETER;
    return this.request_raw(
      url,
      custom_headers,
      ssl_validate_domain,
      method,
      request_data === '' ? EMPTY_BODY : PoolByteArray.from_string(request_data),
    );
  }

  /** {@link request} with a raw byte body (Godot's `request_raw`). */
  request_raw(
    url: string,
    custom_headers: PoolStringArray = [],
    ssl_validate_domain = true,
    method: number = Method.METHOD_GET,
    request_data_raw: Uint8Array = new PoolByteArray(0),
  ): Error {
    if (!this.is_inside_tree()) return ERR_UNCONFIGURED;
    if (this.#busy) {
      push_error(
        'HTTPRequest is processing a request. Wait for completion or cancel it before attempting a new one.',
      );
      return ERR_BUSY;
    }
    if (!(request_data_raw instanceof Uint8Array)) return ERR_INVALID_PARAMETER;
    const options: RequestOptions = {
      url,
      custom_headers,
      ssl_validate_domain: ssl_validate_domain !== false,
      method,
      body: request_data_raw,
      body_size_limit: this.#bodySizeLimit,
      download_chunk_size: this.#downloadChunkSize,
      download_file: this.#downloadFile,
      max_redirects: this.#maxRedirects,
      timeout: this.#timeout,
      accept_gzip: this.#acceptGzip,
      http_proxy: this.#httpProxy,
      https_proxy: this.#httpsProxy,
    };
    const prepared = prepareRequest(options);
    if (prepared === undefined) return ERR_INVALID_PARAMETER;
    this.#busy = true;
    const generation = ++this.#generation;
    const onDone = (outcome: RequestOutcome): void => this.#onDone(generation, outcome);
    if (this.#useThreads) {
      const shared = new SharedArrayBuffer(3 * 8);
      this.#state = new RequestState(shared);
      this.#running = runInWorker(options, shared, onDone);
    } else {
      this.#localState.reset();
      this.#state = this.#localState;
      const task = new RequestTask(prepared, default_pool, this.#state, onDone);
      this.#running = task;
      this.#inRequestCall = true;
      try {
        task.start();
      } finally {
        this.#inRequestCall = false;
      }
    }
    return OK;
  }

  /**
   * Cancels the current request: no signal is emitted, the connection is closed at once, a partial download
   * is removed, and the node can start a new request immediately. The getters keep their last values.
   */
  cancel_request(): void {
    const running = this.#running;
    this.#running = undefined;
    this.#generation += 1;
    this.#busy = false;
    running?.cancel();
    this.#state.set_status(Status.STATUS_DISCONNECTED);
  }

  /** The response's Content-Length, or -1 when unknown (chunked, none, or before headers). Reset per redirect. */
  get_body_size(): number {
    return this.#state.body_size;
  }

  /** Bytes of the current response received so far, as on the wire (compressed if it was). Reset per redirect. */
  get_downloaded_bytes(): number {
    return this.#state.downloaded_bytes;
  }

  /** The status of the connection under the request (HTTPClient's Status); DISCONNECTED when idle. */
  get_http_client_status(): Status {
    return this.#state.status;
  }

  /**
   * Sets the proxy for `http://` requests; unset with an empty host or port -1. `user:pass@host` sends Basic
   * `Proxy-Authorization` to the proxy only. A host with control bytes makes later requests fail with
   * ERR_INVALID_PARAMETER.
   */
  set_http_proxy(host: string, port: number): void {
    this.#httpProxy = parseProxySetting(host, port);
  }

  /** Sets the proxy for `https://` requests (a CONNECT tunnel); same rules as {@link set_http_proxy}. */
  set_https_proxy(host: string, port: number): void {
    this.#httpsProxy = parseProxySetting(host, port);
  }

  /** Leaving the tree or being freed cancels the request, without a signal (as Godot does). */
  override _notification(what: number): void {
    super._notification(what);
    if (what === NOTIFICATION_EXIT_TREE || what === NOTIFICATION_PREDELETE) this.cancel_request();
  }

  #onDone(generation: number, outcome: RequestOutcome): void {
    if (generation !== this.#generation) return;
    this.#running = undefined;
    // Godot emits through a deferred call, so handlers never run inside request() or a network callback.
    // gdhttp emits as soon as the network callback has returned (a microtask) rather than on the next turn
    // of the event loop: a request chain then costs no extra loop turn per request. Completion is never
    // synchronous inside request(); should it be, the message queue defers it as Godot does.
    const emit = this.#inRequestCall ? defer : queueMicrotask;
    emit(() => {
      if (generation !== this.#generation) return;
      this.#busy = false;
      this.emit_signal(
        'request_completed',
        outcome.result,
        outcome.response_code,
        outcome.headers,
        outcome.body,
      );
    });
  }

  #refuseWhileBusy(property: string): boolean {
    if (!this.#busy) return false;
    push_error(`${property} can't be changed while a request is in progress.`);
    return true;
  }
}
