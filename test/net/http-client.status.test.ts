/**
 * HTTPClient's state machine over real loopback sockets: every Status it can be in, what moves it there, and
 * keep-alive reuse (docs/lifecycle.md is the diagram these tests pin).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ERR_CANT_CONNECT,
  ERR_CANT_RESOLVE,
  ERR_CONNECTION_ERROR,
  ERR_UNCONFIGURED,
  OK,
} from '../../src/core/error.js';
import { HTTPClient } from '../../src/net/http-client.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import {
  closeWithoutReply,
  replyAndKeep,
  reply,
  resetAfter,
  responseBytes,
  startRawServer,
  type RawServer,
} from '../servers/raw-server.js';
import { closedPort } from '../servers/closed-port.js';

const {
  STATUS_DISCONNECTED,
  STATUS_RESOLVING,
  STATUS_CANT_RESOLVE,
  STATUS_CONNECTING,
  STATUS_CANT_CONNECT,
  STATUS_CONNECTED,
  STATUS_REQUESTING,
  STATUS_BODY,
  STATUS_CONNECTION_ERROR,
} = HTTPClient;

/** What Godot's `poll()` returns in each status (OK in the others). */
const POLL_RESULT = new Map<number, number>([
  [STATUS_DISCONNECTED, ERR_UNCONFIGURED],
  [STATUS_CANT_RESOLVE, ERR_CANT_RESOLVE],
  [STATUS_CANT_CONNECT, ERR_CANT_CONNECT],
  [STATUS_CONNECTION_ERROR, ERR_CONNECTION_ERROR],
  [HTTPClient.STATUS_SSL_HANDSHAKE_ERROR, ERR_CONNECTION_ERROR],
]);

/** Rejects when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls while the status is one of `waiting` (at most 1000 polls and `limitMs`), and returns every distinct
 * status observed, starting with the current one.
 */
async function pollWhile(client: HTTPClient, waiting: readonly number[], limitMs = 5000): Promise<number[]> {
  const seen = [client.get_status()];
  const deadline = Date.now() + limitMs;
  for (let i = 0; i < 1000 && waiting.includes(client.get_status()); i++) {
    const result = await within(client.poll(), deadline - Date.now(), 'poll()');
    const status = client.get_status();
    assert.equal(result, POLL_RESULT.get(status) ?? OK, `poll() result in status ${status}`);
    if (status !== seen.at(-1)) seen.push(status);
  }
  assert.ok(!waiting.includes(client.get_status()), `still in status ${client.get_status()}`);
  return seen;
}

/** Reads the body until the status leaves BODY (bounded); returns the bytes and the statuses seen. */
async function readBody(client: HTTPClient, limitMs = 5000): Promise<{ body: Buffer; seen: number[] }> {
  const parts: Buffer[] = [];
  const seen = [client.get_status()];
  const deadline = Date.now() + limitMs;
  for (let i = 0; i < 100_000 && client.get_status() === STATUS_BODY; i++) {
    await within(client.poll(), deadline - Date.now(), 'poll() in BODY');
    parts.push(Buffer.from(client.read_response_body_chunk()));
    const status = client.get_status();
    if (status !== seen.at(-1)) seen.push(status);
  }
  assert.notEqual(client.get_status(), STATUS_BODY, 'body not finished');
  return { body: Buffer.concat(parts), seen };
}

/** Connects to 127.0.0.1:`port` and polls until CONNECTED. */
async function connected(port: number): Promise<HTTPClient> {
  const client = new HTTPClient();
  assert.equal(client.connect_to_host('127.0.0.1', port), OK);
  assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
    STATUS_CONNECTING,
    STATUS_CONNECTED,
  ]);
  return client;
}

