import { framingIsConsistent, methodName, parseHeaderLines, type HeaderField } from './request-validation.js';
import { parseRequestUrl, type ParsedUrl } from './url.js';
import type { ProxySetting } from './proxy-config.js';

/**
 * Everything one `HTTPRequest.request()` call needs, as plain data (it crosses to a worker thread when
 * `use_threads` is on): the call's arguments plus the node's properties at the time of the call.
 */
export interface RequestOptions {
  readonly url: string;
  readonly custom_headers: readonly string[];
  readonly ssl_validate_domain: boolean;
  readonly method: number;
  readonly body: Uint8Array;
  readonly body_size_limit: number;
  readonly download_chunk_size: number;
  readonly download_file: string;
  readonly max_redirects: number;
  readonly timeout: number;
  readonly accept_gzip: boolean;
  readonly http_proxy: ProxySetting;
  readonly https_proxy: ProxySetting;
}

/** A validated request: the first hop of what may become a redirect chain. */
export interface PreparedRequest {
  readonly options: RequestOptions;
  readonly url: ParsedUrl;
  readonly method: string;
  readonly headers: HeaderField[];
  readonly body: Uint8Array | null;
}

/**
 * Validates a request before anything is sent: the URL (http/https, host, port 1–65535, no control bytes),
 * every header line, the method, and the proxy for the URL's scheme. Returns `undefined` when any of them
 * is bad — `request()` then returns ERR_INVALID_PARAMETER and no byte leaves the machine.
 */
export function prepareRequest(options: RequestOptions): PreparedRequest | undefined {
  const url = parseRequestUrl(options.url);
  const method = methodName(options.method);
  const headers = Array.isArray(options.custom_headers)
    ? parseHeaderLines(options.custom_headers)
    : undefined;
  if (url === undefined || method === undefined || headers === undefined) return undefined;
  if (!framingIsConsistent(headers, options.body.byteLength)) return undefined;
  if ((url.tls ? options.https_proxy : options.http_proxy) === 'invalid') return undefined;
  return { options, url, method, headers, body: options.body.byteLength > 0 ? options.body : null };
}
