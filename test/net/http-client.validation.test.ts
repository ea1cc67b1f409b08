/**
 * HTTPClient.request()'s validation (godot-behaviour.md §8): every refused request returns
 * ERR_INVALID_PARAMETER and puts not one byte on the wire, which a raw server proves by recording everything
 * it receives. Also the constants' numbers and what a valid request looks like on the wire.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERR_INVALID_PARAMETER, ERR_UNAVAILABLE, OK } from '../../src/core/error.js';
import { HTTPClient } from '../../src/net/http-client.js';
import { USER_AGENT } from '../../src/net/version.js';
import { responseBytes, startRawServer, type RawHandler, type RawServer } from '../servers/raw-server.js';
import { pollOnce, pollWhile } from './http-client-polling.js';

const { STATUS_CONNECTING, STATUS_CONNECTED, STATUS_REQUESTING, STATUS_BODY } = HTTPClient;

/** Reads the body to its end (bounded) and returns it as text. */
async function readText(client: HTTPClient): Promise<string> {
  await pollWhile(client, [STATUS_REQUESTING]);
  const parts: Buffer[] = [];
  for (let i = 0; i < 1000 && client.get_status() === STATUS_BODY; i++) {
    await pollOnce(client, 5000);
    parts.push(Buffer.from(client.read_response_body_chunk()));
  }
  assert.equal(client.get_status(), STATUS_CONNECTED);
  return Buffer.concat(parts).toString('latin1');
}

