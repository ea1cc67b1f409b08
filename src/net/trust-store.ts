import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';

/**
 * The certificate authorities gdhttp trusts: Node's default store (its bundled roots plus any
 * `NODE_EXTRA_CA_CERTS` file), plus CAs added with {@link add_trusted_ca} or the `GDHTTP_CA_FILE` variable.
 *
 * This is gdhttp's equivalent of Godot's certificate-bundle override (`network/ssl/certificate_bundle_override`),
 * except that it adds to the default roots instead of replacing them.
 */
const extraAuthorities: string[] = [];
let cachedContext: SecureContext | undefined;

interface NativeSecureContext {
  addCACert(pem: string): void;
}

function loadEnvironmentFile(): void {
  const file = process.env['GDHTTP_CA_FILE'];
  if (file === undefined || file === '') return;
  extraAuthorities.push(readFileSync(file, 'utf8'));
}
loadEnvironmentFile();

/** Trusts the PEM certificate(s) in `pem` for every later TLS connection of every client in this process. */
export function add_trusted_ca(pem: string): void {
  extraAuthorities.push(pem);
  cachedContext = undefined;
}

/** Forgets every CA added with {@link add_trusted_ca} (the `GDHTTP_CA_FILE` one included). */
export function clear_trusted_cas(): void {
  extraAuthorities.length = 0;
  cachedContext = undefined;
}

/**
 * The secure context used for verified connections, or `undefined` when no CA was added (Node's default
 * context then applies). Passing `ca` to `tls.connect` would replace the default roots, so extra CAs are
 * appended to a default context instead.
 */
export function trusted_secure_context(): SecureContext | undefined {
  if (extraAuthorities.length === 0) return undefined;
  if (cachedContext === undefined) {
    // Node's SecureContext wraps a native context whose addCACert() appends to the default roots.
    const context = createSecureContext();
    const native: unknown = context.context;
    for (const pem of extraAuthorities) (native as NativeSecureContext).addCACert(pem);
    cachedContext = context;
  }
  return cachedContext;
}

/** The CAs added so far, to hand to a worker thread (each thread has its own copy of this module). */
export function trusted_cas(): readonly string[] {
  return extraAuthorities;
}

/** Replaces the added CAs with `pems` (a worker thread mirrors the main thread's list this way). */
export function replace_trusted_cas(pems: readonly string[]): void {
  if (pems.length === extraAuthorities.length && pems.every((pem, i) => pem === extraAuthorities[i])) return;
  extraAuthorities.splice(0, extraAuthorities.length, ...pems);
  cachedContext = undefined;
}
