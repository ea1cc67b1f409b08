import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NOTIFICATION_ENTER_TREE,
  NOTIFICATION_EXIT_TREE,
  NOTIFICATION_INTERNAL_PROCESS,
  NOTIFICATION_PREDELETE,
  NOTIFICATION_PROCESS,
  NOTIFICATION_READY,
  Node,
  SceneTree,
  is_instance_valid,
} from '../../src/core/index.js';
import { capture_stderr, next_flush } from './capture-output.js';

/** Records every callback and notification into a shared log as "<name>:<event>". */
class Probe extends Node {
  constructor(
    name: string,
    readonly log: string[],
  ) {
    super();
    this.name = name;
    this.tree_entered.connect(() => log.push(`${this.name}:tree_entered`));
    this.ready.connect(() => log.push(`${this.name}:ready signal`));
    this.tree_exiting.connect(() => log.push(`${this.name}:tree_exiting`));
    this.tree_exited.connect(() => log.push(`${this.name}:tree_exited`));
  }

  override _enter_tree(): void {
    this.log.push(`${this.name}:_enter_tree`);
  }

  override _ready(): void {
    this.log.push(`${this.name}:_ready`);
  }

  override _exit_tree(): void {
    this.log.push(`${this.name}:_exit_tree`);
  }

  override _notification(what: number): void {
    super._notification(what);
    this.log.push(`${this.name}:n${what}`);
  }
}

function only(log: string[], event: string): string[] {
  return log.filter((entry) => entry.endsWith(`:${event}`)).map((entry) => entry.split(':')[0] ?? '');
}

test("notification constants have Godot 3's numbers", () => {
  assert.deepEqual(
    [
      NOTIFICATION_ENTER_TREE,
      NOTIFICATION_EXIT_TREE,
      NOTIFICATION_READY,
      NOTIFICATION_PROCESS,
      NOTIFICATION_INTERNAL_PROCESS,
      NOTIFICATION_PREDELETE,
    ],
    [10, 11, 13, 17, 25, 1],
  );
  assert.equal(Node.NOTIFICATION_ENTER_TREE, 10);
  assert.equal(Node.NOTIFICATION_INTERNAL_PROCESS, 25);
  assert.equal(Node.NOTIFICATION_PREDELETE, 1);
});

test('_enter_tree runs parent first, _ready children first, _exit_tree children first', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  const parent = new Probe('P', log);
  const a = new Probe('A', log);
  const b = new Probe('B', log);
  const a1 = new Probe('A1', log);
  a.add_child(a1);
  parent.add_child(a);
  parent.add_child(b);
  assert.equal(log.length, 0, 'nothing happens outside a tree');

  tree.root.add_child(parent);
  assert.deepEqual(only(log, '_enter_tree'), ['P', 'A', 'A1', 'B']);
  assert.deepEqual(only(log, '_ready'), ['A1', 'A', 'B', 'P']);
  // Per node: notification, callback, signal.
  assert.deepEqual(
    log.filter((e) => e.startsWith('P:')),
    ['P:n10', 'P:_enter_tree', 'P:tree_entered', 'P:_ready', 'P:n13', 'P:ready signal'],
  );

  log.length = 0;
  tree.root.remove_child(parent);
  assert.deepEqual(only(log, '_exit_tree'), ['B', 'A1', 'A', 'P']);
  assert.deepEqual(only(log, 'tree_exited'), ['A1', 'A', 'B', 'P']);
  assert.deepEqual(
    log.filter((e) => e.startsWith('P:')),
    ['P:_exit_tree', 'P:tree_exiting', 'P:n11', 'P:tree_exited'],
  );
  assert.ok(!parent.is_inside_tree());
  assert.ok(!a1.is_inside_tree());
});

test('_ready runs once per node life, even if the node re-enters the tree', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  const node = new Probe('N', log);
  tree.root.add_child(node);
  tree.root.remove_child(node);
  tree.root.add_child(node);
  assert.deepEqual(only(log, '_ready'), ['N']);
  assert.deepEqual(only(log, '_enter_tree'), ['N', 'N']);
  assert.ok(node.is_node_ready());
});

test('a child added in _ready (as the reference does with HTTPRequest) enters the tree and is ready at once', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  class Main extends Node {
    override _ready(): void {
      this.add_child(new Probe('Request', log));
    }
  }
  const main = new Main();
  tree.root.add_child(main);
  assert.deepEqual(only(log, '_ready'), ['Request']);
  assert.ok(main.get_node('Request')?.is_inside_tree());
});

