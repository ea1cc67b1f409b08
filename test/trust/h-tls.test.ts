// Catalogue group H: TLS (cases 62–72), against the test PKI of test/servers/tls-fixtures.ts.
import assert from 'node:assert/strict';
import { createServer as createTlsServer } from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Result, add_trusted_ca } from '../../src/index.js';
import { replyAndKeep, responseBytes } from '../servers/raw-server.js';
import { getTlsFixtures, type KeyCert } from '../servers/tls-fixtures.js';
import { get, runCases, text, withRaw, type TrustCase } from './harness.js';

const OK = responseBytes({ body: 'ok' });

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
