import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONNECT_DEFERRED,
  CONNECT_ONESHOT,
  CONNECT_PERSIST,
  CONNECT_REFERENCE_COUNTED,
  ERR_INVALID_PARAMETER,
  ERR_UNAVAILABLE,
  GodotObject,
  NOTIFICATION_PREDELETE,
  OK,
  is_instance_valid,
} from '../../src/core/index.js';
import { capture_stderr, next_flush } from './capture-output.js';

class Emitter extends GodotObject {
  readonly done = this.declare_signal<[result: number, code: number]>('done', ['result', 'code']);
}

class Receiver extends GodotObject {
  readonly calls: unknown[][] = [];
  notifications: number[] = [];

  _on_done(...args: unknown[]): void {
    this.calls.push(args);
  }

  _on_other(...args: unknown[]): void {
    this.calls.push(['other', ...args]);
  }

  add(a: number, b: number): number {
    return a + b;
  }

  override _notification(what: number): void {
    super._notification(what);
    this.notifications.push(what);
  }
}

test("connect flags and notifications have Godot's numbers, statically and as exports", () => {
  assert.deepEqual(
    [CONNECT_DEFERRED, CONNECT_PERSIST, CONNECT_ONESHOT, CONNECT_REFERENCE_COUNTED],
    [1, 2, 4, 8],
  );
  assert.equal(GodotObject.CONNECT_DEFERRED, 1);
  assert.equal(GodotObject.CONNECT_PERSIST, 2);
  assert.equal(GodotObject.CONNECT_ONESHOT, 4);
  assert.equal(GodotObject.CONNECT_REFERENCE_COUNTED, 8);
  assert.equal(GodotObject.NOTIFICATION_PREDELETE, 1);
  assert.equal(NOTIFICATION_PREDELETE, 1);
});

test('Godot 3 connect calls target.method with the signal arguments followed by the binds', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  assert.equal(emitter.connect('done', receiver, '_on_done', ['bound', 42]), OK);
  assert.ok(emitter.is_connected('done', receiver, '_on_done'));
  assert.equal(emitter.emit_signal('done', 0, 200), OK);
  assert.deepEqual(receiver.calls, [[0, 200, 'bound', 42]]);
});

test('connect returns ERR_INVALID_PARAMETER for an unknown signal, a missing method or a duplicate', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  const results: number[] = [];
  const lines = capture_stderr(() => {
    results.push(emitter.connect('nope', receiver, '_on_done'));
    results.push(emitter.connect('done', receiver, 'missing_method'));
    results.push(emitter.connect('done', receiver, '_on_done'));
    results.push(emitter.connect('done', receiver, '_on_done'));
  });
  assert.deepEqual(results, [ERR_INVALID_PARAMETER, ERR_INVALID_PARAMETER, OK, ERR_INVALID_PARAMETER]);
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /^ERROR: .*Attempt to connect nonexistent signal 'nope'/);
  assert.match(lines[1] ?? '', /^ERROR: .*nonexistent method 'Receiver.missing_method'/);
  assert.match(lines[2] ?? '', /^ERROR: Signal 'done' is already connected/);
  emitter.emit_signal('done', 1, 2);
  assert.equal(receiver.calls.length, 1, 'the refused duplicate does not add a second call');
});

test('CONNECT_REFERENCE_COUNTED: a second connect counts up and needs a second disconnect', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  assert.equal(emitter.connect('done', receiver, '_on_done', [], CONNECT_REFERENCE_COUNTED), OK);
  assert.equal(emitter.connect('done', receiver, '_on_done', [], CONNECT_REFERENCE_COUNTED), OK);
  emitter.disconnect('done', receiver, '_on_done');
  assert.ok(emitter.is_connected('done', receiver, '_on_done'));
  emitter.disconnect('done', receiver, '_on_done');
  assert.ok(!emitter.is_connected('done', receiver, '_on_done'));
  const lines = capture_stderr(() => emitter.disconnect('done', receiver, '_on_done'));
  assert.match(lines[0] ?? '', /^ERROR: Disconnecting nonexistent signal 'done'/);
});

test('Godot 3 string connections and Godot 4 signal objects share one connection list', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  const order: string[] = [];
  emitter.connect('done', receiver, '_on_done');
  emitter.done.connect(function on_done_fn() {
    order.push('fn');
  });
  // Made one way, visible the other way.
  assert.equal(emitter.done.get_connections().length, 2);
  const listed = emitter.get_signal_connection_list('done');
  assert.deepEqual(
    listed.map((c) => [c.signal, c.source, c.target, c.method, c.flags]),
    [
      ['done', emitter, receiver, '_on_done', 0],
      ['done', emitter, null, 'on_done_fn', 0],
    ],
  );
  // Either emission path reaches both, in connection order.
  emitter.done.emit(1, 2);
  assert.deepEqual(receiver.calls, [[1, 2]]);
  assert.deepEqual(order, ['fn']);
  emitter.disconnect('done', receiver, '_on_done');
  assert.equal(emitter.done.get_connections().length, 1);
});

test('emission runs on a snapshot: a method disconnected by an earlier listener is skipped', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  emitter.done.connect(() => emitter.disconnect('done', receiver, '_on_done'));
  emitter.connect('done', receiver, '_on_done');
  emitter.emit_signal('done', 0, 0);
  assert.deepEqual(receiver.calls, []);
});

test('CONNECT_ONESHOT and CONNECT_DEFERRED work with string connections and binds', async () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  emitter.connect('done', receiver, '_on_done', ['b'], CONNECT_ONESHOT | CONNECT_DEFERRED);
  emitter.emit_signal('done', 1, 2);
  assert.ok(!emitter.is_connected('done', receiver, '_on_done'), 'oneshot is gone once fired');
  assert.deepEqual(receiver.calls, [], 'deferred: not called during emit');
  emitter.emit_signal('done', 3, 4);
  await next_flush();
  assert.deepEqual(receiver.calls, [[1, 2, 'b']]);
});