test('add_child refuses a node with a parent, itself, or an ancestor, with an error and no change', () => {
  const a = new Node();
  a.name = 'A';
  const b = new Node();
  b.name = 'B';
  const c = new Node();
  c.name = 'C';
  a.add_child(b);
  b.add_child(c);
  const lines = capture_stderr(() => {
    c.add_child(b); // b already has a parent
    a.add_child(a); // itself
    c.add_child(a); // an ancestor of c
  });
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /^ERROR: Can't add child 'B' to 'C', already has a parent 'A'\./);
  assert.match(lines[1] ?? '', /^ERROR: Can't add child 'A' to itself\./);
  assert.match(lines[2] ?? '', /^ERROR: Can't add child 'A' to 'C'.*cyclic/);
  assert.equal(a.get_parent(), null);
  assert.deepEqual(a.get_children(), [b]);
  assert.deepEqual(c.get_children(), []);
});

test('children: order, count, get_child, remove_child and unique names', () => {
  const parent = new Node();
  const first = new Node();
  const second = new Node();
  parent.add_child(first);
  parent.add_child(second);
  assert.equal(first.name, 'Node');
  assert.equal(second.name, 'Node2', 'a clashing name gets a readable suffix');
  assert.equal(parent.get_child_count(), 2);
  assert.equal(parent.get_child(1), second);
  assert.equal(second.get_parent(), parent);
  const lines = capture_stderr(() => assert.equal(parent.get_child(5), null));
  assert.match(lines[0] ?? '', /out of bounds/);
  parent.remove_child(first);
  assert.deepEqual(parent.get_children(), [second]);
  assert.equal(first.get_parent(), null);
  const not_child = capture_stderr(() => parent.remove_child(first));
  assert.match(
    not_child[0] ?? '',
    /^ERROR: Cannot remove child node 'Node' as it is not a child of this node\./,
  );
  second.name = 'a/b.c';
  assert.equal(second.name, 'abc', "Godot's forbidden name characters are removed");
});

test('get_node resolves relative paths with . and .., and absolute /root paths in a tree', () => {
  const tree = new SceneTree();
  const main = new Node();
  main.name = 'Main';
  const ui = new Node();
  ui.name = 'UI';
  const label = new Node();
  label.name = 'Label';
  const http = new Node();
  http.name = 'HTTPRequest';
  tree.root.add_child(main);
  main.add_child(ui);
  ui.add_child(label);
  main.add_child(http);
  assert.equal(main.get_node('UI/Label'), label);
  assert.equal(label.get_node('..'), ui);
  assert.equal(label.get_node('../../HTTPRequest'), http);
  assert.equal(label.get_node('.'), label);
  assert.equal(label.get_node('/root/Main/HTTPRequest'), http);
  assert.equal(http.get_path(), '/root/Main/HTTPRequest');
  assert.ok(main.has_node('UI'));
  const lines = capture_stderr(() => assert.equal(main.get_node('Missing'), null));
  assert.match(lines[0] ?? '', /^ERROR: Node not found: "Missing" \(relative to "\/root\/Main"\)\./);
  assert.equal(main.get_node_or_null('Missing'), null);
});

test('get_tree and is_inside_tree', () => {
  const tree = new SceneTree();
  const node = new Node();
  assert.ok(!node.is_inside_tree());
  const lines = capture_stderr(() => assert.equal(node.get_tree(), null));
  assert.equal(lines.length, 1);
  tree.root.add_child(node);
  assert.ok(node.is_inside_tree());
  assert.equal(node.get_tree(), tree);
  assert.ok(tree.root.is_inside_tree());
  assert.equal(tree.root.name, 'root');
});

test('queue_free keeps the node valid until the next flush, then frees it (outside any frame)', async () => {
  const tree = new SceneTree();
  const log: string[] = [];
  const node = new Probe('Q', log);
  tree.root.add_child(node);
  log.length = 0;
  node.queue_free();
  assert.ok(node.is_queued_for_deletion());
  assert.ok(is_instance_valid(node), 'not freed inside queue_free()');
  assert.ok(node.is_inside_tree());
  assert.equal(log.length, 0);
  await next_flush();
  await next_flush();
  assert.ok(!is_instance_valid(node));
  assert.equal(tree.root.get_child_count(), 0);
  assert.deepEqual(log, ['Q:_exit_tree', 'Q:tree_exiting', 'Q:n11', 'Q:tree_exited', 'Q:n1']);
});

test('queue_free on a node outside any tree frees it at the next flush', async () => {
  const node = new Node();
  node.queue_free();
  node.queue_free(); // a second call changes nothing
  assert.ok(is_instance_valid(node));
  await next_flush();
  assert.ok(!is_instance_valid(node));
});

test('free removes the node from its parent, exits the tree, sends PREDELETE, and frees the children', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  const parent = new Probe('P', log);
  const child = new Probe('C', log);
  parent.add_child(child);
  tree.root.add_child(parent);
  log.length = 0;
  parent.free();
  assert.ok(!is_instance_valid(parent));
  assert.ok(!is_instance_valid(child));
  assert.equal(tree.root.get_child_count(), 0);
  assert.deepEqual(log, [
    'C:_exit_tree',
    'C:tree_exiting',
    'C:n11',
    'P:_exit_tree',
    'P:tree_exiting',
    'P:n11',
    'C:tree_exited',
    'P:tree_exited',
    'P:n1',
    'C:n1',
  ]);
});

test('an exception in _ready is reported and the rest of the tree still becomes ready', () => {
  const tree = new SceneTree();
  const log: string[] = [];
  class Broken extends Node {
    override _ready(): void {
      throw new Error('ready failed');
    }
  }
  const parent = new Probe('P', log);
  parent.add_child(new Broken());
  parent.add_child(new Probe('After', log));
  const lines = capture_stderr(() => tree.root.add_child(parent));
  assert.match(lines[0] ?? '', /^ERROR: Error in Broken._ready\(\): Error: ready failed/);
  assert.deepEqual(only(log, '_ready'), ['After', 'P']);
});

test('processing turns on at ready when a subclass overrides _process, as in Godot', () => {
  class Ticker extends Node {
    override _process(_delta: number): void {
      // counts nothing; only the override matters
    }
  }
  const tree = new SceneTree();
  const ticker = new Ticker();
  const plain = new Node();
  assert.ok(!ticker.is_processing(), 'not before ready');
  tree.root.add_child(ticker);
  tree.root.add_child(plain);
  assert.ok(ticker.is_processing());
  assert.ok(!plain.is_processing());
  ticker.set_process(false);
  assert.ok(!ticker.is_processing());
  plain.set_process_internal(true);
  assert.ok(plain.is_processing_internal());
});
