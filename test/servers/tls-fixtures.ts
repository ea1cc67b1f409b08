/**
 * Test PKI generated at test time with the system `openssl` binary (OpenSSL 3.0 or later).
 *
 * Everything is written to one temporary directory, generated once per process (the promise is cached)
 * and removed when the process exits. Keys are ECDSA P-256, which keeps generation fast.
 *
 * | fixture         | signed by            | validity                  | subjectAltName                           |
 * |-----------------|----------------------|---------------------------|------------------------------------------|
 * | `valid`         | test CA (`ca`)       | now-1d .. +10 years       | DNS:localhost, IP:127.0.0.1, IP:::1      |
 * | `expired`       | test CA              | 2020-01-01 .. 2020-02-01  | same as `valid`                          |
 * | `notYetValid`   | test CA              | 2090-01-01 .. 2091-01-01  | same as `valid`                          |
 * | `wrongHost`     | test CA              | now-1d .. +10 years       | DNS:example.invalid only                 |
 * | `selfSigned`    | itself               | now .. +10 years          | same as `valid`                          |
 * | `untrustedRoot` | a second CA (`untrustedCa`, never given to clients) | now-1d .. +10 years | same as `valid` |
 *
 * Expected results from Node's TLS client with `ca: fixtures.ca` and `servername: 'localhost'`:
 * `valid` succeeds, `expired` → `CERT_HAS_EXPIRED`, `notYetValid` → `CERT_NOT_YET_VALID`,
 * `wrongHost` → `ERR_TLS_CERT_ALTNAME_INVALID`, `selfSigned` → `DEPTH_ZERO_SELF_SIGNED_CERT`,
 * `untrustedRoot` → `UNABLE_TO_VERIFY_LEAF_SIGNATURE`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Path of the `openssl` binary used to build the fixtures. */
export const OPENSSL = '/usr/bin/openssl';

/** A PEM key and certificate, with the files they were written to. */
export interface KeyCert {
  /** PEM private key (unencrypted PKCS#8). */
  key: string;
  /** PEM certificate (leaf only, no chain). */
  cert: string;
  /** Absolute path of the key file. */
  keyFile: string;
  /** Absolute path of the certificate file. */
  certFile: string;
}

/** Every fixture produced by {@link getTlsFixtures}. */
export interface TlsFixtures {
  /** Temporary directory holding every file; removed on process exit. */
  dir: string;
  /** PEM certificate of the test CA that clients should trust. */
  ca: string;
  /** Path of {@link TlsFixtures.ca} on disk (for `GDHTTP_CA_FILE`-style settings). */
  caFile: string;
  /** PEM certificate of the second CA that signs `untrustedRoot`; never give it to clients. */
  untrustedCa: string;
  /** Valid leaf for localhost, 127.0.0.1 and ::1, signed by the test CA. */
  valid: KeyCert;
  /** Leaf like `valid` but valid only 2020-01-01 .. 2020-02-01. */
  expired: KeyCert;
  /** Leaf like `valid` but valid only from 2090-01-01. */
  notYetValid: KeyCert;
  /** Leaf signed by the test CA whose only SAN is DNS:example.invalid. */
  wrongHost: KeyCert;
  /** Self-signed leaf for localhost, 127.0.0.1 and ::1. */
  selfSigned: KeyCert;
  /** Leaf for localhost, 127.0.0.1 and ::1 signed by the untrusted second CA. */
  untrustedRoot: KeyCert;
}

const GOOD_SAN = 'DNS:localhost,IP:127.0.0.1,IP:::1';

let cached: Promise<TlsFixtures> | undefined;

/**
 * Generates (on first call) and returns the test PKI. Later calls in the same process return the same
 * fixtures. Rejects if `openssl` fails; the error message includes openssl's stderr.
 */
export function getTlsFixtures(): Promise<TlsFixtures> {
  cached ??= generate();
  return cached;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(OPENSSL, args, { cwd, timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `openssl ${args.join(' ')} failed: ${typeof stderr === 'string' ? stderr : String(error)}`,
      {
        cause: error,
      },
    );
  }
}

