// Catalogue group H: TLS (cases 62–72), against the test PKI of test/servers/tls-fixtures.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer as createTlsServer } from 'node:tls';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Result, add_trusted_ca, close_idle_connections } from '../../src/index.js';
import { replyAndKeep, responseBytes, type RawHandler } from '../servers/raw-server.js';
import { OPENSSL, getTlsFixtures, type KeyCert } from '../servers/tls-fixtures.js';
import { get, runCases, text, withRaw, type TrustCase } from './harness.js';

const OK = responseBytes({ body: 'ok' });

const execFileAsync = promisify(execFile);

/** Extra H67 leaves, signed by the fixtures' test CA: `[name, subjectAltName]`. */
const H67_LEAVES = [
  // dNSName "localhost\0.evil": an embedded NUL (curl CVE-2009-2417), as raw DER.
  ['nul', 'DER:3011820f6c6f63616c686f7374002e6576696c'],
  ['wild', 'DNS:*.wild.test'],
  ['partial', 'DNS:x*.wild.test'],
  ['wildip', 'DNS:*.0.0.1'],
  ['dnsip', 'DNS:127.0.0.1'],
] as const;
type H67Leaf = (typeof H67_LEAVES)[number][0];

let h67Leaves: Promise<Record<H67Leaf, KeyCert>> | undefined;

