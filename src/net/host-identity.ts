import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/**
 * Node's certificate host-name check, plus one rule it lacks: an IDN host (a label in `xn--` A-label form)
 * is never matched by a partial-label wildcard such as `x*.example` (curl CVE-2023-28321; OpenSSL's
 * `X509_check_host` refuses it too). Returns an Error when the certificate does not fit `host`.
 */
export function check_host_identity(host: string, cert: PeerCertificate): Error | undefined {
  const error = checkServerIdentity(host, cert);
  if (error !== undefined) return error;
  const name = host.toLowerCase().replace(/\.$/, '');
  const firstLabel = name.split('.')[0] ?? '';
  if (!firstLabel.startsWith('xn--')) return undefined;
  const dnsNames = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase().replace(/\.$/, ''));
  const rest = name.slice(firstLabel.length);
  const matchedWithoutPartialWildcard = dnsNames.some(
    (pattern) => pattern === name || pattern === `*${rest}`,
  );
  if (matchedWithoutPartialWildcard) return undefined;
  return new globalThis.Error(
    `"${host}" is an IDN host matched only by a partial wildcard in the certificate`,
  );
}