function opensslConfig(dir: string, caName: string): string {
  return [
    '[ req ]',
    'distinguished_name = req_dn',
    'prompt = no',
    '[ req_dn ]',
    'CN = placeholder',
    '[ v3_ca ]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '[ ca ]',
    'default_ca = CA_default',
    '[ CA_default ]',
    `dir = ${dir}`,
    `database = ${join(dir, `${caName}-index.txt`)}`,
    `new_certs_dir = ${join(dir, 'newcerts')}`,
    `serial = ${join(dir, `${caName}-serial`)}`,
    `certificate = ${join(dir, `${caName}.cert`)}`,
    `private_key = ${join(dir, `${caName}.key`)}`,
    'default_md = sha256',
    'default_days = 3650',
    'policy = policy_any',
    'unique_subject = no',
    'email_in_dn = no',
    'copy_extensions = none',
    '[ policy_any ]',
    'commonName = supplied',
    '',
  ].join('\n');
}

function leafExtensions(san: string): string {
  return [
    '[ leaf ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    `subjectAltName = ${san}`,
    '',
  ].join('\n');
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string, cn: string): Promise<void> {
  const cnf = join(dir, `${name}.cnf`);
  writeFileSync(cnf, opensslConfig(dir, name));
  writeFileSync(join(dir, `${name}-index.txt`), '');
  writeFileSync(join(dir, `${name}-serial`), '1000\n');
  await openssl(dir, [
    'req',
    '-config',
    cnf,
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.cert`,
    '-days',
    '3650',
    '-subj',
    `/CN=${cn}`,
    '-extensions',
    'v3_ca',
  ]);
}

/** `YYYYMMDDHHMMSSZ` (GeneralizedTime) for `openssl ca -startdate/-enddate`. */
function opensslDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

async function makeLeaf(
  dir: string,
  name: string,
  ca: string,
  san: string,
  startDate: string,
  endDate: string,
): Promise<KeyCert> {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, leafExtensions(san));
  await openssl(dir, [
    'req',
    '-config',
    join(dir, `${ca}.cnf`),
    '-new',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    '/CN=localhost',
  ]);
  await openssl(dir, [
    'ca',
    '-config',
    join(dir, `${ca}.cnf`),
    '-batch',
    '-notext',
    '-rand_serial',
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.cert`,
    '-startdate',
    startDate,
    '-enddate',
    endDate,
    '-extfile',
    ext,
    '-extensions',
    'leaf',
  ]);
  return readKeyCert(dir, name);
}

function readKeyCert(dir: string, name: string): KeyCert {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.cert`);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), keyFile, certFile };
}

async function generate(): Promise<TlsFixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'gdhttp-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'newcerts'));

  const now = Date.now();
  const day = 86_400_000;
  const from = opensslDate(new Date(now - day));
  const to = opensslDate(new Date(now + 3650 * day));

  await Promise.all([
    makeCa(dir, 'ca', 'gdhttp Test CA'),
    makeCa(dir, 'untrusted-ca', 'gdhttp Untrusted CA'),
  ]);

  // `openssl ca` updates its index file, so leaves of the same CA are signed one after another.
  const valid = await makeLeaf(dir, 'valid', 'ca', GOOD_SAN, from, to);
  const expired = await makeLeaf(dir, 'expired', 'ca', GOOD_SAN, '20200101000000Z', '20200201000000Z');
  const notYetValid = await makeLeaf(
    dir,
    'not-yet-valid',
    'ca',
    GOOD_SAN,
    '20900101000000Z',
    '20910101000000Z',
  );
  const wrongHost = await makeLeaf(dir, 'wrong-host', 'ca', 'DNS:example.invalid', from, to);
  const untrustedRoot = await makeLeaf(dir, 'untrusted-root', 'untrusted-ca', GOOD_SAN, from, to);

  await openssl(dir, [
    'req',
    '-config',
    join(dir, 'ca.cnf'),
    '-x509',
    ...EC_KEY,
    '-keyout',
    'self-signed.key',
    '-out',
    'self-signed.cert',
    '-days',
    '3650',
    '-subj',
    '/CN=localhost',
    '-addext',
    `subjectAltName = ${GOOD_SAN}`,
    '-addext',
    'basicConstraints = critical, CA:FALSE',
  ]);
  const selfSigned = readKeyCert(dir, 'self-signed');

  return {
    dir,
    ca: readFileSync(join(dir, 'ca.cert'), 'utf8'),
    caFile: join(dir, 'ca.cert'),
    untrustedCa: readFileSync(join(dir, 'untrusted-ca.cert'), 'utf8'),
    valid,
    expired,
    notYetValid,
    wrongHost,
    selfSigned,
    untrustedRoot,
  };
}
