import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ERR_BUSY,
  ERR_PRINTER_ON_FIRE,
  Error,
  OK,
  PoolByteArray,
  parse_json,
  print,
  push_error,
  push_warning,
  str,
  to_json,
} from '../../src/core/index.js';
import { capture_stderr, capture_stdout } from './capture-output.js';

test("push_error and push_warning write Godot's ERROR: / WARNING: lines to stderr", () => {
  const lines = capture_stderr(() => {
    push_error('An error occurred in the HTTP request.');
    push_warning('code ', 44);
  });
  assert.deepEqual(lines, ['ERROR: An error occurred in the HTTP request.', 'WARNING: code 44']);
});

test('print joins its arguments without separators, as Godot does, and ends the line', () => {
  const lines = capture_stdout(() => print('status: ', 200, ' ok=', true));
  assert.deepEqual(lines, ['status: 200 ok=True']);
});

test("str() prints values in Godot's form", () => {
  assert.equal(str(null), 'Null');
  assert.equal(str(undefined), 'Null');
  assert.equal(str(false), 'False');
  assert.equal(str(1.5, 'x'), '1.5x');
  assert.equal(str([1, 'a', [true]]), '[1, a, [True]]');
  assert.equal(str({ a: 1, b: 'two' }), '{a:1, b:two}');
  assert.equal(str(Infinity, ' ', NaN), 'inf nan');
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.equal(str(cyclic), '[[...]]');
});

test('to_json is compact, keeps key order, and turns byte arrays into number arrays', () => {
  assert.equal(
    to_json({ name: 'Godette', n: 1, list: [1.5, null] }),
    '{"name":"Godette","n":1,"list":[1.5,null]}',
  );
  assert.equal(to_json(PoolByteArray.from_bytes([1, 2, 255])), '[1,2,255]');
  assert.equal(to_json(undefined), 'null');
  assert.equal(to_json(new Map([['k', 1]])), '{"k":1}');
});

test('to_json of a cyclic value prints an error and returns an empty string', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  let text = 'unset';
  const lines = capture_stderr(() => {
    text = to_json(cyclic);
  });
  assert.equal(text, '');
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /^ERROR: to_json: /);
});

test('parse_json returns plain values; every number is a float (a JS number)', () => {
  assert.deepEqual(parse_json('{"headers": {"User-Agent": "gdhttp"}, "n": 3, "f": 2.5}'), {
    headers: { 'User-Agent': 'gdhttp' },
    n: 3,
    f: 2.5,
  });
  assert.equal(parse_json('42'), 42);
  assert.equal(parse_json('null'), null);
});

test('parse_json on invalid text returns null and prints an error naming the line', () => {
  let value: unknown = 'unset';
  const lines = capture_stderr(() => {
    value = parse_json('{\n  "a": ,\n}');
  });
  assert.equal(value, null);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /^ERROR: Error parsing JSON at line 2: /);
  const empty = capture_stderr(() => {
    value = parse_json('');
  });
  assert.equal(value, null);
  assert.match(empty[0] ?? '', /^ERROR: Error parsing JSON at line 1: /);
});

test("the global scope re-exports Godot's Error constants with their numbers", () => {
  assert.equal(OK, 0);
  assert.equal(ERR_BUSY, 44);
  assert.equal(ERR_PRINTER_ON_FIRE, 48);
  assert.equal(Error.ERR_INVALID_PARAMETER, 31);
});