test('a throwing method connected by name is reported and does not stop the next listener', () => {
  class Thrower extends GodotObject {
    _on_done(): void {
      throw new Error('method failed');
    }
  }
  const emitter = new Emitter();
  const receiver = new Receiver();
  emitter.connect('done', new Thrower(), '_on_done');
  emitter.connect('done', receiver, '_on_done');
  const lines = capture_stderr(() => emitter.emit_signal('done', 5, 6));
  assert.deepEqual(receiver.calls, [[5, 6]]);
  assert.match(
    lines[0] ?? '',
    /^ERROR: Error calling method from signal 'done': 'Thrower::_on_done': Error: method failed/,
  );
});

test('emit_signal of an unknown signal returns ERR_UNAVAILABLE with an error', () => {
  const emitter = new Emitter();
  let result: number = OK;
  const lines = capture_stderr(() => {
    result = emitter.emit_signal('missing');
  });
  assert.equal(result, ERR_UNAVAILABLE);
  assert.match(lines[0] ?? '', /^ERROR: Can't emit non-existing signal "missing"\./);
});

test('add_user_signal, has_signal and get_signal_list', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  emitter.add_user_signal('custom', ['a', { name: 'b', type: 4 }]);
  assert.ok(emitter.has_signal('custom'));
  assert.ok(emitter.has_signal('done'));
  assert.ok(!emitter.has_signal('nope'));
  assert.deepEqual(emitter.get_signal_list(), [
    {
      name: 'done',
      args: [
        { name: 'result', type: 0 },
        { name: 'code', type: 0 },
      ],
    },
    {
      name: 'custom',
      args: [
        { name: 'a', type: 0 },
        { name: 'b', type: 4 },
      ],
    },
  ]);
  assert.equal(emitter.connect('custom', receiver, '_on_other'), OK);
  emitter.emit_signal('custom', 1, 2);
  assert.deepEqual(receiver.calls, [['other', 1, 2]]);
  assert.equal(emitter.get_signal('custom')?.get_connections().length, 1);
  const lines = capture_stderr(() => {
    emitter.add_user_signal('custom');
    emitter.add_user_signal('done');
    emitter.add_user_signal('');
  });
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /already existing signal 'custom'/);
  assert.match(lines[1] ?? '', /conflicts with a built-in signal/);
});

test('call, callv and has_method call methods by name; a missing method prints an error and gives null', () => {
  const receiver = new Receiver();
  assert.equal(receiver.call('add', 2, 3), 5);
  assert.equal(receiver.callv('add', [4, 5]), 9);
  assert.ok(receiver.has_method('add'));
  assert.ok(receiver.has_method('free'));
  assert.ok(!receiver.has_method('nope'));
  assert.ok(!receiver.has_method('constructor'));
  assert.ok(!receiver.has_method('hasOwnProperty'));
  let result: unknown = 'unset';
  const lines = capture_stderr(() => {
    result = receiver.call('nope');
  });
  assert.equal(result, null);
  assert.match(lines[0] ?? '', /^ERROR: Invalid call. Nonexistent function 'nope' in base 'Receiver'\./);
});

test('call_deferred never runs inside the caller; it runs at the next flush', async () => {
  const receiver = new Receiver();
  receiver.call_deferred('_on_done', 'x');
  assert.deepEqual(receiver.calls, []);
  await next_flush();
  assert.deepEqual(receiver.calls, [['x']]);
});

test('call_deferred on an object freed before the flush is skipped', async () => {
  const receiver = new Receiver();
  receiver.call_deferred('_on_done', 'x');
  receiver.free();
  await next_flush();
  assert.deepEqual(receiver.calls, []);
});

test('free sends NOTIFICATION_PREDELETE, invalidates the object and drops connections to and from it', () => {
  const emitter = new Emitter();
  const receiver = new Receiver();
  const other = new Receiver();
  emitter.connect('done', receiver, '_on_done');
  emitter.connect('done', other, '_on_done');
  assert.ok(is_instance_valid(receiver));
  receiver.free();
  assert.deepEqual(receiver.notifications, [NOTIFICATION_PREDELETE]);
  assert.ok(!is_instance_valid(receiver));
  // Connections to the freed object are gone.
  assert.deepEqual(
    emitter.get_signal_connection_list('done').map((c) => c.target),
    [other],
  );
  emitter.emit_signal('done', 1, 1);
  assert.deepEqual(receiver.calls, []);
  // Connections from a freed object are gone too.
  emitter.free();
  assert.deepEqual(emitter.get_signal_connection_list('done'), []);
  emitter.done.emit(2, 2);
  assert.deepEqual(other.calls, [[1, 1]]);
  const lines = capture_stderr(() => receiver.free());
  assert.match(lines[0] ?? '', /previously freed instance/);
});

test('is_instance_valid is false for null, undefined and non-objects', () => {
  assert.ok(!is_instance_valid(null));
  assert.ok(!is_instance_valid(undefined));
  assert.ok(!is_instance_valid({}));
  assert.ok(is_instance_valid(new GodotObject()));
});

test('instance ids are unique; to_string and get_class name the class', () => {
  const a = new Receiver();
  const b = new Receiver();
  assert.notEqual(a.get_instance_id(), b.get_instance_id());
  assert.equal(a.get_class(), 'Receiver');
  assert.ok(a.is_class('GodotObject'));
  assert.ok(a.is_class('Object'));
  assert.equal(a.to_string(), `[Receiver:${a.get_instance_id()}]`);
  assert.equal(String(a), a.to_string());
});
