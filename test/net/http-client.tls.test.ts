/**
 * HTTPClient over TLS with the generated test PKI: every bad certificate is SSL_HANDSHAKE_ERROR when
 * verifying, every one is accepted with `verify_host = false` (Godot 3), and the test CA becomes trusted
 * through `HTTPClient.add_trusted_ca`. Trust is process-wide, so this file does TLS only and adds the CA
 * once, after the tests that need it untrusted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { OK } from '../../src/core/error.js';
import { HTTPClient } from '../../src/net/http-client.js';
import { clear_trusted_cas } from '../../src/net/trust-store.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { getTlsFixtures, type KeyCert, type TlsFixtures } from '../servers/tls-fixtures.js';
import { pollOnce, pollWhile } from './http-client-polling.js';

const {
  STATUS_RESOLVING,
  STATUS_CONNECTING,
  STATUS_CONNECTED,
  STATUS_REQUESTING,
  STATUS_BODY,
  STATUS_SSL_HANDSHAKE_ERROR,
} = HTTPClient;

/** GETs `path` on a CONNECTED client and returns the body as text. */
async function get(client: HTTPClient, path: string): Promise<string> {
  assert.equal(client.request(HTTPClient.METHOD_GET, path, []), OK);
  await pollWhile(client, [STATUS_REQUESTING]);
  const parts: Buffer[] = [];
  for (let i = 0; i < 1000 && client.get_status() === STATUS_BODY; i++) {
    await pollOnce(client, 5000);
    parts.push(Buffer.from(client.read_response_body_chunk()));
  }
  assert.equal(client.get_status(), STATUS_CONNECTED);
  return Buffer.concat(parts).toString('utf8');
}

/** Connects with TLS and returns the statuses seen until the connection phase ended. */
async function connectTls(
  client: HTTPClient,
  host: string,
  port: number,
  verify: boolean,
): Promise<number[]> {
  assert.equal(client.connect_to_host(host, port, true, verify), OK);
  return pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]);
}

type FixtureName = 'valid' | 'expired' | 'notYetValid' | 'wrongHost' | 'selfSigned' | 'untrustedRoot';
const ALL: FixtureName[] = ['valid', 'expired', 'notYetValid', 'wrongHost', 'selfSigned', 'untrustedRoot'];
const BAD: FixtureName[] = ['expired', 'notYetValid', 'wrongHost', 'selfSigned', 'untrustedRoot'];

