import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONNECT_DEFERRED,
  CONNECT_ONESHOT,
  CONNECT_REFERENCE_COUNTED,
  ERR_INVALID_PARAMETER,
  GodotObject,
  OK,
  PoolByteArray,
} from '../../src/core/index.js';
import type { PoolStringArray } from '../../src/core/index.js';
import { capture_stderr, next_flush, start_stderr_capture } from './capture-output.js';

class Emitter extends GodotObject {
  readonly request_completed = this.declare_signal<
    [result: number, response_code: number, headers: PoolStringArray, body: PoolByteArray]
  >('request_completed', ['result', 'response_code', 'headers', 'body']);
  readonly pinged = this.declare_signal<[value: number]>('pinged', ['value']);
}

test('emit calls listeners in connection order with the typed arguments', () => {
  const emitter = new Emitter();
  const log: string[] = [];
  emitter.pinged.connect((v) => log.push(`a${v}`));
  emitter.pinged.connect((v) => log.push(`b${v}`));
  emitter.pinged.emit(7);
  assert.deepEqual(log, ['a7', 'b7']);
  assert.equal(emitter.pinged.get_name(), 'pinged');
  assert.equal(emitter.pinged.get_object(), emitter);
});

test('an immediate listener runs during emit; a CONNECT_DEFERRED one at the next flush, never inside emit', async () => {
  const emitter = new Emitter();
  const log: string[] = [];
  emitter.pinged.connect((v) => log.push(`deferred ${v}`), CONNECT_DEFERRED);
  emitter.pinged.connect((v) => log.push(`immediate ${v}`));
  emitter.pinged.emit(1);
  log.push('after emit');
  assert.deepEqual(log, ['immediate 1', 'after emit']);
  await next_flush();
  assert.deepEqual(log, ['immediate 1', 'after emit', 'deferred 1']);
});

test('a CONNECT_ONESHOT listener fires once and is disconnected before it runs', () => {
  const emitter = new Emitter();
  const seen: [number, boolean][] = [];
  const listener = (v: number): void => {
    seen.push([v, emitter.pinged.is_connected(listener)]);
  };
  assert.equal(emitter.pinged.connect(listener, CONNECT_ONESHOT), OK);
  emitter.pinged.emit(1);
  emitter.pinged.emit(2);
  assert.deepEqual(seen, [[1, false]]);
  assert.equal(emitter.pinged.get_connections().length, 0);
});

test('a oneshot listener that re-emits the signal does not recurse', () => {
  const emitter = new Emitter();
  let calls = 0;
  emitter.pinged.connect(() => {
    calls++;
    emitter.pinged.emit(2);
  }, CONNECT_ONESHOT);
  emitter.pinged.emit(1);
  assert.equal(calls, 1);
});

test('connecting the same function twice fails with ERR_INVALID_PARAMETER and an error', () => {
  const emitter = new Emitter();
  const fn = (): void => undefined;
  assert.equal(emitter.pinged.connect(fn), OK);
  let second: number = OK;
  const lines = capture_stderr(() => {
    second = emitter.pinged.connect(fn);
  });
  assert.equal(second, ERR_INVALID_PARAMETER);
  assert.match(lines[0] ?? '', /^ERROR: Signal 'pinged' is already connected/);
  assert.equal(emitter.pinged.get_connections().length, 1);
});

test('CONNECT_REFERENCE_COUNTED counts repeated connections; as many disconnects remove it', () => {
  const emitter = new Emitter();
  let calls = 0;
  const fn = (): void => {
    calls++;
  };
  assert.equal(emitter.pinged.connect(fn, CONNECT_REFERENCE_COUNTED), OK);
  assert.equal(emitter.pinged.connect(fn, CONNECT_REFERENCE_COUNTED), OK);
  emitter.pinged.emit(0);
  assert.equal(calls, 1, 'a counted connection still calls once per emission');
  emitter.pinged.disconnect(fn);
  assert.ok(emitter.pinged.is_connected(fn));
  emitter.pinged.disconnect(fn);
  assert.ok(!emitter.pinged.is_connected(fn));
});