describe('HTTPClient status transitions', () => {
  let httpbin: Httpbin;
  before(async () => {
    httpbin = await startHttpbin();
  });
  after(() => httpbin.close());

  test('a new client is DISCONNECTED and poll() answers ERR_UNCONFIGURED', async () => {
    const client = new HTTPClient();
    assert.equal(client.get_status(), STATUS_DISCONNECTED);
    assert.equal(await client.poll(), ERR_UNCONFIGURED);
    assert.equal(client.has_response(), false);
    assert.equal(client.get_response_code(), 0);
    client.close();
  });

  test('a host name goes RESOLVING → CONNECTING → CONNECTED, then REQUESTING → BODY → CONNECTED', async () => {
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('localhost', httpbin.port), OK);
      assert.equal(client.get_status(), STATUS_RESOLVING);
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
        STATUS_RESOLVING,
        STATUS_CONNECTING,
        STATUS_CONNECTED,
      ]);
      // Nothing is pending in CONNECTED: poll() settles at once and changes nothing.
      assert.equal(await within(client.poll(), 1000, 'poll() in CONNECTED'), OK);
      assert.equal(client.get_status(), STATUS_CONNECTED);

      assert.equal(client.request(HTTPClient.METHOD_GET, '/bytes/1000?seed=5', []), OK);
      assert.equal(client.get_status(), STATUS_REQUESTING);
      assert.equal(client.has_response(), false);
      assert.deepEqual(await pollWhile(client, [STATUS_REQUESTING]), [STATUS_REQUESTING, STATUS_BODY]);
      assert.equal(client.has_response(), true);
      assert.equal(client.get_response_code(), 200);
      const { body, seen } = await readBody(client);
      assert.deepEqual(seen, [STATUS_BODY, STATUS_CONNECTED]);
      assert.equal(body.length, 1000);

      const recorded = httpbin.requests.at(-1);
      assert.equal(recorded?.method, 'GET');
      assert.equal(recorded.url, '/bytes/1000?seed=5');
    } finally {
      client.close();
    }
  });

  test('an IP literal skips RESOLVING: CONNECTING → CONNECTED', async () => {
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('127.0.0.1', httpbin.port), OK);
      assert.equal(client.get_status(), STATUS_CONNECTING);
      assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [STATUS_CONNECTING, STATUS_CONNECTED]);
    } finally {
      client.close();
    }
  });

  test('an http:// prefix and a bracketed IPv6 literal are accepted by connect_to_host', async () => {
    const v6 = await startHttpbin({ host: '::1' });
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('http://[::1]', v6.port), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [STATUS_CONNECTING, STATUS_CONNECTED]);
      assert.equal(client.request(HTTPClient.METHOD_GET, '/get', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      await readBody(client);
      assert.equal(client.get_response_code(), 200);
      const host = v6.requests[0]?.rawHeaders.find(([name]) => name.toLowerCase() === 'host');
      assert.equal(host?.[1], `[::1]:${v6.port}`);
    } finally {
      client.close();
      await v6.close();
    }
  });

  test('a .invalid host goes RESOLVING → CANT_RESOLVE', async () => {
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('no-such-host.invalid', 80), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING]), [STATUS_RESOLVING, STATUS_CANT_RESOLVE]);
      // A failed state is final: poll() settles at once (with Godot's error) and a request is refused.
      assert.equal(await within(client.poll(), 1000, 'poll() in CANT_RESOLVE'), ERR_CANT_RESOLVE);
      assert.equal(client.get_status(), STATUS_CANT_RESOLVE);
      assert.notEqual(client.request(HTTPClient.METHOD_GET, '/', []), OK);
    } finally {
      client.close();
    }
    assert.equal(client.get_status(), STATUS_DISCONNECTED);
  });

  test('a closed port goes CONNECTING → CANT_CONNECT', async () => {
    const port = await closedPort();
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('127.0.0.1', port), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_CONNECTING]), [
        STATUS_CONNECTING,
        STATUS_CANT_CONNECT,
      ]);
    } finally {
      client.close();
    }
  });

  test('a host name on a closed port goes RESOLVING → CONNECTING → CANT_CONNECT', async () => {
    const port = await closedPort();
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('localhost', port), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_RESOLVING, STATUS_CONNECTING]), [
        STATUS_RESOLVING,
        STATUS_CONNECTING,
        STATUS_CANT_CONNECT,
      ]);
    } finally {
      client.close();
    }
  });

  test('close() while CONNECTING returns to DISCONNECTED and the attempt never lands', async () => {
    const client = new HTTPClient();
    assert.equal(client.connect_to_host('127.0.0.1', httpbin.port), OK);
    assert.equal(client.get_status(), STATUS_CONNECTING);
    client.close();
    assert.equal(client.get_status(), STATUS_DISCONNECTED);
    assert.equal(await within(client.poll(), 1000, 'poll() after close()'), ERR_UNCONFIGURED);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(client.get_status(), STATUS_DISCONNECTED);
  });

  test('close() while BODY returns to DISCONNECTED', async () => {
    const client = await connected(httpbin.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/large/10000000', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      assert.equal(client.get_status(), STATUS_BODY);
      client.close();
      assert.equal(client.get_status(), STATUS_DISCONNECTED);
      assert.equal(client.has_response(), false);
      assert.equal(client.read_response_body_chunk().length, 0);
    } finally {
      client.close();
    }
  });

  test('keep-alive: three sequential requests share one connection (the server counts 1)', async () => {
    const server = await startHttpbin();
    const client = await connected(server.port);
    try {
      for (const n of [10, 20, 30]) {
        assert.equal(client.request(HTTPClient.METHOD_GET, `/bytes/${n}?seed=${n}`, []), OK);
        await pollWhile(client, [STATUS_REQUESTING]);
        const { body, seen } = await readBody(client);
        assert.deepEqual(seen, [STATUS_BODY, STATUS_CONNECTED]);
        assert.equal(body.length, n);
      }
      assert.equal(server.connectionCount(), 1);
      assert.deepEqual(
        server.requests.map((r) => [r.url, r.connectionId]),
        [
          ['/bytes/10?seed=10', 1],
          ['/bytes/20?seed=20', 1],
          ['/bytes/30?seed=30', 1],
        ],
      );
    } finally {
      client.close();
      await server.close();
    }
  });

  test('connect_to_host again drops the old connection and opens a new one', async () => {
    const server = await startHttpbin();
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/get', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      await readBody(client);
      assert.equal(client.connect_to_host('127.0.0.1', server.port), OK);
      assert.equal(client.get_status(), STATUS_CONNECTING);
      await pollWhile(client, [STATUS_CONNECTING]);
      assert.equal(client.get_status(), STATUS_CONNECTED);
      assert.equal(client.request(HTTPClient.METHOD_GET, '/get', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      await readBody(client);
      assert.equal(server.connectionCount(), 2);
      assert.deepEqual(
        server.requests.map((r) => r.connectionId),
        [1, 2],
      );
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('HTTPClient connection endings', () => {
  const servers: RawServer[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });
  async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
    const server = await startRawServer(handler);
    servers.push(server);
    return server;
  }

  test('a reset mid-body goes BODY → CONNECTION_ERROR', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n';
    const server = await raw(resetAfter(head + 'x'.repeat(1000), 50));
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      assert.equal(client.get_status(), STATUS_BODY);
      assert.equal(client.get_response_body_length(), 100000);
      const { seen } = await readBody(client);
      assert.deepEqual(seen, [STATUS_BODY, STATUS_CONNECTION_ERROR]);
      assert.equal(client.get_last_failure()?.kind, 'connection');
      // After the error there is nothing to read and no request is accepted.
      assert.equal(client.read_response_body_chunk().length, 0);
      assert.notEqual(client.request(HTTPClient.METHOD_GET, '/', []), OK);
    } finally {
      client.close();
    }
  });

  test('a server that closes without replying goes REQUESTING → CONNECTION_ERROR', async () => {
    const server = await raw(closeWithoutReply());
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), OK);
      assert.deepEqual(await pollWhile(client, [STATUS_REQUESTING]), [
        STATUS_REQUESTING,
        STATUS_CONNECTION_ERROR,
      ]);
      assert.equal(client.has_response(), false);
      assert.equal(client.get_last_failure()?.kind, 'no_response');
    } finally {
      client.close();
    }
  });

  test('a `Connection: close` response ends in DISCONNECTED once its body is read', async () => {
    const server = await raw(
      reply(responseBytes({ headers: [['Connection', 'close']], body: 'hello, world' })),
    );
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      const { body, seen } = await readBody(client);
      assert.equal(body.toString(), 'hello, world');
      assert.deepEqual(seen, [STATUS_BODY, STATUS_DISCONNECTED]);
      assert.equal(client.get_response_code(), 200);
      assert.notEqual(client.request(HTTPClient.METHOD_GET, '/', []), OK);
    } finally {
      client.close();
    }
  });

  test('a `Connection: close` response without a body ends in DISCONNECTED', async () => {
    const server = await raw(
      reply(
        responseBytes({
          status: 204,
          reason: 'No Content',
          headers: [['Connection', 'close']],
          contentLength: false,
        }),
      ),
    );
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), OK);
      const seen = await pollWhile(client, [STATUS_REQUESTING]);
      assert.deepEqual(seen, [STATUS_REQUESTING, STATUS_DISCONNECTED]);
      assert.equal(client.get_response_code(), 204);
    } finally {
      client.close();
    }
  });

  test('a close-delimited body (no length, HTTP/1.0) ends in DISCONNECTED with every byte', async () => {
    const server = await raw(reply('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      assert.equal(client.get_response_body_length(), -1);
      assert.equal(client.is_response_chunked(), false);
      const { body, seen } = await readBody(client);
      assert.equal(body.toString(), 'until the end');
      assert.deepEqual(seen, [STATUS_BODY, STATUS_DISCONNECTED]);
    } finally {
      client.close();
    }
  });

  test('an idle keep-alive connection closed by the server goes CONNECTED → DISCONNECTED', async () => {
    let closeIt: (() => void) | undefined;
    const server = await raw(async (socket, _head, ctx) => {
      socket.write(responseBytes({ body: 'ok' }));
      closeIt = () => socket.end();
      await ctx.nextRequest();
    });
    const client = await connected(server.port);
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      const { seen } = await readBody(client);
      assert.deepEqual(seen, [STATUS_BODY, STATUS_CONNECTED]);
      closeIt?.();
      // poll() in CONNECTED settles at once, so wait for the close with a bounded loop of short sleeps.
      for (let i = 0; i < 200 && client.get_status() === STATUS_CONNECTED; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(client.get_status(), STATUS_DISCONNECTED);
      assert.notEqual(client.request(HTTPClient.METHOD_GET, '/', []), OK);
    } finally {
      client.close();
    }
  });

  test('keep-alive on a raw server: both requests arrive on connection 1', async () => {
    const server = await raw(replyAndKeep(responseBytes({ body: 'same' })));
    const client = await connected(server.port);
    try {
      for (let i = 0; i < 2; i++) {
        assert.equal(client.request(HTTPClient.METHOD_GET, `/n${i}`, []), OK);
        await pollWhile(client, [STATUS_REQUESTING]);
        assert.equal((await readBody(client)).body.toString(), 'same');
      }
      assert.equal(server.connectionCount(), 1);
      assert.deepEqual(
        server.heads.map((h) => h.toString('latin1').split('\r\n')[0]),
        ['GET /n0 HTTP/1.1', 'GET /n1 HTTP/1.1'],
      );
    } finally {
      client.close();
    }
  });
});
