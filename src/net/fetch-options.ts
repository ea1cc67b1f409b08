import type { PoolByteArray, PoolStringArray } from '../core/pool-arrays.js';

/** Options of {@link HTTPRequest.fetch}: the node's properties and `request()`'s arguments, all optional. */
export interface FetchOptions {
  /** `HTTPClient.METHOD_*` (default GET). */
  readonly method?: number;
  /** Header lines, `"Name: value"`. */
  readonly headers?: PoolStringArray;
  /** The request body: text is sent as UTF-8. */
  readonly body?: string | Uint8Array;
  readonly ssl_validate_domain?: boolean;
  readonly body_size_limit?: number;
  readonly download_chunk_size?: number;
  readonly download_file?: string;
  readonly max_redirects?: number;
  readonly timeout?: number;
  readonly use_threads?: boolean;
  readonly accept_gzip?: boolean;
  /** `[host, port]` for `set_http_proxy`. */
  readonly http_proxy?: readonly [string, number];
  /** `[host, port]` for `set_https_proxy`. */
  readonly https_proxy?: readonly [string, number];
}

/** What {@link HTTPRequest.fetch} resolves with: `request_completed`'s four arguments, by name. */
export interface FetchResponse {
  readonly result: number;
  readonly response_code: number;
  readonly headers: PoolStringArray;
  readonly body: PoolByteArray;
}

/** {@link HTTPRequest.fetch} rejects with this when `request()` refuses the request (bad URL or header). */
export class RequestRefusedError extends globalThis.Error {
  /** The `Error` code `request()` returned (ERR_INVALID_PARAMETER, ...). */
  readonly error: number;
  constructor(error: number, url: string) {
    super(`HTTPRequest refused the request to ${JSON.stringify(url)} (Error ${error})`);
    this.name = 'RequestRefusedError';
    this.error = error;
  }
}
