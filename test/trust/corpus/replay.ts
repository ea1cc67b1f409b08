/**
 * The replay engine of the malformed-response corpus (and of the response-byte fuzzer in test/fuzz/): one
 * raw-TCP server serves registered byte strings by request path, and each request is made by its own
 * `HTTPRequest` node (so every `request_completed` emission can be counted) with `timeout` set.
 *
 * Invariants checked per request (see {@link checkInvariants}): exactly one `request_completed`, completion
 * within `timeout + margin`, an empty body unless SUCCESS, no response code or headers for the results that
 * carry none, no CR/LF/NUL in a reported header line. Process-wide, {@link trackProcessErrors} records
 * uncaught exceptions and unhandled rejections so a suite can assert there were none.
 */
import type { Socket } from 'node:net';
import { HTTPRequest, Method, OK, Result, SceneTree } from '../../../src/index.js';
import { startRawServer, type RawContext, type RawServer } from '../../servers/raw-server.js';

/** How the server delivers an item's bytes. */
export type ServeMode =
  /** write everything, then FIN */
  | 'close'
  /** write everything, keep the connection and answer later requests on it (by their own path) */
  | 'keep'
  /** write everything, then nothing, ever (the client's timeout must end it) */
  | 'stall'
  /** write everything, wait 20 ms, then RST */
  | 'reset'
  /** write the bytes in two parts (`splitAt`), 10 ms apart, then FIN */
  | 'split';

/** What the server sends for one registered path. */
export interface ServeSpec {
  readonly bytes: Buffer;
  readonly mode: ServeMode;
  readonly splitAt?: number;
}

/** One request's outcome as observed from outside. */
export interface Observation {
  readonly result: number;
  readonly response_code: number;
  readonly headers: readonly string[];
  readonly body: Buffer;
  /** From `request()` to the first emission (or to the guard when none came). */
  readonly elapsedMs: number;
  /** Emissions of `request_completed` counted after the run settled. */
  signals: number;
  /** No emission before the guard (timeout + margin + 2 s). */
  readonly hung: boolean;
  /** `request()`'s return value when it was not OK. */
  readonly refused?: number;
}

/** Options of one request. */
export interface RequestSpec {
  readonly use_threads: boolean;
  /** Seconds. */
  readonly timeout: number;
  readonly method?: number;
  readonly accept_gzip?: boolean;
}

/** Results that carry a response code and headers (docs: godot-behaviour.md §2). */
const WITH_RESPONSE: ReadonlySet<number> = new Set([
  Result.RESULT_SUCCESS,
  Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH,
  Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED,
  Result.RESULT_DOWNLOAD_FILE_CANT_OPEN,
  Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR,
  Result.RESULT_REDIRECT_LIMIT_REACHED,
  Result.RESULT_BODY_DECOMPRESS_FAILED,
]);

/* eslint-disable-next-line no-control-regex -- looking for control bytes on purpose */
const UNSAFE_IN_HEADER = /[\r\n\u0000]/;

/**
 * The invariants every request must meet whatever bytes the server sent. Returns the violations found
 * (empty when all hold). `timeoutMs + marginMs` bounds the completion time.
 */
export function checkInvariants(o: Observation, timeoutMs: number, marginMs: number): string[] {
  const problems: string[] = [];
  if (o.refused !== undefined) return [`request() refused with ${o.refused}`];
  if (o.hung) problems.push(`no request_completed within ${timeoutMs + marginMs} ms (hang)`);
  else if (o.elapsedMs > timeoutMs + marginMs)
    problems.push(`completed after ${Math.round(o.elapsedMs)} ms > timeout ${timeoutMs} + ${marginMs} ms`);
  if (!o.hung && o.signals !== 1) problems.push(`request_completed emitted ${o.signals} times`);
  if (o.result !== Result.RESULT_SUCCESS && o.body.byteLength !== 0)
    problems.push(`result ${o.result} carries a ${o.body.byteLength}-byte body`);
  if (!o.hung && !WITH_RESPONSE.has(o.result) && (o.response_code !== 0 || o.headers.length !== 0))
    problems.push(
      `result ${o.result} carries response_code ${o.response_code} / ${o.headers.length} headers`,
    );
  for (const line of o.headers)
    if (UNSAFE_IN_HEADER.test(line)) problems.push(`header line with CR/LF/NUL: ${JSON.stringify(line)}`);
  return problems;
}

