import { Status } from './http-client-constants.js';

/** The failure statuses a connection attempt or an exchange can end in. */
export type FailureStatus =
  | typeof Status.STATUS_CANT_RESOLVE
  | typeof Status.STATUS_CANT_CONNECT
  | typeof Status.STATUS_SSL_HANDSHAKE_ERROR
  | typeof Status.STATUS_CONNECTION_ERROR;

/**
 * A transport failure, tagged with the `HTTPClient.Status` it maps to, so every layer above (HTTPClient's
 * status, HTTPRequest's result) reads the same verdict instead of guessing from error codes.
 */
export class TransportError extends globalThis.Error {
  /** The `HTTPClient.Status` this failure leaves the client in. */
  readonly status: FailureStatus;

  constructor(status: FailureStatus, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.status = status;
  }
}
