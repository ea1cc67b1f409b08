import { fromWhatwg, type ParsedUrl } from './url.js';
import type { HeaderField } from './request-validation.js';

/** The request a redirect leads to. */
export interface RedirectHop {
  readonly url: ParsedUrl;
  readonly method: string;
  readonly headers: HeaderField[];
  readonly body: Uint8Array | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Credentials that must not follow a redirect to another origin (curl CVE-2018-1000007, CVE-2022-27776).
const ORIGIN_BOUND_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Where a response redirects to, or `undefined` when it is the final response (not 301/302/303/307/308, no
 * `Location`, or a `Location` that is not http/https).
 *
 * Rules (RFC 9110 §15.4): the Location is resolved against the current URL (absolute, relative, `../`,
 * protocol-relative; the fragment dropped); 303 turns any method but HEAD into GET without a body; 301 and
 * 302 turn POST into GET without a body (what every browser does); 307/308 keep method and body. Content-*
 * headers go with a dropped body. Authorization, Cookie and Proxy-Authorization are dropped when the origin
 * (scheme, host or port) changes, and so is authorization that came from the URL's user info.
 */
export function followRedirect(
  current: ParsedUrl,
  statusCode: number,
  location: string | undefined,
  method: string,
  headers: readonly HeaderField[],
  body: Uint8Array | null,
): RedirectHop | undefined {
  if (!REDIRECT_STATUSES.has(statusCode) || location === undefined || location.trim() === '')
    return undefined;
  let resolved: URL;
  try {
    resolved = new URL(location.trim(), current.href);
  } catch {
    return undefined;
  }
  const next = fromWhatwg(resolved);
  if (next === undefined) return undefined;
  const dropBody =
    (statusCode === 303 && method !== 'HEAD') ||
    ((statusCode === 301 || statusCode === 302) && method === 'POST');
  const sameOrigin = next.tls === current.tls && next.host === current.host && next.port === current.port;
  const kept = headers.filter((field) => {
    const name = field.name.toLowerCase();
    if (dropBody && name.startsWith('content-')) return false;
    if (!sameOrigin && ORIGIN_BOUND_HEADERS.has(name)) return false;
    return true;
  });
  const authorization = next.authorization ?? (sameOrigin ? current.authorization : undefined);
  return {
    url: { ...next, authorization },
    method: dropBody ? 'GET' : method,
    headers: kept,
    body: dropBody ? null : body,
  };
}