/** Issues the H67 leaves once per process (about 0.2 s), in a temp dir removed on exit. */
function getH67Leaves(): Promise<Record<H67Leaf, KeyCert>> {
  h67Leaves ??= (async () => {
    const fx = await getTlsFixtures();
    const dir = mkdtempSync(join(tmpdir(), 'gdhttp-trust-h67-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const out = {} as Record<H67Leaf, KeyCert>;
    for (const [name, san] of H67_LEAVES) {
      const keyFile = join(dir, `${name}.key`);
      const certFile = join(dir, `${name}.cert`);
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName = ${san}\nbasicConstraints = critical, CA:FALSE\n`,
      );
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      await execFileAsync(
        OPENSSL,
        [
          'req',
          '-new',
          ...ec,
          '-keyout',
          keyFile,
          '-out',
          join(dir, `${name}.csr`),
          '-subj',
          `/CN=h67-${name}`,
        ],
        { timeout: 30_000 },
      );
      await execFileAsync(
        OPENSSL,
        [
          'x509',
          '-req',
          '-in',
          join(dir, `${name}.csr`),
          '-CA',
          join(fx.dir, 'ca.cert'),
          '-CAkey',
          join(fx.dir, 'ca.key'),
          '-set_serial',
          String(0x6700 + H67_LEAVES.findIndex(([n]) => n === name)),
          '-days',
          '30',
          '-extfile',
          join(dir, `${name}.ext`),
          '-out',
          certFile,
        ],
        { timeout: 30_000 },
      );
      out[name] = {
        key: readFileSync(keyFile, 'utf8'),
        cert: readFileSync(certFile, 'utf8'),
        keyFile,
        certFile,
      };
    }
    return out;
  })();
  return h67Leaves;
}

/**
 * A CONNECT proxy that tunnels every target, whatever its name, to the loopback `originPort` (and records the
 * CONNECT lines). It lets a test use host names that exist nowhere (trailing dot, wildcard matches, IDN)
 * without a single DNS lookup: the client resolves only the proxy.
 */
function tunnelEverythingTo(originPort: number, connects: string[]): RawHandler {
  return (socket, head) => {
    connects.push(head.toString('latin1').split('\r\n')[0] ?? '');
    const upstream = tcpConnect(originPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  };
}

/** `global.gc`, obtained without --expose-gc. */
function getGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const activeResources = (): string[] =>
  process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'Timeout');

function tlsCase(pick: (fx: Awaited<ReturnType<typeof getTlsFixtures>>) => KeyCert, host = 'localhost') {
  return async (use_threads: boolean): Promise<void> => {
    const fx = await getTlsFixtures();
    add_trusted_ca(fx.ca);
    await withRaw(
      replyAndKeep(OK),
      async (server) => {
        const r = await get(`https://${host}:${server.port}/`, use_threads);
        assert.equal(r.result, Result.RESULT_SSL_HANDSHAKE_ERROR);
        assert.equal(server.heads.length, 0, 'no request bytes after a failed handshake');
      },
      { tls: pick(fx) },
    );
  };
}

const cases: TrustCase[] = [
  {
    id: 'H62',
    title: 'expired and not-yet-valid certificates are SSL_HANDSHAKE_ERROR',
    run: async (use_threads) => {
      await tlsCase((fx) => fx.expired)(use_threads);
      await tlsCase((fx) => fx.notYetValid)(use_threads);
    },
  },
  { id: 'H63', title: 'a self-signed leaf is SSL_HANDSHAKE_ERROR', run: tlsCase((fx) => fx.selfSigned) },
  {
    id: 'H64',
    title: 'a chain to an untrusted root is SSL_HANDSHAKE_ERROR',
    run: tlsCase((fx) => fx.untrustedRoot),
  },
  {
    id: 'H65',
    title: 'a certificate for another host name is SSL_HANDSHAKE_ERROR',
    run: tlsCase((fx) => fx.wrongHost),
  },
  {
    id: 'H66',
    title: 'an IP target matches the iPAddress SAN; the trusted valid cert works by IP and by name',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      await withRaw(
        replyAndKeep(OK),
        async (server) => {
          for (const host of ['127.0.0.1', 'localhost']) {
            const r = await get(`https://${host}:${server.port}/`, use_threads);
            assert.equal(r.result, Result.RESULT_SUCCESS, host);
            assert.equal(text(r.body), 'ok');
          }
        },
        { tls: fx.valid },
      );
    },
  },
  {
    id: 'H67',
    title:
      'name matching: an embedded NUL never matches, a trailing dot verifies like the bare name, a wildcard takes exactly one label and never a partial A-label or an IP',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const leaves = await getH67Leaves();
      // Direct: the NUL name, and wildcard / DNS-type SANs against an IP target.
      const direct: [KeyCert, string][] = [
        [leaves.nul, 'localhost'],
        [leaves.wildip, '127.0.0.1'],
        [leaves.dnsip, '127.0.0.1'],
      ];
      for (const [leaf, host] of direct) {
        await withRaw(
          replyAndKeep(OK),
          async (server) => {
            const r = await get(`https://${host}:${server.port}/`, use_threads);
            assert.equal(r.result, Result.RESULT_SSL_HANDSHAKE_ERROR, `${host} vs ${leaf.certFile}`);
            assert.equal(server.heads.length, 0);
          },
          { tls: leaf },
        );
      }
      // Through a tunnelling proxy, so names that exist nowhere are never looked up.
      const named: [KeyCert, string, number][] = [
        [fx.valid, 'localhost.', Result.RESULT_SUCCESS],
        [leaves.wild, 'a.wild.test', Result.RESULT_SUCCESS],
        [leaves.wild, 'a.b.wild.test', Result.RESULT_SSL_HANDSHAKE_ERROR],
        [leaves.wild, 'wild.test', Result.RESULT_SSL_HANDSHAKE_ERROR],
        [leaves.partial, 'xyz.wild.test', Result.RESULT_SUCCESS],
        // "straße" is xn--strae-oqa: a partial wildcard must not match an A-label (curl CVE-2023-28321).
        [leaves.partial, 'straße.wild.test', Result.RESULT_SSL_HANDSHAKE_ERROR],
      ];
      for (const [leaf, host, expected] of named) {
        await withRaw(
          replyAndKeep(OK),
          async (origin) => {
            const connects: string[] = [];
            await withRaw(tunnelEverythingTo(origin.port, connects), async (proxy) => {
              const r = await get(`https://${host}:${origin.port}/`, use_threads, {
                https_proxy: ['127.0.0.1', proxy.port],
              });
              assert.equal(r.result, expected, `https://${host}/ with ${leaf.certFile}`);
              assert.equal(origin.heads.length, expected === Result.RESULT_SUCCESS ? 1 : 0);
              assert.equal(connects.length, 1);
            });
          },
          { tls: leaf },
        );
      }
    },
  },
  {
    id: 'H68',
    title: 'a TLS 1.0-only server is refused',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const server = createTlsServer(
        {
          key: fx.valid.key,
          cert: fx.valid.cert,
          minVersion: 'TLSv1',
          maxVersion: 'TLSv1',
          ciphers: 'DEFAULT@SECLEVEL=0',
        },
        (socket) => socket.end(OK),
      );
      server.on('tlsClientError', () => undefined);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const r = await get(`https://localhost:${(server.address() as AddressInfo).port}/`, use_threads);
        assert.equal(r.result, Result.RESULT_SSL_HANDSHAKE_ERROR);
      } finally {
        server.close();
      }
    },
  },
  {
    id: 'H69',
    title: 'SNI carries the host name, and none for an IP literal',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      const names: (string | false | null)[] = [];
      const server = createTlsServer({ key: fx.valid.key, cert: fx.valid.cert }, (socket) => {
        names.push(socket.servername);
        socket.end(OK);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const port = (server.address() as AddressInfo).port;
        assert.equal((await get(`https://localhost:${port}/`, use_threads)).result, Result.RESULT_SUCCESS);
        assert.equal((await get(`https://127.0.0.1:${port}/`, use_threads)).result, Result.RESULT_SUCCESS);
        assert.deepEqual(names, ['localhost', false]);
      } finally {
        server.close();
      }
    },
  },
  {
    id: 'H70',
    title: 'ssl_validate_domain false accepts an expired certificate for that request only',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      add_trusted_ca(fx.ca);
      await withRaw(
        replyAndKeep(OK),
        async (server) => {
          const url = `https://localhost:${server.port}/`;
          assert.equal(
            (await get(url, use_threads, { ssl_validate_domain: false })).result,
            Result.RESULT_SUCCESS,
          );
          assert.equal((await get(url, use_threads)).result, Result.RESULT_SSL_HANDSHAKE_ERROR);
        },
        { tls: fx.expired },
      );
    },
  },
  {
    id: 'H71',
    title: '300 failed handshakes (self-signed) leave no descriptor, handle or heap growth behind',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      const gc = getGc();
      await withRaw(
        replyAndKeep(OK),
        async (server) => {
          const url = `https://localhost:${server.port}/`;
          const fail = async (): Promise<void> => {
            const r = await get(url, use_threads);
            assert.equal(r.result, Result.RESULT_SSL_HANDSHAKE_ERROR);
          };
          // Warm-up (worker pool, TLS context, lazy modules) before the baseline.
          for (let i = 0; i < 20; i += 1) await fail();
          close_idle_connections();
          gc();
          const baseFds = openFds();
          const baseResources = activeResources().length;
          const baseHeap = process.memoryUsage().heapUsed;
          for (let round = 0; round < 12; round += 1) await Promise.all(Array.from({ length: 25 }, fail));
          assert.equal(server.heads.length, 0, 'no request ever sent');
          close_idle_connections();
          const deadline = Date.now() + 3000;
          while ((openFds() > baseFds || activeResources().length > baseResources) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
          gc();
          const heapGrowth = process.memoryUsage().heapUsed - baseHeap;
          assert.ok(openFds() <= baseFds, `fds ${openFds()} > ${baseFds}`);
          assert.ok(activeResources().length <= baseResources, `resources ${activeResources().join()}`);
          assert.ok(heapGrowth < 4 * 1024 * 1024, `heap grew by ${heapGrowth} bytes over 300 failures`);
        },
        { tls: fx.selfSigned },
      );
    },
  },
  {
    id: 'H72',
    title: 'a pooled connection made without verification is not reused for a verified request',
    run: async (use_threads) => {
      const fx = await getTlsFixtures();
      await withRaw(
        replyAndKeep(OK),
        async (server) => {
          const url = `https://localhost:${server.port}/`;
          const insecure = await get(url, use_threads, { ssl_validate_domain: false });
          assert.equal(insecure.result, Result.RESULT_SUCCESS);
          const verified = await get(url, use_threads);
          assert.equal(verified.result, Result.RESULT_SSL_HANDSHAKE_ERROR);
          assert.equal(server.heads.length, 1);
        },
        { tls: fx.selfSigned },
      );
    },
  },
];

runCases('H TLS', cases);
