import { BlockList, isIP } from 'node:net';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** A proxy for `set_http_proxy(host, port)` / `set_https_proxy(host, port)`. */
export interface ProxyAddress {
  /** The host as HTTPRequest takes it: `user:pass@host` when credentials were given, IPv6 in brackets. */
  readonly host: string;
  readonly port: number;
}

/** curl's default proxy port when none is given. */
const DEFAULT_PROXY_PORT = 1080;

/**
 * Reads a proxy as curl's `-x` and the `*_proxy` variables take it: `[http://][user:pass@]host[:port][/]`.
 * Only plain HTTP proxies exist in HTTPRequest, so any other scheme (https://, socks5://) is refused.
 * Throws a usage {@link CliError} naming `source` (the option or variable) when the value is not a proxy.
 */
export function parse_proxy(value: string, source: string): ProxyAddress {
  const refuse = (why: string): never => {
    throw new CliError(ExitCode.USAGE, `${source}: ${JSON.stringify(value)} is not a proxy (${why})`);
  };
  let rest = value.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme !== null) {
    if (scheme[1]?.toLowerCase() !== 'http') refuse('only http:// proxies are supported');
    rest = rest.slice(scheme[0].length);
  }
  rest = rest.replace(/\/+$/, '');
  const at = rest.lastIndexOf('@');
  const credentials = at === -1 ? '' : rest.slice(0, at + 1);
  const hostPort = at === -1 ? rest : rest.slice(at + 1);
  const match = /^(\[[0-9a-f:.]+\]|[^:/[\]\s]+)(?::(\d+))?$/i.exec(hostPort);
  if (match === null) return refuse('expected HOST:PORT');
  const port = match[2] === undefined ? DEFAULT_PROXY_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) refuse('the port must be 1-65535');
  return { host: `${credentials}${match[1] ?? ''}`, port };
}

/** The first non-empty variable among `names`, with its name (curl reads the lower-case spelling first). */
function first_variable(env: NodeJS.ProcessEnv, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return [name, value];
  }
  return undefined;
}

/**
 * Whether `no_proxy` / `NO_PROXY` exempts `hostname`, as curl reads it: a comma- or space-separated list of
 * host names (matching the name and its subdomains; a leading dot is ignored), IP addresses, IPv4/IPv6 CIDR
 * ranges, or `*` for every host. Ports in entries are ignored.
 */
export function is_proxy_exempt(hostname: string, env: NodeJS.ProcessEnv): boolean {
  const found = first_variable(env, ['no_proxy', 'NO_PROXY']);
  if (found === undefined) return false;
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  const family = isIP(host);
  for (const raw of found[1].split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    entry = entry.replace(/^\[(.*)\](:\d+)?$/, '$1');
    const slash = entry.indexOf('/');
    if (slash !== -1) {
      const network = entry.slice(0, slash);
      const prefix = Number(entry.slice(slash + 1));
      const networkFamily = isIP(network);
      if (family === 0 || networkFamily !== family || !Number.isInteger(prefix)) continue;
      const list = new BlockList();
      try {
        list.addSubnet(network, prefix, family === 6 ? 'ipv6' : 'ipv4');
      } catch {
        continue; // a prefix out of range: curl ignores the entry too
      }
      if (list.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
      continue;
    }
    if (isIP(entry) === 0) entry = entry.replace(/:\d+$/, '').replace(/^\.+/, '').replace(/\.$/, '');
    if (host === entry || (family === 0 && host.endsWith(`.${entry}`))) return true;
  }
  return false;
}

/** The proxies a request should use: one for http:// hops and one for https:// hops (after redirects too). */
export interface ProxyChoice {
  readonly http: ProxyAddress | undefined;
  readonly https: ProxyAddress | undefined;
}

/**
 * Picks the proxies for a request to `url`, as curl does: `--https-proxy` for https:// URLs, else `--proxy`
 * (which serves both schemes, like curl's `-x`), else `http_proxy`/`HTTP_PROXY` for http:// and
 * `https_proxy`/`HTTPS_PROXY` for https:// (lower case first). `no_proxy`/`NO_PROXY` exempts hosts from all of
 * them, options included, as curl does. A malformed variable is an error only for the URL's own scheme.
 */
export function choose_proxies(
  url: URL,
  options: { proxy: ProxyAddress | undefined; https_proxy: ProxyAddress | undefined },
  env: NodeJS.ProcessEnv,
): ProxyChoice {
  if (is_proxy_exempt(url.hostname, env)) return { http: undefined, https: undefined };
  const fromEnv = (names: readonly string[], scheme: string): ProxyAddress | undefined => {
    const found = first_variable(env, names);
    if (found === undefined) return undefined;
    try {
      return parse_proxy(found[1], found[0]);
    } catch (error) {
      if (url.protocol === scheme) throw error;
      return undefined;
    }
  };
  return {
    http: options.proxy ?? fromEnv(['http_proxy', 'HTTP_PROXY'], 'http:'),
    https: options.https_proxy ?? options.proxy ?? fromEnv(['https_proxy', 'HTTPS_PROXY'], 'https:'),
  };
}