describe('HTTPClient TLS', () => {
  let fx: TlsFixtures;
  const servers = new Map<FixtureName, Httpbin>();
  before(async () => {
    fx = await getTlsFixtures();
    for (const name of ALL) servers.set(name, await startHttpbin({ tls: fx[name] satisfies KeyCert }));
  });
  after(async () => {
    clear_trusted_cas();
    await Promise.all([...servers.values()].map((server) => server.close()));
  });
  const port = (name: FixtureName): number => {
    const server = servers.get(name);
    assert.ok(server);
    return server.port;
  };

  test('without the test CA, even the valid certificate is SSL_HANDSHAKE_ERROR (untrusted issuer)', async () => {
    const client = new HTTPClient();
    try {
      assert.deepEqual(await connectTls(client, 'localhost', port('valid'), true), [
        STATUS_RESOLVING,
        STATUS_CONNECTING,
        STATUS_SSL_HANDSHAKE_ERROR,
      ]);
    } finally {
      client.close();
    }
  });

  for (const name of ALL) {
    test(`verify_host = false accepts the ${name} certificate and the request goes through`, async () => {
      const client = new HTTPClient();
      try {
        assert.deepEqual(await connectTls(client, 'localhost', port(name), false), [
          STATUS_RESOLVING,
          STATUS_CONNECTING,
          STATUS_CONNECTED,
        ]);
        const echo = JSON.parse(await get(client, '/get?tls=1')) as { url: string };
        assert.equal(echo.url, `https://localhost:${port(name)}/get?tls=1`);
      } finally {
        client.close();
      }
    });
  }

  test('an https:// prefix turns TLS on (use_ssl false)', async () => {
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host(`https://localhost`, port('selfSigned'), false, false), OK);
      await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]);
      assert.equal(client.get_status(), STATUS_CONNECTED);
      const echo = JSON.parse(await get(client, '/get')) as { url: string };
      assert.equal(echo.url, `https://localhost:${port('selfSigned')}/get`);
    } finally {
      client.close();
    }
  });

  test('GDHTTP_CA_FILE trusts the CA in a fresh process (checked in a child, so this one stays untouched)', async () => {
    const clientModule = new URL('../../src/net/http-client.ts', import.meta.url).href;
    const script = `
import { HTTPClient } from ${JSON.stringify(clientModule)};
const client = new HTTPClient();
client.connect_to_host('localhost', ${port('valid')}, true, true);
while ([HTTPClient.STATUS_RESOLVING, HTTPClient.STATUS_CONNECTING].includes(client.get_status())) await client.poll();
console.log(client.get_status());
client.close();
`;
    const run = (env: NodeJS.ProcessEnv): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          env,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('error', reject);
        child.on('close', () => {
          clearTimeout(killer);
          resolve(out.trim());
        });
      });
    const { GDHTTP_CA_FILE: _ignored, ...env } = process.env;
    const [withFile, withoutFile] = await Promise.all([run({ ...env, GDHTTP_CA_FILE: fx.caFile }), run(env)]);
    assert.equal(withFile, String(STATUS_CONNECTED));
    assert.equal(withoutFile, String(STATUS_SSL_HANDSHAKE_ERROR));
  });

  describe('with the test CA added through HTTPClient.add_trusted_ca', () => {
    before(() => {
      HTTPClient.add_trusted_ca(fx.ca);
    });

    test('the valid certificate connects by name, with SNI, and keeps the connection alive', async () => {
      const server = servers.get('valid');
      assert.ok(server);
      const before = server.connectionCount();
      const client = new HTTPClient();
      try {
        assert.deepEqual(await connectTls(client, 'localhost', server.port, true), [
          STATUS_RESOLVING,
          STATUS_CONNECTING,
          STATUS_CONNECTED,
        ]);
        for (let i = 0; i < 3; i++) {
          const echo = JSON.parse(await get(client, `/get?i=${i}`)) as { args: Record<string, string> };
          assert.deepEqual(echo.args, { i: String(i) });
        }
        assert.equal(server.connectionCount(), before + 1);
      } finally {
        client.close();
      }
    });

    test('the valid certificate connects by IP literal (SAN 127.0.0.1, no SNI)', async () => {
      const client = new HTTPClient();
      try {
        assert.deepEqual(await connectTls(client, '127.0.0.1', port('valid'), true), [
          STATUS_CONNECTING,
          STATUS_CONNECTED,
        ]);
        const echo = JSON.parse(await get(client, '/get')) as { url: string };
        assert.equal(echo.url, `https://127.0.0.1:${port('valid')}/get`);
      } finally {
        client.close();
      }
    });

    for (const name of BAD) {
      test(`the ${name} certificate is SSL_HANDSHAKE_ERROR and no request reaches the server`, async () => {
        const server = servers.get(name);
        assert.ok(server);
        const requests = server.requests.length;
        const client = new HTTPClient();
        try {
          assert.deepEqual(await connectTls(client, 'localhost', server.port, true), [
            STATUS_RESOLVING,
            STATUS_CONNECTING,
            STATUS_SSL_HANDSHAKE_ERROR,
          ]);
          assert.notEqual(client.request(HTTPClient.METHOD_GET, '/get', []), OK);
          assert.equal(server.requests.length, requests);
        } finally {
          client.close();
        }
      });
    }

    test('a plain-HTTP client talking to a TLS port does not connect as HTTP', async () => {
      // The handshake never starts, so the connection phase succeeds; the exchange then fails.
      const client = new HTTPClient();
      try {
        assert.equal(client.connect_to_host('127.0.0.1', port('valid')), OK);
        await pollWhile(client, [STATUS_CONNECTING]);
        assert.equal(client.get_status(), STATUS_CONNECTED);
        assert.equal(client.request(HTTPClient.METHOD_GET, '/get', []), OK);
        await pollWhile(client, [STATUS_REQUESTING]);
        assert.equal(client.get_status(), HTTPClient.STATUS_CONNECTION_ERROR);
      } finally {
        client.close();
      }
    });
  });
});
