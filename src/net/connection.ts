import type { Socket } from 'node:net';
import { Client } from 'undici';
import { Status } from './http-client-constants.js';
import { Exchange, type ExchangeSink } from './exchange.js';
import { TransportError } from './transport-error.js';

/** What to send on a connection. `path` is origin-form (`/x?y`) or absolute-form (for plain proxies). */
export interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  /** Flat `[name, value, name, value, ...]`, sent in this order. */
  readonly headers: string[];
  readonly body: Uint8Array | null;
}

/**
 * One open connection: an undici `Client` bound to a socket that gdhttp opened itself (see connector.ts),
 * so undici does the HTTP/1.1 and keep-alive while gdhttp owns the resolve/connect/TLS phases.
 *
 * The client never reconnects: once the socket closes the connection is over, and whoever owns it opens a
 * new one. That keeps "which request paid for which connection" exact.
 */
export class Connection {
  readonly #client: Client;
  readonly #socket: Socket;
  #closed = false;
  #exchanges = 0;
  #socketError: Error | undefined;
  readonly #closeListeners: (() => void)[] = [];

  constructor(socket: Socket, keepAliveTimeoutMs = 4000) {
    this.#socket = socket;
    let handedOver = false;
    this.#client = new Client('http://connection.invalid', {
      // undici must get the socket asynchronously: a synchronous callback lands before undici has
      // finished its own bookkeeping for the connect, and the first request then never starts.
      connect: (_options, callback) => {
        if (handedOver) {
          queueMicrotask(() =>
            callback(new TransportError(Status.STATUS_CONNECTION_ERROR, 'Connection closed'), null),
          );
          return;
        }
        handedOver = true;
        queueMicrotask(() => callback(null, socket));
      },
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: keepAliveTimeoutMs,
      keepAliveTimeoutThreshold: 500,
    });
    this.#client.on('disconnect', () => this.#markClosed());
    this.#client.on('connectionError', () => this.#markClosed());
    socket.once('close', () => this.#markClosed());
    // Registered before undici's own listener, so the error is known when undici reports the end.
    socket.on('error', (error) => {
      this.#socketError = error;
    });
  }

  /** True once the socket is gone; a closed connection takes no more requests. */
  get closed(): boolean {
    return this.#closed || this.#socket.destroyed || this.#client.destroyed;
  }

  /** How many requests were sent on this connection (a value above 0 means a reuse is a keep-alive hit). */
  get exchanges(): number {
    return this.#exchanges;
  }

  /** The socket, for byte counts and diagnostics. */
  get socket(): Socket {
    return this.#socket;
  }

  /**
   * Calls `listener` once when the connection closes (at once if it already has). Returns a function that
   * removes the listener.
   */
  on_close(listener: () => void): () => void {
    if (this.closed) {
      listener();
      return () => {};
    }
    this.#closeListeners.push(listener);
    return () => {
      const index = this.#closeListeners.indexOf(listener);
      if (index !== -1) this.#closeListeners.splice(index, 1);
    };
  }

  /** Sends `request`; the response flows to `sink`. Returns the exchange, which can be resumed or aborted. */
  send(request: OutgoingRequest, sink: ExchangeSink): Exchange {
    this.#exchanges += 1;
    const exchange = new Exchange(sink, request.method, this.#socket, () => this.#socketError);
    this.#client.dispatch(
      {
        origin: 'http://connection.invalid',
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        // gdhttp reports the server's answer as it is; undici must neither retry nor reset on its own.
        reset: false,
        idempotent: false,
        blocking: false,
      },
      exchange,
    );
    return exchange;
  }

  /** Closes the connection at once, cancelling anything in flight. */
  destroy(): void {
    this.#markClosed();
    this.#client.destroy().catch(() => {});
    this.#socket.destroy();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#closeListeners.splice(0)) listener();
    if (!this.#client.destroyed) this.#client.destroy().catch(() => {});
  }
}
