import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { parseResponseHead, type ResponseHead } from './response-head.js';

/** How an exchange failed, before the layers above map it to a Status or a Result. */
export type ExchangeFailureKind =
  /** The connection closed after the request without one byte of response (curl's "empty reply"). */
  | 'no_response'
  /** Reset, malformed status line or headers, a Content-Length body cut short. */
  | 'connection'
  /** A chunked body was malformed or ended before its last chunk. */
  | 'chunked'
  /** Cancelled by our side. */
  | 'aborted';

/** The failure an {@link ExchangeSink} receives. */
export class ExchangeFailure extends globalThis.Error {
  readonly kind: ExchangeFailureKind;
  constructor(kind: ExchangeFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExchangeFailure';
    this.kind = kind;
  }
}

/** What an exchange tells its owner. Returning false from `onHead` or `onData` pauses the socket. */
export interface ExchangeSink {
  onHead(head: ResponseHead): boolean;
  onData(chunk: Buffer): boolean;
  /** The response is complete; `reusable` is false when the connection must not carry another request. */
  onEnd(reusable: boolean): void;
  onError(failure: ExchangeFailure): void;
}

/**
 * One request and its response on one connection: an undici dispatch handler that turns undici's callbacks
 * into a parsed head, body chunks with backpressure, and a failure classified the way Godot reports it.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  readonly #sink: ExchangeSink;
  readonly #method: string;
  readonly #socket: Socket;
  readonly #bytesBefore: number;
  #abort: ((reason?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #head: ResponseHead | undefined;
  #settled = false;
  #abortRequested = false;

  readonly #socketError: () => Error | undefined;

  /** `socketError` tells the last error the socket reported (a reset), which undici may swallow. */
  constructor(sink: ExchangeSink, method: string, socket: Socket, socketError: () => Error | undefined) {
    this.#sink = sink;
    this.#method = method;
    this.#socket = socket;
    this.#socketError = socketError;
    this.#bytesBefore = socket.bytesRead;
  }

  /** True once the response's head has arrived. */
  get head(): ResponseHead | undefined {
    return this.#head;
  }

  /** True once the exchange has ended (completed, failed or aborted). */
  get settled(): boolean {
    return this.#settled;
  }

  /** Lets a paused body flow again. */
  resume(): void {
    this.#resume?.();
  }

  /** Cancels the exchange; the sink hears nothing more. The connection is destroyed by undici. */
  abort(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abortRequested = true;
    this.#abort?.(new ExchangeFailure('aborted', 'Request cancelled'));
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    if (this.#abortRequested) abort(new ExchangeFailure('aborted', 'Request cancelled'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.#settled) return false;
    // Interim 1xx responses (RFC 9110 §15.2) are not the response; the final one follows.
    if (statusCode < 200) return true;
    this.#resume = resume;
    const head = parseResponseHead(statusCode, rawHeaders, this.#method);
    this.#head = head;
    if (head.foreignTransferCoding) {
      this.#failNow(new ExchangeFailure('connection', 'Unsupported transfer coding in the response'));
      return false;
    }
    const flowing = this.#sink.onHead(head);
    if (head.declaresForbiddenBody && !this.#settled) {
      // A 204/304 that declares a body: the response ends at its headers (RFC 9112 §6.3), but undici would
      // wait for the declared bytes. End it here and close the connection, whose framing is now unknown.
      this.#settled = true;
      this.#sink.onEnd(false);
      this.#abort?.(new ExchangeFailure('aborted', 'Bodiless response declared a body'));
      return false;
    }
    return flowing;
  }

  #failNow(failure: ExchangeFailure): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abort?.(failure);
    this.#sink.onError(failure);
  }

  /**
   * undici answers a CONNECT request here. gdhttp's clients cannot use a raw tunnel, so the answer is
   * reported as a bodiless response and the tunnel is closed.
   */
  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: Socket): void {
    if (this.#settled) return;
    const raw = (rawHeaders ?? []).map((value) => (typeof value === 'string' ? Buffer.from(value) : value));
    this.#head = { ...parseResponseHead(statusCode, raw, this.#method), hasBody: false };
    socket.destroy();
    this.#sink.onHead(this.#head);
    if (this.#settled) return;
    this.#settled = true;
    this.#sink.onEnd(false);
  }

  onData(chunk: Buffer): boolean {
    if (this.#settled) return false;
    return this.#sink.onData(chunk);
  }

  onComplete(): void {
    if (this.#settled) return;
    const head = this.#head;
    // undici ends a close-delimited body (no length, not chunked) on any close, a reset included; a reset
    // means the body may be cut short (RFC 9112 §8), so it is a connection error, not a success.
    if (head !== undefined && head.hasBody && head.contentLength === -1 && !head.chunked) {
      const error = this.#socketError();
      if (error !== undefined) {
        this.#settled = true;
        this.#sink.onError(
          new ExchangeFailure('connection', `Connection reset during the body: ${error.message}`),
        );
        return;
      }
    }
    this.#settled = true;
    this.#sink.onEnd(true);
  }

  onError(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#sink.onError(this.#classify(error));
  }

  #classify(error: Error): ExchangeFailure {
    if (error instanceof ExchangeFailure) return error;
    if (this.#head === undefined) {
      const silent = this.#socket.bytesRead === this.#bytesBefore;
      return silent
        ? new ExchangeFailure('no_response', 'The server closed the connection without a response', {
            cause: error,
          })
        : new ExchangeFailure('connection', `Malformed or incomplete response: ${error.message}`, {
            cause: error,
          });
    }
    if (this.#head.chunked) {
      return new ExchangeFailure('chunked', `Chunked body malformed or cut short: ${error.message}`, {
        cause: error,
      });
    }
    return new ExchangeFailure('connection', `Connection failed during the body: ${error.message}`, {
      cause: error,
    });
  }
}