/** Answers every request on a kept-alive connection with `fine` (headers only for HEAD, as HTTP requires). */
const answerFine: RawHandler = async (socket, first, ctx) => {
  let head: Buffer | null = first;
  for (let i = 0; i < 1000 && head !== null && !ctx.closed; i++) {
    const isHead = head.toString('latin1').startsWith('HEAD ');
    socket.write(isHead ? 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n' : responseBytes({ body: 'fine' }));
    head = await ctx.nextRequest();
  }
};

/** Lets any bytes already written reach the server before asserting it saw none. */
function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The request line of each request head the server read. */
function requestLines(server: RawServer): string[] {
  return server.heads.map((head) => head.toString('latin1').split('\r\n')[0] ?? '');
}

describe('HTTPClient constants carry Godot 3.6 numbers', () => {
  test('Status', () => {
    assert.deepEqual(
      [
        HTTPClient.STATUS_DISCONNECTED,
        HTTPClient.STATUS_RESOLVING,
        HTTPClient.STATUS_CANT_RESOLVE,
        HTTPClient.STATUS_CONNECTING,
        HTTPClient.STATUS_CANT_CONNECT,
        HTTPClient.STATUS_CONNECTED,
        HTTPClient.STATUS_REQUESTING,
        HTTPClient.STATUS_BODY,
        HTTPClient.STATUS_CONNECTION_ERROR,
        HTTPClient.STATUS_SSL_HANDSHAKE_ERROR,
      ],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  test('Method', () => {
    assert.deepEqual(
      [
        HTTPClient.METHOD_GET,
        HTTPClient.METHOD_HEAD,
        HTTPClient.METHOD_POST,
        HTTPClient.METHOD_PUT,
        HTTPClient.METHOD_DELETE,
        HTTPClient.METHOD_OPTIONS,
        HTTPClient.METHOD_TRACE,
        HTTPClient.METHOD_CONNECT,
        HTTPClient.METHOD_PATCH,
        HTTPClient.METHOD_MAX,
      ],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  test('ResponseCode is the HTTP status number', () => {
    assert.equal(HTTPClient.RESPONSE_OK, 200);
    assert.equal(HTTPClient.RESPONSE_NO_CONTENT, 204);
    assert.equal(HTTPClient.RESPONSE_NOT_MODIFIED, 304);
    assert.equal(HTTPClient.RESPONSE_PROXY_AUTHENTICATION_REQUIRED, 407);
    assert.equal(HTTPClient.RESPONSE_IM_A_TEAPOT, 418);
    assert.equal(HTTPClient.RESPONSE_NETWORK_AUTH_REQUIRED, 511);
  });
});

describe('HTTPClient.request validation', () => {
  let server: RawServer;
  before(async () => {
    server = await startRawServer(answerFine);
  });
  after(() => server.close());

  /** A client connected to the raw server, plus the index of its connection in `server.received`. */
  async function connect(): Promise<{ client: HTTPClient; received: () => Buffer }> {
    const before = server.connectionCount();
    const client = new HTTPClient();
    assert.equal(client.connect_to_host('127.0.0.1', server.port), OK);
    await pollWhile(client, [STATUS_CONNECTING]);
    assert.equal(client.get_status(), STATUS_CONNECTED);
    // Wait until the server has accepted this connection, so its record exists.
    for (let i = 0; i < 100 && server.connectionCount() === before; i++) await settle(5);
    const index = server.connectionCount() - 1;
    return { client, received: () => server.received[index] ?? Buffer.alloc(0) };
  }

  test('request() before connect_to_host is refused', () => {
    const client = new HTTPClient();
    assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), ERR_INVALID_PARAMETER);
    assert.equal(client.request_raw(HTTPClient.METHOD_GET, '/', []), ERR_INVALID_PARAMETER);
    client.close();
  });

  test('request() while CONNECTING is refused and nothing is sent', async () => {
    const client = new HTTPClient();
    const before = server.connectionCount();
    try {
      assert.equal(client.connect_to_host('127.0.0.1', server.port), OK);
      assert.equal(client.get_status(), STATUS_CONNECTING);
      assert.equal(client.request(HTTPClient.METHOD_GET, '/', []), ERR_INVALID_PARAMETER);
      await pollWhile(client, [STATUS_CONNECTING]);
      await settle();
      const index = server.connectionCount() - 1;
      assert.ok(index >= before);
      assert.equal(server.received[index]?.length, 0);
    } finally {
      client.close();
    }
  });

  test('a second request while REQUESTING or BODY is refused; only the first reaches the server', async () => {
    const { client, received } = await connect();
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/first', []), OK);
      assert.equal(client.get_status(), STATUS_REQUESTING);
      assert.equal(client.request(HTTPClient.METHOD_GET, '/second', []), ERR_INVALID_PARAMETER);
      await pollWhile(client, [STATUS_REQUESTING]);
      assert.equal(client.get_status(), STATUS_BODY);
      assert.equal(client.request(HTTPClient.METHOD_GET, '/third', []), ERR_INVALID_PARAMETER);
      assert.equal(await readText(client), 'fine');
      await settle();
      const wire = received().toString('latin1');
      assert.match(wire, /^GET \/first HTTP\/1\.1\r\n/);
      assert.doesNotMatch(wire, /second|third/);
    } finally {
      client.close();
    }
  });

  // Each case: [what, method, url, headers]. Every one must be refused with nothing on the wire.
  const refused: [string, number, string, string[]][] = [
    ['method -1', -1, '/', []],
    ['METHOD_MAX', HTTPClient.METHOD_MAX, '/', []],
    ['method 100', 100, '/', []],
    ['a fractional method', 1.5, '/', []],
    ['a method smuggling CR LF', 'GET / HTTP/1.1\r\nX-Evil: 1' as unknown as number, '/', []],
    ['a method with NUL', 'GET\0' as unknown as number, '/', []],
    ['an empty URL', HTTPClient.METHOD_GET, '', []],
    ['a URL without a leading slash', HTTPClient.METHOD_GET, 'index.html', []],
    ['`*` with GET', HTTPClient.METHOD_GET, '*', []],
    ['`*` with POST', HTTPClient.METHOD_POST, '*', []],
    ['CR LF in the URL', HTTPClient.METHOD_GET, '/a\r\nX-Evil: 1', []],
    ['a bare LF in the URL', HTTPClient.METHOD_GET, '/a\nb', []],
    ['a bare CR in the URL', HTTPClient.METHOD_GET, '/a\rb', []],
    ['NUL in the URL', HTTPClient.METHOD_GET, '/a\0b', []],
    ['a space in the URL', HTTPClient.METHOD_GET, '/a b', []],
    ['CR LF in a header value', HTTPClient.METHOD_GET, '/', ['X-A: 1\r\nX-Evil: 2']],
    ['a bare LF in a header value', HTTPClient.METHOD_GET, '/', ['X-A: 1\nX-Evil: 2']],
    ['NUL in a header value', HTTPClient.METHOD_GET, '/', ['X-A: 1\0']],
    ['CR LF in a header name', HTTPClient.METHOD_GET, '/', ['X-A\r\nX-Evil: 2']],
    ['NUL in a header name', HTTPClient.METHOD_GET, '/', ['X-\0A: 1']],
    ['a header line without a colon', HTTPClient.METHOD_GET, '/', ['NoColonHere']],
    ['a header line with an empty name', HTTPClient.METHOD_GET, '/', [': value']],
    ['a header name with a space', HTTPClient.METHOD_GET, '/', ['Bad Name: x']],
    ['one bad line among good ones', HTTPClient.METHOD_GET, '/', ['Accept: */*', 'bad', 'X-B: 2']],
    ['CONNECT without host:port', HTTPClient.METHOD_CONNECT, 'example', []],
  ];

  test('every invalid request is ERR_INVALID_PARAMETER, leaves CONNECTED, and the server receives nothing', async () => {
    const { client, received } = await connect();
    try {
      for (const [what, method, url, headers] of refused) {
        assert.equal(client.request(method, url, headers), ERR_INVALID_PARAMETER, `request(): ${what}`);
        assert.equal(
          client.request_raw(method, url, headers, Buffer.from('body')),
          ERR_INVALID_PARAMETER,
          `request_raw(): ${what}`,
        );
        assert.equal(client.get_status(), STATUS_CONNECTED, `status after ${what}`);
      }
      await settle();
      assert.equal(received().length, 0, `the server received: ${JSON.stringify(received().toString())}`);

      // The connection is still usable, and the first bytes it carries are the valid request.
      assert.equal(client.request(HTTPClient.METHOD_GET, '/after', []), OK);
      assert.equal(await readText(client), 'fine');
      assert.match(received().toString('latin1'), /^GET \/after HTTP\/1\.1\r\n/);
    } finally {
      client.close();
    }
  });

  test('`OPTIONS *` passes validation but is ERR_UNAVAILABLE (undici cannot send it); nothing is sent', async () => {
    const { client, received } = await connect();
    try {
      assert.equal(client.request(HTTPClient.METHOD_OPTIONS, '*', []), ERR_UNAVAILABLE);
      assert.equal(client.get_status(), STATUS_CONNECTED);
      await settle();
      assert.equal(received().length, 0);
      assert.equal(client.request(HTTPClient.METHOD_OPTIONS, '/', []), OK);
      assert.equal(await readText(client), 'fine');
      assert.equal(requestLines(server).at(-1), 'OPTIONS / HTTP/1.1');
    } finally {
      client.close();
    }
  });

  test('CONNECT with host:port goes on the wire in authority form', async () => {
    const { client } = await connect();
    try {
      assert.equal(client.request(HTTPClient.METHOD_CONNECT, 'example.test:443', []), OK);
      await pollWhile(client, [STATUS_REQUESTING]);
      assert.equal(requestLines(server).at(-1), 'CONNECT example.test:443 HTTP/1.1');
      assert.equal(client.get_response_code(), 200);
      // A 2xx to CONNECT turns the connection into a tunnel, which HTTPClient cannot use: it is closed.
      assert.equal(client.get_status(), HTTPClient.STATUS_DISCONNECTED);
    } finally {
      client.close();
    }
  });

  test('an absolute URL is accepted and sent in absolute form', async () => {
    const { client } = await connect();
    try {
      const url = `http://127.0.0.1:${server.port}/abs?x=1`;
      assert.equal(client.request(HTTPClient.METHOD_GET, url, []), OK);
      assert.equal(await readText(client), 'fine');
      assert.equal(requestLines(server).at(-1), `GET ${url} HTTP/1.1`);
    } finally {
      client.close();
    }
  });

  test('every method name goes on the wire', async () => {
    const { client } = await connect();
    try {
      const names: [number, string][] = [
        [HTTPClient.METHOD_GET, 'GET'],
        [HTTPClient.METHOD_HEAD, 'HEAD'],
        [HTTPClient.METHOD_POST, 'POST'],
        [HTTPClient.METHOD_PUT, 'PUT'],
        [HTTPClient.METHOD_DELETE, 'DELETE'],
        [HTTPClient.METHOD_OPTIONS, 'OPTIONS'],
        [HTTPClient.METHOD_TRACE, 'TRACE'],
        [HTTPClient.METHOD_PATCH, 'PATCH'],
      ];
      for (const [method, name] of names) {
        assert.equal(client.request(method, `/m/${name}`, []), OK, name);
        const text = await readText(client);
        assert.equal(text, name === 'HEAD' ? '' : 'fine');
        assert.equal(requestLines(server).at(-1), `${name} /m/${name} HTTP/1.1`);
      }
    } finally {
      client.close();
    }
  });

  test('a valid request: default headers added, given headers verbatim, a tab inside a value allowed', async () => {
    const { client, received } = await connect();
    try {
      const headers = ['X-Custom:  spaced value  ', 'X-Tab: a\tb', 'accept: text/plain'];
      assert.equal(client.request(HTTPClient.METHOD_POST, '/p?q=1', headers, 'héllo'), OK);
      assert.equal(await readText(client), 'fine');
      const wire = received().toString('latin1');
      const [head = '', body] = wire.split('\r\n\r\n');
      const lines = head.split('\r\n');
      assert.equal(lines[0], 'POST /p?q=1 HTTP/1.1');
      const fields = lines.slice(1).map((line) => line.toLowerCase());
      assert.ok(fields.includes(`host: 127.0.0.1:${server.port}`), head);
      assert.ok(lines.includes('X-Custom: spaced value'), head);
      assert.ok(lines.includes('X-Tab: a\tb'), head);
      // The caller's Accept replaces the default one.
      assert.ok(lines.includes('accept: text/plain'), head);
      assert.equal(fields.filter((line) => line.startsWith('accept:')).length, 1, head);
      assert.ok(fields.includes(`user-agent: ${USER_AGENT}`.toLowerCase()), head);
      assert.ok(fields.includes('content-length: 6'), head);
      assert.equal(Buffer.from(body ?? '', 'latin1').toString('utf8'), 'héllo');
    } finally {
      client.close();
    }
  });

  test('a non-ASCII URL is sent percent-encoded as UTF-8', async () => {
    const { client } = await connect();
    try {
      assert.equal(client.request(HTTPClient.METHOD_GET, '/café?q=ü', []), OK);
      assert.equal(await readText(client), 'fine');
      assert.equal(requestLines(server).at(-1), 'GET /caf%C3%A9?q=%C3%BC HTTP/1.1');
    } finally {
      client.close();
    }
  });
});

describe('HTTPClient.connect_to_host validation', () => {
  test('an empty host, a bad port or control bytes are ERR_INVALID_PARAMETER and stay DISCONNECTED', () => {
    const client = new HTTPClient();
    const cases: [string, number][] = [
      ['', 80],
      ['127.0.0.1', 0],
      ['127.0.0.1', 65536],
      ['127.0.0.1', 1.5],
      ['local\r\nhost', 80],
      ['local\0host', 80],
      ['a host', 80],
      ['host/path', 80],
    ];
    for (const [host, port] of cases) {
      assert.equal(client.connect_to_host(host, port), ERR_INVALID_PARAMETER, JSON.stringify([host, port]));
      assert.equal(client.get_status(), HTTPClient.STATUS_DISCONNECTED);
    }
    client.close();
  });
});