test('a listener disconnected during an emission is not called later in that emission', () => {
  const emitter = new Emitter();
  const log: string[] = [];
  const second = (): void => {
    log.push('second');
  };
  emitter.pinged.connect(() => {
    log.push('first');
    emitter.pinged.disconnect(second);
  });
  emitter.pinged.connect(second);
  emitter.pinged.emit(0);
  assert.deepEqual(log, ['first']);
});

test('a listener connected during an emission waits for the next emission (snapshot)', () => {
  const emitter = new Emitter();
  const log: string[] = [];
  const late = (v: number): void => {
    log.push(`late ${v}`);
  };
  emitter.pinged.connect((v) => {
    log.push(`first ${v}`);
    if (!emitter.pinged.is_connected(late)) emitter.pinged.connect(late);
  });
  emitter.pinged.emit(1);
  emitter.pinged.emit(2);
  assert.deepEqual(log, ['first 1', 'first 2', 'late 2']);
});

test('a throwing listener is reported with push_error and the other listeners still run', () => {
  const emitter = new Emitter();
  const log: string[] = [];
  emitter.pinged.connect(function explode() {
    throw new Error('listener failed');
  });
  emitter.pinged.connect((v) => log.push(`after ${v}`));
  const lines = capture_stderr(() => emitter.pinged.emit(3));
  assert.deepEqual(log, ['after 3']);
  assert.match(
    lines[0] ?? '',
    /^ERROR: Error calling method from signal 'pinged': 'explode': Error: listener failed/,
  );
});

test('an async listener that rejects is reported, not left as an unhandled rejection', async () => {
  const emitter = new Emitter();
  emitter.pinged.connect(async () => {
    await Promise.resolve();
    throw new Error('async failure');
  });
  const capture = start_stderr_capture();
  try {
    emitter.pinged.emit(0);
    for (let i = 0; i < 10 && capture.lines.length === 0; i++) await next_flush();
  } finally {
    capture.restore();
  }
  assert.match(capture.lines[0] ?? '', /^ERROR: Error calling method from signal 'pinged'.*async failure/);
});

test('as_promise resolves with the argument array of the next emission', async () => {
  const emitter = new Emitter();
  const pending = emitter.request_completed.as_promise();
  assert.equal(emitter.request_completed.get_connections().length, 1);
  const body = PoolByteArray.from_string('{}');
  emitter.request_completed.emit(0, 200, ['Content-Type: application/json'], body);
  emitter.request_completed.emit(1, 500, [], new PoolByteArray(0));
  const [result, code, headers, received] = await pending;
  assert.equal(result, 0);
  assert.equal(code, 200);
  assert.deepEqual(headers, ['Content-Type: application/json']);
  assert.equal(received, body);
  assert.equal(emitter.request_completed.get_connections().length, 0);
});

test('disconnecting a function that is not connected prints an error', () => {
  const emitter = new Emitter();
  const lines = capture_stderr(() => emitter.pinged.disconnect(() => undefined));
  assert.match(lines[0] ?? '', /^ERROR: Attempt to disconnect a nonexistent connection/);
});

test('get_connections lists the signal, callable and flags in connection order', () => {
  const emitter = new Emitter();
  const a = (): void => undefined;
  const b = (): void => undefined;
  emitter.pinged.connect(a);
  emitter.pinged.connect(b, CONNECT_DEFERRED);
  const connections = emitter.pinged.get_connections();
  assert.deepEqual(
    connections.map((c) => [c.signal, c.callable, c.flags]),
    [
      [emitter.pinged, a, 0],
      [emitter.pinged, b, CONNECT_DEFERRED],
    ],
  );
  assert.ok(emitter.pinged.has_connections());
});
