import { hasControlBytes } from './request-validation.js';

/** A request URL split the way a connection needs it. */
export interface ParsedUrl {
  readonly tls: boolean;
  /** Host name or IP, IPv6 without brackets, lower-cased by the WHATWG parser. */
  readonly host: string;
  readonly port: number;
  /** Origin-form target: path and query, percent-encoded, never empty (`/`). */
  readonly path: string;
  /** `Basic ...` built from `user:pass@` in the URL, when present. */
  readonly authorization?: string | undefined;
  /** The whole URL without user info and fragment, for resolving redirects. */
  readonly href: string;
}

/**
 * Parses a request URL as `HTTPRequest.request()` takes it: `http://` or `https://`, a non-empty host, a port
 * in 1–65535. Returns `undefined` (→ ERR_INVALID_PARAMETER) for anything else, and for any control byte in
 * the text: the WHATWG parser silently drops tabs and newlines, which would hide an injection attempt.
 * gdhttp accepts bracketed IPv6 literals, which Godot refuses by a host-length quirk.
 */
export function parseRequestUrl(text: string): ParsedUrl | undefined {
  if (typeof text !== 'string') return undefined;
  // Games poll the same few URLs; the WHATWG parser is the costliest step of a small request.
  const cached = recentUrls.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseUncached(text);
  if (parsed !== undefined) {
    if (recentUrls.size >= RECENT_URL_LIMIT) recentUrls.clear();
    recentUrls.set(text, parsed);
  }
  return parsed;
}

const RECENT_URL_LIMIT = 256;
const recentUrls = new Map<string, ParsedUrl>();

function parseUncached(text: string): ParsedUrl | undefined {
  if (hasControlBytes(text)) return undefined;
  if (!/^https?:\/\//i.test(text.trim())) return undefined;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  return fromWhatwg(url);
}

/** Splits an already-parsed WHATWG URL (a redirect target), or `undefined` when it is not http(s). */
export function fromWhatwg(url: URL): ParsedUrl | undefined {
  const tls = url.protocol === 'https:';
  if (!tls && url.protocol !== 'http:') return undefined;
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') return undefined;
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  let authorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    const credentials = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
    authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  clean.hash = '';
  return { tls, host, port, path: `${url.pathname || '/'}${url.search}`, authorization, href: clean.href };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
