import type { ProxyEndpoint } from './connector.js';
import { hasControlBytes } from './request-validation.js';

/** A proxy setting: a proxy, none, or a value that was refused (requests then fail with ERR_INVALID_PARAMETER). */
export type ProxySetting = ProxyEndpoint | null | 'invalid';

/**
 * Reads Godot's `set_http_proxy(host, port)` arguments. An empty host or port -1 unsets the proxy (as the
 * reference says). gdhttp also accepts `user:pass@host`, sending those credentials as Basic
 * `Proxy-Authorization` to the proxy only, and an `http://` prefix.
 */
export function parseProxySetting(host: string, port: number): ProxySetting {
  if (host === '' || port === -1) return null;
  if (
    typeof host !== 'string' ||
    hasControlBytes(host) ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65535
  ) {
    return 'invalid';
  }
  let rest = host.replace(/^http:\/\//i, '');
  let authorization: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const credentials = rest.slice(0, at);
    rest = rest.slice(at + 1);
    authorization = `Basic ${Buffer.from(decodeURIComponentSafe(credentials), 'utf8').toString('base64')}`;
  }
  if (rest.startsWith('[') && rest.endsWith(']')) rest = rest.slice(1, -1);
  if (rest === '' || /[\s/?#@]/.test(rest)) return 'invalid';
  return { host: rest, port, authorization };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
