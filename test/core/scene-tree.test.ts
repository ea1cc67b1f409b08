import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NOTIFICATION_INTERNAL_PROCESS,
  NOTIFICATION_PROCESS,
  Node,
  SceneTree,
  SceneTreeTimer,
  defer,
  is_instance_valid,
} from '../../src/core/index.js';
import { capture_stderr } from './capture-output.js';

/** Logs "<name> <delta>" from _process and "<name> internal" from the internal-process notification. */
class Worker extends Node {
  constructor(
    name: string,
    readonly log: string[],
  ) {
    super();
    this.name = name;
  }

  override _process(delta: number): void {
    this.log.push(`${this.name} ${delta}`);
  }

  override _notification(what: number): void {
    super._notification(what);
    if (what === NOTIFICATION_INTERNAL_PROCESS) this.log.push(`${this.name} internal`);
    if (what === NOTIFICATION_PROCESS) this.log.push(`${this.name} n17`);
  }
}

/** Resolves `promise`, or rejects after `ms` so a broken loop cannot hang the suite. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

test('the tree has a root node named "root", inside the tree', () => {
  const tree = new SceneTree();
  assert.equal(tree.root.name, 'root');
  assert.equal(tree.get_root(), tree.root);
  assert.ok(tree.root.is_inside_tree());
  assert.equal(tree.target_fps, 60);
  assert.equal(tree.get_frame(), 0);
});

test('step runs internal processing first, then _process with delta, in tree order, and counts frames', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  const parent = new Worker('P', log);
  const child = new Worker('C', log);
  const sibling = new Worker('S', log);
  parent.add_child(child);
  tree.root.add_child(parent);
  tree.root.add_child(sibling);
  child.set_process_internal(true);
  tree.step(0.25);
  assert.deepEqual(log, ['C internal', 'P 0.25', 'P n17', 'C 0.25', 'C n17', 'S 0.25', 'S n17']);
  assert.equal(tree.get_frame(), 1);
  log.length = 0;
  sibling.set_process(false);
  tree.step(0.5);
  assert.deepEqual(log, ['C internal', 'P 0.5', 'P n17', 'C 0.5', 'C n17']);
  assert.equal(tree.get_frame(), 2);
});

test('step flushes deferred calls before processing', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  tree.root.add_child(new Worker('W', log));
  defer(() => log.push('deferred'));
  tree.step(0.1);
  assert.deepEqual(log, ['deferred', 'W 0.1', 'W n17']);
});

test('a node queue_free()d during a frame stays valid for the rest of the frame and is freed at its end', () => {
  const tree = new SceneTree();
  const seen: boolean[] = [];
  const victim = new Node();
  class Killer extends Node {
    override _process(): void {
      victim.queue_free();
    }
  }
  class Witness extends Node {
    override _process(): void {
      seen.push(is_instance_valid(victim));
    }
  }
  tree.root.add_child(new Killer());
  tree.root.add_child(victim);
  tree.root.add_child(new Witness());
  tree.step(1 / 60);
  assert.deepEqual(seen, [true]);
  assert.ok(!is_instance_valid(victim), 'freed at the end of the frame');
});

test('paused stops pausable nodes (process and internal process); process_pausable = false keeps going', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  const pausable = new Worker('A', log);
  const always = new Worker('B', log);
  always.process_pausable = false;
  tree.root.add_child(pausable);
  tree.root.add_child(always);
  pausable.set_process_internal(true);
  tree.paused = true;
  tree.step(1);
  assert.deepEqual(log, ['B 1', 'B n17']);
  assert.ok(!pausable.can_process());
  log.length = 0;
  tree.paused = false;
  tree.step(1);
  assert.deepEqual(log, ['A internal', 'A 1', 'A n17', 'B 1', 'B n17']);
});

test('create_timer emits timeout once its time has passed in frames; pause_mode_process=false stops while paused', () => {
  const tree = new SceneTree();
  const fired: string[] = [];
  const timer = tree.create_timer(1);
  const paused_timer = tree.create_timer(1, false);
  assert.ok(timer instanceof SceneTreeTimer);
  timer.timeout.connect(() => fired.push('timer'));
  paused_timer.timeout.connect(() => fired.push('paused timer'));
  tree.step(0.5);
  assert.equal(timer.time_left, 0.5);
  assert.deepEqual(fired, []);
  tree.paused = true;
  tree.step(0.5);
  assert.deepEqual(fired, ['timer']);
  assert.equal(paused_timer.time_left, 0.5, 'did not count while paused');
  tree.paused = false;
  tree.step(0.5);
  tree.step(0.5);
  assert.deepEqual(fired, ['timer', 'paused timer'], 'each fires once');
});

test('step called from inside a frame prints an error and does nothing', () => {
  const tree = new SceneTree();
  class Recursive extends Node {
    override _process(): void {
      tree.step(1);
    }
  }
  tree.root.add_child(new Recursive());
  const lines = capture_stderr(() => tree.step(1));
  assert.match(lines[0] ?? '', /^ERROR: SceneTree.step\(\) called during a frame/);
  assert.equal(tree.get_frame(), 1);
});

test('run() runs frames by itself while a node processes and resolves with the code given to quit()', async () => {
  const tree = new SceneTree();
  tree.target_fps = 200;
  const deltas: number[] = [];
  class Counter extends Node {
    override _process(delta: number): void {
      deltas.push(delta);
      if (deltas.length === 3) this.get_tree()?.quit(7);
    }
  }
  tree.root.add_child(new Counter());
  const code = await within(tree.run(), 10_000, 'run()');
  assert.equal(code, 7);
  assert.equal(deltas.length, 3, 'no frame after quit');
  for (const delta of deltas) assert.ok(delta >= 0 && delta < 5, `delta ${delta} is in seconds`);
});

test('run() with a timer and no processing node: the timer fires and can quit', async () => {
  const tree = new SceneTree();
  tree.create_timer(0.05).timeout.connect(() => tree.quit(3));
  assert.equal(await within(tree.run(), 10_000, 'run()'), 3);
});

test('quit() before run() makes run() resolve at once with that code', async () => {
  const tree = new SceneTree();
  tree.quit(5);
  assert.equal(await within(tree.run(), 1_000, 'run()'), 5);
});

test('run() stops scheduling frames when nothing processes any more', async () => {
  const tree = new SceneTree();
  tree.target_fps = 200;
  let frames = 0;
  class Once extends Node {
    override _process(): void {
      frames++;
      this.set_process(false);
    }
  }
  tree.root.add_child(new Once());
  const running = tree.run();
  await within(
    new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (frames > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    }),
    10_000,
    'first frame',
  );
  const frame_after_idle = tree.get_frame();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(tree.get_frame(), frame_after_idle, 'no frame runs while the tree is idle');
  assert.equal(frames, 1);
  tree.quit(0);
  assert.equal(await running, 0);
});

test('free() on the tree frees the root and every node', () => {
  const tree = new SceneTree();
  const node = new Node();
  tree.root.add_child(node);
  tree.free();
  assert.ok(!is_instance_valid(node));
  assert.ok(!is_instance_valid(tree.root));
  assert.ok(!is_instance_valid(tree));
});