/** Records uncaught exceptions and unhandled rejections from now until `stop()`. */
export function trackProcessErrors(): { readonly errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (error: unknown): void => {
    errors.push(error);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

const PATH = /^[A-Z]+ (\/r\/\d+)[ ?]/;

/** Serves registered byte strings by path (`/r/<n>`) and makes requests to them. */
export class Replayer {
  readonly #server: RawServer;
  readonly #specs = new Map<string, ServeSpec>();
  readonly #served = new Map<string, number>();
  readonly #tree = new SceneTree();
  readonly #nodes: { node: HTTPRequest; observation: { signals: number } }[] = [];
  #next = 0;

  private constructor(server: RawServer) {
    this.#server = server;
  }

  /** Starts the server (127.0.0.1, port 0). */
  static async start(): Promise<Replayer> {
    const holder: { self?: Replayer } = {};
    const server = await startRawServer(
      async (socket, head, ctx) => {
        if (holder.self !== undefined) await holder.self.#serve(socket, head, ctx);
      },
      { headTimeoutMs: 3000 },
    );
    holder.self = new Replayer(server);
    return holder.self;
  }

  get url(): string {
    return this.#server.url;
  }

  /** Connections the server accepted so far. */
  connectionCount(): number {
    return this.#server.connectionCount();
  }

  /** Handler errors the server recorded (should stay empty). */
  get serverErrors(): unknown[] {
    return this.#server.errors;
  }

  /** How many requests for `url` reached the server's handler. */
  servedCount(url: string): number {
    return this.#served.get(new URL(url).pathname) ?? 0;
  }

  /** Registers `spec` and returns the URL that serves it. */
  register(spec: ServeSpec): string {
    const path = `/r/${this.#next++}`;
    this.#specs.set(path, spec);
    return `${this.#server.url}${path}`;
  }

  /**
   * Requests `url` with a fresh HTTPRequest and resolves at the first `request_completed` (or at the
   * guard: timeout + margin + 2 s). The node stays alive, still counting emissions, until {@link settle}.
   */
  request(url: string, spec: RequestSpec, marginMs: number): Promise<Observation> {
    const node = new HTTPRequest();
    this.#tree.root.add_child(node);
    node.timeout = spec.timeout;
    node.use_threads = spec.use_threads;
    if (spec.accept_gzip !== undefined) node.accept_gzip = spec.accept_gzip;
    const counter = { signals: 0 };
    this.#nodes.push({ node, observation: counter });
    return new Promise<Observation>((resolve) => {
      const started = performance.now();
      let settled = false;
      let observation: Observation | undefined;
      const guard = setTimeout(
        () => {
          if (settled) return;
          settled = true;
          node.cancel_request();
          resolve({
            result: -1,
            response_code: 0,
            headers: [],
            body: Buffer.alloc(0),
            elapsedMs: performance.now() - started,
            signals: 0,
            hung: true,
          });
        },
        spec.timeout * 1000 + marginMs + 2000,
      );
      node.request_completed.connect((result, response_code, headers, body) => {
        counter.signals += 1;
        if (observation !== undefined) observation.signals = counter.signals;
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        observation = {
          result,
          response_code,
          headers: [...headers],
          body: Buffer.from(body),
          elapsedMs: performance.now() - started,
          signals: counter.signals,
          hung: false,
        };
        resolve(observation);
      });
      const error = node.request(url, [], true, spec.method ?? Method.METHOD_GET);
      if (error !== OK) {
        settled = true;
        clearTimeout(guard);
        resolve({
          result: -1,
          response_code: 0,
          headers: [],
          body: Buffer.alloc(0),
          elapsedMs: 0,
          signals: 0,
          hung: false,
          refused: error,
        });
      }
    });
  }

  /**
   * Waits `lingerMs` (longer than the timeout, so a late second emission — a timeout timer firing after
   * completion — is seen), then frees every node. Observations' `signals` are final afterwards.
   */
  async settle(lingerMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, lingerMs));
    for (const { node } of this.#nodes.splice(0)) node.queue_free();
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Frees the nodes and closes the server (destroying its sockets). */
  async close(): Promise<void> {
    for (const { node } of this.#nodes.splice(0)) node.queue_free();
    await this.#server.close();
  }

  async #serve(socket: Socket, first: Buffer, ctx: RawContext): Promise<void> {
    socket.setNoDelay(true);
    let head: Buffer | null = first;
    while (head !== null && !ctx.closed) {
      const path = PATH.exec(head.toString('latin1'))?.[1];
      const spec = path === undefined ? undefined : this.#specs.get(path);
      if (path !== undefined) this.#served.set(path, (this.#served.get(path) ?? 0) + 1);
      if (spec === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      switch (spec.mode) {
        case 'close':
          socket.end(spec.bytes);
          return;
        case 'stall':
          socket.write(spec.bytes);
          // A response that needs no more bytes (a HEAD answer) leaves the connection reusable for the client;
          // this server never answers on it again, so it closes it rather than stall a later item's request.
          if ((await ctx.nextRequest()) !== null) socket.destroy();
          return;
        case 'reset':
          socket.write(spec.bytes);
          ctx.setTimer(20, () => socket.resetAndDestroy());
          return;
        case 'split': {
          const at = spec.splitAt ?? 0;
          socket.write(spec.bytes.subarray(0, at));
          ctx.setTimer(10, () => socket.end(spec.bytes.subarray(at)));
          return;
        }
        case 'keep':
          socket.write(spec.bytes);
          head = await ctx.nextRequest();
          break;
      }
    }
  }
}

/** Runs `tasks` with at most `limit` in flight; resolves with their results in order. */
export async function runBounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Printable form of a byte string for messages: latin1 with escapes, cut at `max` characters. */
export function show(bytes: Buffer, max = 160): string {
  const text = JSON.stringify(bytes.subarray(0, max).toString('latin1'));
  return bytes.length > max ? `${text}…(+${bytes.length - max} bytes)` : text;
}
