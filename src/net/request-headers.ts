import type { HeaderField } from './request-validation.js';
import { USER_AGENT } from './version.js';

/** What the default headers depend on. */
export interface DefaultHeaderInputs {
  /** The `Host` value: host, plus `:port` when it is not the scheme's default, IPv6 in brackets. */
  readonly host: string;
  readonly method: string;
  readonly body: Uint8Array | null;
  /** `Accept-Encoding` to offer, or undefined to offer none. */
  readonly acceptEncoding?: string | undefined;
  /** `Proxy-Authorization` for a plain-HTTP request sent to a proxy. */
  readonly proxyAuthorization?: string | undefined;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The header list to send, flat (`[name, value, ...]`): `Host` first (RFC 9112 §3.2), then the caller's
 * headers in order and verbatim, then each default the caller did not give by name (case-insensitive):
 * `User-Agent`, `Accept: *\/*`, `Accept-Encoding`, `Content-Length` (also `0` for an empty POST/PUT/PATCH).
 */
export function buildRequestHeaders(fields: readonly HeaderField[], inputs: DefaultHeaderInputs): string[] {
  const given = new Set(fields.map((field) => field.name.toLowerCase()));
  const out: string[] = [];
  if (!given.has('host')) out.push('Host', inputs.host);
  for (const field of fields) out.push(field.name, wireValue(field.value));
  if (!given.has('user-agent')) out.push('User-Agent', USER_AGENT);
  if (!given.has('accept')) out.push('Accept', '*/*');
  if (inputs.acceptEncoding !== undefined && !given.has('accept-encoding')) {
    out.push('Accept-Encoding', inputs.acceptEncoding);
  }
  const length = inputs.body?.byteLength ?? 0;
  if (!given.has('content-length') && (length > 0 || METHODS_WITH_BODY.has(inputs.method))) {
    out.push('Content-Length', String(length));
  }
  if (inputs.proxyAuthorization !== undefined && !given.has('proxy-authorization')) {
    out.push('Proxy-Authorization', inputs.proxyAuthorization);
  }
  return out;
}

/** The `Host` header value for `host:port` under `scheme` (port omitted when it is the default). */
export function hostHeader(host: string, port: number, tls: boolean): string {
  const name = host.includes(':') ? `[${host}]` : host;
  return port === (tls ? 443 : 80) ? name : `${name}:${port}`;
}

/**
 * undici writes the header block as latin1; a value with characters past ASCII is sent as its UTF-8 bytes,
 * as Godot does, by handing undici the UTF-8 bytes spelled as latin1 characters.
 */
function wireValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}
