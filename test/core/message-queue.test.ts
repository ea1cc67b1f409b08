import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defer, flush, get_pending_count } from '../../src/core/index.js';
import { next_flush, start_stderr_capture } from './capture-output.js';

test('a deferred call never runs inside the call that queued it, and runs on the next turn of the event loop', async () => {
  const log: string[] = [];
  defer(() => log.push('deferred'));
  log.push('after defer');
  assert.deepEqual(log, ['after defer']);
  await next_flush();
  assert.deepEqual(log, ['after defer', 'deferred']);
});

test('deferred calls are not a frame late when idle: they run before a 16 ms timer', async () => {
  const log: string[] = [];
  const timer = new Promise<void>((resolve) =>
    setTimeout(() => {
      log.push('timer');
      resolve();
    }, 16),
  );
  defer(() => log.push('deferred'));
  await timer;
  assert.deepEqual(log, ['deferred', 'timer']);
});

test('deferred calls run in the order they were queued', async () => {
  const log: number[] = [];
  for (let i = 0; i < 5; i++) defer(() => log.push(i));
  await next_flush();
  assert.deepEqual(log, [0, 1, 2, 3, 4]);
});

test('a call queued during a flush runs in a later flush, so a self-requeuing call cannot spin one flush', async () => {
  let runs = 0;
  const requeue = (): void => {
    runs++;
    if (runs < 1000) defer(requeue);
  };
  defer(requeue);
  flush();
  assert.equal(runs, 1, 'one flush runs only what was queued before it started');
  assert.equal(get_pending_count(), 1);
  flush();
  assert.equal(runs, 2);
  // The rest drains on its own, one flush per event-loop turn; bounded by the 1000-run cap.
  for (let turn = 0; turn < 2000 && runs < 1000; turn++) await next_flush();
  assert.equal(runs, 1000);
  assert.equal(get_pending_count(), 0);
});

test('a throwing deferred call is reported with push_error and the others still run', async () => {
  const log: string[] = [];
  const capture = start_stderr_capture();
  try {
    defer(() => log.push('first'));
    defer(() => {
      throw new Error('boom');
    });
    defer(() => log.push('third'));
    await next_flush();
  } finally {
    capture.restore();
  }
  assert.deepEqual(log, ['first', 'third']);
  assert.match(capture.lines[0] ?? '', /^ERROR: Error in a deferred call: Error: boom/);
});

test('flush() runs pending calls at once (what SceneTree.step does) and cancels the automatic flush', async () => {
  let runs = 0;
  defer(() => runs++);
  flush();
  assert.equal(runs, 1);
  await next_flush();
  assert.equal(runs, 1, 'the call is not run twice');
});
