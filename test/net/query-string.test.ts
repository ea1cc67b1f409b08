/**
 * `query_string_from_dict` and `http_escape` (godot-behaviour.md §8): Godot's documented examples, key order,
 * arrays, null, and RFC 3986 escaping — then a round trip through a real server's query parser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OK } from '../../src/core/error.js';
import { HTTPClient } from '../../src/net/http-client.js';
import { http_escape, query_string_from_dict } from '../../src/net/query-string.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';

describe('query_string_from_dict', () => {
  test("Godot's first doc example: username=user&password=pass", () => {
    assert.equal(
      query_string_from_dict({ username: 'user', password: 'pass' }),
      'username=user&password=pass',
    );
  });

  test("Godot's second doc example: a number, a null (bare key) and an array (key repeated)", () => {
    assert.equal(
      query_string_from_dict({ single: 123, not_valued: null, multiple: [22, 33, 44] }),
      'single=123&not_valued&multiple=22&multiple=33&multiple=44',
    );
  });

  test('the HTTPClient method gives the same string', () => {
    const client = new HTTPClient();
    assert.equal(
      client.query_string_from_dict({ single: 123, not_valued: null, multiple: [22, 33, 44] }),
      'single=123&not_valued&multiple=22&multiple=33&multiple=44',
    );
    client.close();
  });

  test('keys keep insertion order; a Map works too', () => {
    assert.equal(query_string_from_dict({ b: 1, a: 2, c: 3 }), 'b=1&a=2&c=3');
    assert.equal(
      query_string_from_dict(
        new Map<string, string | number>([
          ['z', 'last'],
          ['a', 1],
        ]),
      ),
      'z=last&a=1',
    );
  });

  test('an empty dictionary is an empty string; an empty array adds nothing', () => {
    assert.equal(query_string_from_dict({}), '');
    assert.equal(query_string_from_dict({ a: [], b: 'x' }), 'b=x');
  });

  test('an empty string value keeps the `=`; undefined is a bare key like null', () => {
    assert.equal(query_string_from_dict({ empty: '', missing: undefined }), 'empty=&missing');
  });

  test('booleans print as Godot 3 prints them (True/False); floats as numbers', () => {
    assert.equal(
      query_string_from_dict({ yes: true, no: false, f: 1.5, n: -2 }),
      'yes=True&no=False&f=1.5&n=-2',
    );
  });

  test('a null inside an array gives an empty value', () => {
    assert.equal(query_string_from_dict({ a: [1, null, 'x'] }), 'a=1&a=&a=x');
  });

  test('a space is %20 (never +) in keys and values', () => {
    assert.equal(query_string_from_dict({ 'first name': 'Jean Luc' }), 'first%20name=Jean%20Luc');
  });

  test('reserved characters are %XX with upper-case hex', () => {
    assert.equal(
      query_string_from_dict({ 'a&b=c': "!#$&'()*+,/:;=?@[]" }),
      'a%26b%3Dc=%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D',
    );
    assert.equal(query_string_from_dict({ pct: '100%', hash: '#x' }), 'pct=100%25&hash=%23x');
  });

  test('unicode is UTF-8, byte by byte', () => {
    assert.equal(
      query_string_from_dict({ city: 'Zürich', word: '日本', emoji: '🙂' }),
      'city=Z%C3%BCrich&word=%E6%97%A5%E6%9C%AC&emoji=%F0%9F%99%82',
    );
  });
});

describe('http_escape', () => {
  test('RFC 3986 unreserved characters stay as they are', () => {
    const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
    assert.equal(http_escape(unreserved), unreserved);
  });

  test('every other printable ASCII character is escaped', () => {
    for (let code = 0x20; code < 0x7f; code++) {
      const c = String.fromCharCode(code);
      if (/[A-Za-z0-9\-_.~]/.test(c)) continue;
      assert.equal(http_escape(c), `%${code.toString(16).toUpperCase().padStart(2, '0')}`, JSON.stringify(c));
    }
  });

  test('control characters are escaped too', () => {
    assert.equal(http_escape('a\r\nb\0\t'), 'a%0D%0Ab%00%09');
  });
});

/** Awaits `client.poll()`, failing after 5 s: every loop below is bounded in count and in time. */
async function poll(client: HTTPClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('poll() timed out')), 5000);
  });
  try {
    await Promise.race([client.poll(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('query_string_from_dict on the wire', () => {
  let httpbin: Httpbin;
  before(async () => {
    httpbin = await startHttpbin();
  });
  after(() => httpbin.close());

  test("a server's query parser reads back every key and value", async () => {
    const dict = { name: 'Jean Luc', tags: ['a&b', 'ü', '1+1=2'], flag: null, n: 42 };
    const client = new HTTPClient();
    try {
      assert.equal(client.connect_to_host('127.0.0.1', httpbin.port), OK);
      for (let i = 0; i < 100 && client.get_status() === HTTPClient.STATUS_CONNECTING; i++)
        await poll(client);
      const query = client.query_string_from_dict(dict);
      assert.equal(client.request(HTTPClient.METHOD_GET, `/get?${query}`, []), OK);
      for (let i = 0; i < 100 && client.get_status() === HTTPClient.STATUS_REQUESTING; i++)
        await poll(client);
      const parts: Buffer[] = [];
      for (let i = 0; i < 1000 && client.get_status() === HTTPClient.STATUS_BODY; i++) {
        await poll(client);
        parts.push(Buffer.from(client.read_response_body_chunk()));
      }
      assert.equal(client.get_status(), HTTPClient.STATUS_CONNECTED);
      const echo = JSON.parse(Buffer.concat(parts).toString('utf8')) as { args: Record<string, unknown> };
      assert.deepEqual(echo.args, { name: 'Jean Luc', tags: ['a&b', 'ü', '1+1=2'], flag: '', n: '42' });
      assert.equal(httpbin.requests.at(-1)?.url, `/get?${query}`);
    } finally {
      client.close();
    }
  });
});
