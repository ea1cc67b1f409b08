import { push_error } from './global-scope.js';
import { guarded_call } from './guarded-call.js';
import { defer } from './message-queue.js';
import { GodotObject, is_instance_valid } from './object.js';
import type { SceneTree } from './scene-tree.js';

/** Godot's `Node.NOTIFICATION_ENTER_TREE` (10): the node entered the tree (sent before `_enter_tree`). */
export const NOTIFICATION_ENTER_TREE = 10;
/** Godot's `Node.NOTIFICATION_EXIT_TREE` (11): the node is leaving the tree (sent after `_exit_tree`). */
export const NOTIFICATION_EXIT_TREE = 11;
/** Godot's `Node.NOTIFICATION_READY` (13): sent once per node life, after `_ready`. */
export const NOTIFICATION_READY = 13;
/** Godot's `Node.NOTIFICATION_PROCESS` (17): sent each frame while processing, after `_process`. */
export const NOTIFICATION_PROCESS = 17;
/** Godot's `Node.NOTIFICATION_INTERNAL_PROCESS` (25): each frame while internal processing is on. */
export const NOTIFICATION_INTERNAL_PROCESS = 25;

/**
 * What a Node tells the SceneTree it is in. The SceneTree supplies it through `link_scene_tree()`, so neither
 * class exposes this bookkeeping publicly. Internal to src/core.
 */
export interface TreeLink {
  node_added(node: Node): void;
  node_removed(node: Node): void;
  processing_changed(node: Node): void;
  queue_delete(node: Node): void;
}

const tree_links = new WeakMap<SceneTree, TreeLink>();
let enter_as_root: ((root: Node, tree: SceneTree) => void) | undefined;

/** Connects a SceneTree to its root node and puts the root inside the tree. Internal (used by SceneTree). */
export function link_scene_tree(tree: SceneTree, root: Node, link: TreeLink): void {
  tree_links.set(tree, link);
  enter_as_root?.(root, tree);
}

/** Godot forbids these in node names (`String.validate_node_name()` removes them). */
const INVALID_NAME_CHARACTERS = /[.:@/"%]/g;

/**
 * Godot's `Node`: a named element of a scene tree, with a parent, ordered children, tree callbacks and a
 * per-frame `_process`.
 *
 * Override the callbacks as in GDScript: `_enter_tree()` (parent first), `_ready()` (children first, once per
 * node life), `_exit_tree()` (children first), `_process(delta)` (processing turns on by itself when a subclass
 * overrides `_process`, as Godot does at ready time), and `_notification(what)` (call `super._notification(what)`).
 * An exception in a callback is reported with `push_error` and does not break the tree.
 *
 * Where gdhttp differs: names that clash with a sibling get Godot 4's readable suffix (`Node2`), not Godot 3's
 * `@Node@12`; pause handling is reduced to `process_pausable` (Godot's `pause_mode` without inheritance);
 * groups, owners, input and physics processing are not part of this slice.
 */
export class Node extends GodotObject {
  /** `NOTIFICATION_ENTER_TREE` (10). */
  static readonly NOTIFICATION_ENTER_TREE = NOTIFICATION_ENTER_TREE;
  /** `NOTIFICATION_EXIT_TREE` (11). */
  static readonly NOTIFICATION_EXIT_TREE = NOTIFICATION_EXIT_TREE;
  /** `NOTIFICATION_READY` (13). */
  static readonly NOTIFICATION_READY = NOTIFICATION_READY;
  /** `NOTIFICATION_PROCESS` (17). */
  static readonly NOTIFICATION_PROCESS = NOTIFICATION_PROCESS;
  /** `NOTIFICATION_INTERNAL_PROCESS` (25). */
  static readonly NOTIFICATION_INTERNAL_PROCESS = NOTIFICATION_INTERNAL_PROCESS;

  static {
    enter_as_root = (root, tree) => {
      root.#propagate_enter_tree(tree);
      root.#propagate_ready();
    };
  }

  /** Emitted when the node has entered the tree (after `_enter_tree`). */
  readonly tree_entered = this.declare_signal('tree_entered');
  /** Emitted once per node life, after `_ready`. */
  readonly ready = this.declare_signal('ready');
  /** Emitted when the node is about to leave the tree (after `_exit_tree`, still inside). */
  readonly tree_exiting = this.declare_signal('tree_exiting');
  /** Emitted after the node has left the tree and its parent (children first). */
  readonly tree_exited = this.declare_signal('tree_exited');

  /**
   * Whether `SceneTree.paused` stops this node's `_process` and internal process. Default true. A simplified
   * Godot 3 `pause_mode` (STOP when true, PROCESS when false; no INHERIT).
   */
  process_pausable = true;

  #name = '';
  #parent: Node | null = null;
  /** Replaced, never mutated, so loops over a snapshot stay valid while children change. */
  #children: readonly Node[] = [];
  #tree: SceneTree | null = null;
  #ready_first = true;
  #ready_notified = false;
  #processing = false;
  #processing_internal = false;
  #queued_for_deletion = false;

  /**
   * The node's name, unique among its siblings. Godot's forbidden characters (`. : @ / " %`) are removed; a
   * name that clashes with a sibling gets a number suffix. An empty node gets its class name when added.
   */
  get name(): string {
    return this.#name;
  }

  set name(value: string) {
    const clean = value.replace(INVALID_NAME_CHARACTERS, '');
    if (clean === '') {
      push_error(`Node name '${value}' is empty or has only invalid characters; name unchanged.`);
      return;
    }
    this.#name = clean;
    const parent = this.#parent;
    if (parent !== null) parent.#make_child_name_unique(this);
  }

  // ----- Callbacks a subclass overrides (GDScript's virtual methods). -----

  /** Called when the node enters the tree, parent before children. */
  _enter_tree(): void {
    // Overridden by subclasses.
  }

  /** Called when the node and all its children are in the tree, children first, once per node life. */
  _ready(): void {
    // Overridden by subclasses.
  }

  /** Called when the node is about to leave the tree, children first. */
  _exit_tree(): void {
    // Overridden by subclasses.
  }

  /** Called each frame with the seconds since the previous one, while processing is on. */
  _process(_delta: number): void {
    // Overridden by subclasses.
  }

  // ----- Children. -----

  /**
   * Godot's `add_child(node)`: appends `node` to the children; if this node is inside a tree, `node` and its
   * subtree enter it (and become ready if this node is). Adding a node that already has a parent, this node
   * itself or one of its ancestors, or a freed node, prints an error and changes nothing.
   */
  add_child(node: Node): void {
    if (!is_instance_valid(this) || !is_instance_valid(node)) {
      push_error(`Can't add child: ${is_instance_valid(this) ? 'the child' : 'this node'} was freed.`);
      return;
    }
    if (node === this) {
      push_error(`Can't add child '${node.#name}' to itself.`);
      return;
    }
    if (node.#parent !== null) {
      push_error(
        `Can't add child '${node.#name}' to '${this.#name}', already has a parent '${node.#parent.#name}'.`,
      );
      return;
    }
    for (let ancestor: Node | null = this.#parent; ancestor !== null; ancestor = ancestor.#parent) {
      if (ancestor === node) {
        push_error(
          `Can't add child '${node.#name}' to '${this.#name}' as it would result in a cyclic dependency ` +
            `since '${node.#name}' is already a parent of '${this.#name}'.`,
        );
        return;
      }
    }
    if (node.#name === '') node.#name = node.get_class();
    this.#children = [...this.#children, node];
    node.#parent = this;
    this.#make_child_name_unique(node);
    if (this.#tree !== null) {
      node.#propagate_enter_tree(this.#tree);
      // Godot readies a new child at once only when its parent is already ready; otherwise the parent's own
      // ready propagation reaches it.
      if (this.#ready_notified && node.#tree !== null) node.#propagate_ready();
    }
  }

  /**
   * Godot's `remove_child(node)`: the subtree leaves the tree (`_exit_tree` children first, then
   * `tree_exiting`, `NOTIFICATION_EXIT_TREE`), the node loses its parent, then `tree_exited` is emitted. The node
   * is not freed. Removing a node that is not a child prints an error.
   */
  remove_child(node: Node): void {
    if (node.#parent !== this) {
      push_error(`Cannot remove child node '${node.#name}' as it is not a child of this node.`);
      return;
    }
    const was_inside = node.#tree !== null;
    if (was_inside) node.#propagate_exit_tree();
    this.#children = this.#children.filter((child) => child !== node);
    node.#parent = null;
    if (was_inside) node.#propagate_after_exit_tree();
  }

  /** Godot's `get_parent()`: the parent, or `null`. */
  get_parent(): Node | null {
    return this.#parent;
  }

  /** Godot's `get_children()`: a new array of the children, in order. */
  get_children(): Node[] {
    return [...this.#children];
  }

  /** Godot's `get_child_count()`. */
  get_child_count(): number {
    return this.#children.length;
  }

  /** Godot's `get_child(index)`: the child at `index`, or `null` with an error printed when out of range. */
  get_child(index: number): Node | null {
    const child = Number.isInteger(index) ? this.#children[index] : undefined;
    if (child === undefined) {
      push_error(`Index p_index = ${index} is out of bounds (get_child_count() = ${this.#children.length}).`);
      return null;
    }
    return child;
  }

  /**
   * Godot's `get_node(path)` with a string path: `"Child"`, `"Child/Grandchild"`, `"."`, `".."`, `"../Sibling"`,
   * or an absolute `"/root/Main"` when inside a tree. A missing node prints an error and gives `null`.
   */
  get_node(path: string): Node | null {
    const node = this.get_node_or_null(path);
    if (node === null) push_error(`Node not found: "${path}" (relative to "${this.#path_for_messages()}").`);
    return node;
  }

  /** Godot's `get_node_or_null(path)`: as `get_node`, without the error. */
  get_node_or_null(path: string): Node | null {
    if (path === '') return null;
    const segments = path.split('/');
    const absolute = path.startsWith('/');
    if (absolute) {
      // "/root/..." names the tree's root first.
      if (this.#tree === null) return null;
      segments.shift();
      if (segments.shift() !== this.#top().#name) return null;
    }
    let current: Node | null = absolute ? this.#top() : this;
    for (const segment of segments) {
      if (current === null) return null;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') current = current.#parent;
      else current = current.#children.find((child) => child.#name === segment) ?? null;
    }
    return current;
  }

  /** Godot's `has_node(path)`. */
  has_node(path: string): boolean {
    return this.get_node_or_null(path) !== null;
  }

  /**
   * Godot's `get_path()` as a string: `/root/Main/HTTPRequest`. Outside a tree it prints an error and gives `""`.
   */
  get_path(): string {
    if (this.#tree === null) {
      push_error('Cannot get path of node as it is not in a scene tree.');
      return '';
    }
    return this.#path_for_messages();
  }

  // ----- Tree. -----

  /** Godot's `get_tree()`: the SceneTree this node is in. Outside a tree it prints an error and gives `null`. */
  get_tree(): SceneTree | null {
    if (this.#tree === null)
      push_error(`Node '${this.#name}' is not inside a SceneTree: get_tree() gives null.`);
    return this.#tree;
  }

  /** Godot's `is_inside_tree()`: true between entering the tree and leaving it. */
  is_inside_tree(): boolean {
    return this.#tree !== null;
  }

  /** Godot 4's `is_node_ready()`: true once `_ready` has run and the node is still in the tree. */
  is_node_ready(): boolean {
    return this.#ready_notified && !this.#ready_first;
  }

  // ----- Processing. -----

  /** Godot's `set_process(enable)`: turns `_process(delta)` on or off. */
  set_process(enable: boolean): void {
    if (this.#processing === enable) return;
    this.#processing = enable;
    this.#link()?.processing_changed(this);
  }

  /** Godot's `is_processing()`. */
  is_processing(): boolean {
    return this.#processing;
  }

  /**
   * Godot's `set_process_internal(enable)`: the hook built-in nodes use (HTTPRequest does): while on, the node
   * receives `_notification(NOTIFICATION_INTERNAL_PROCESS)` each frame, before any `_process`, whatever the
   * user does with `set_process`.
   */
  set_process_internal(enable: boolean): void {
    if (this.#processing_internal === enable) return;
    this.#processing_internal = enable;
    this.#link()?.processing_changed(this);
  }

  /** Godot's `is_processing_internal()`. */
  is_processing_internal(): boolean {
    return this.#processing_internal;
  }

  /** Godot's `can_process()`: inside a tree, and the tree is not paused or this node is not pausable. */
  can_process(): boolean {
    return this.#tree !== null && (!this.#tree.paused || !this.process_pausable);
  }

  // ----- Deletion. -----

  /**
   * Godot's `queue_free()`: frees the node at the end of the current frame, or at the next message-queue flush
   * when no frame is running (soon, on the event loop; never inside this call). Calling it again does nothing.
   */
  queue_free(): void {
    if (!is_instance_valid(this)) {
      push_error(`Attempt to call function 'queue_free' in base 'previously freed instance'.`);
      return;
    }
    if (this.#queued_for_deletion) return;
    this.#queued_for_deletion = true;
    const link = this.#link();
    if (link !== undefined) {
      link.queue_delete(this);
    } else {
      defer(() => {
        if (is_instance_valid(this)) this.free();
      });
    }
  }

  /** Godot's `is_queued_for_deletion()`: true after `queue_free()`. */
  is_queued_for_deletion(): boolean {
    return this.#queued_for_deletion;
  }

  /**
   * Godot's `free()` for a node: it is removed from its parent (so the subtree leaves the tree), receives
   * `NOTIFICATION_PREDELETE`, loses its signals, and then its children are freed, last first.
   */
  override free(): void {
    if (!is_instance_valid(this)) {
      super.free(); // reports the double free
      return;
    }
    this.#parent?.remove_child(this);
    super.free();
    const children = this.#children;
    this.#children = [];
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child === undefined || child.#parent !== this) continue;
      child.#parent = null;
      if (is_instance_valid(child)) child.free();
    }
  }

  /** Godot 3's `Node.to_string()`: `Name:[Class:id]`. */
  override to_string(): string {
    return this.#name === '' ? super.to_string() : `${this.#name}:${super.to_string()}`;
  }

  // ----- Internals. -----

  #link(): TreeLink | undefined {
    return this.#tree === null ? undefined : tree_links.get(this.#tree);
  }

  #top(): Node {
    return this.#parent === null ? this : this.#parent.#top();
  }

  #path_for_messages(): string {
    const names: string[] = [this.#name];
    for (let node = this.#parent; node !== null; node = node.#parent) names.unshift(node.#name);
    return this.#tree === null ? names.join('/') : `/${names.join('/')}`;
  }

  #make_child_name_unique(child: Node): void {
    const taken = (name: string): boolean =>
      this.#children.some((other) => other !== child && other.#name === name);
    if (!taken(child.#name)) return;
    // Godot 4's readable serial names: "Node" -> "Node2", "Node2" -> "Node3".
    const match = /^(.*?)(\d+)$/.exec(child.#name);
    const base = match?.[1] ?? child.#name;
    let serial = match?.[2] !== undefined ? Number(match[2]) + 1 : 2;
    while (taken(`${base}${serial}`)) serial++;
    child.#name = `${base}${serial}`;
  }

  #propagate_enter_tree(tree: SceneTree): void {
    this.#tree = tree;
    this.notification(NOTIFICATION_ENTER_TREE);
    guarded_call(`Error in ${this.get_class()}._enter_tree()`, () => this._enter_tree());
    this.tree_entered.emit();
    tree_links.get(tree)?.node_added(this);
    // A callback may have moved this node out of the tree already.
    if (this.#tree !== tree) return;
    // Index loop: children added by an _enter_tree above are appended and entered here too (as Godot does).
    for (let i = 0; i < this.#children.length; i++) {
      const child = this.#children[i];
      if (child !== undefined && child.#tree === null) child.#propagate_enter_tree(tree);
    }
  }

  #propagate_ready(): void {
    this.#ready_notified = true;
    for (const child of this.#children) {
      if (child.#tree !== null && !child.#ready_notified) child.#propagate_ready();
    }
    if (!this.#ready_first || this.#tree === null) return;
    this.#ready_first = false;
    // Godot turns processing on at NOTIFICATION_READY when the script defines _process.
    if (this._process !== Node.prototype._process) this.set_process(true);
    guarded_call(`Error in ${this.get_class()}._ready()`, () => this._ready());
    this.notification(NOTIFICATION_READY);
    this.ready.emit();
  }

  #propagate_exit_tree(): void {
    const children = this.#children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child !== undefined && child.#tree !== null) child.#propagate_exit_tree();
    }
    guarded_call(`Error in ${this.get_class()}._exit_tree()`, () => this._exit_tree());
    this.tree_exiting.emit();
    this.notification(NOTIFICATION_EXIT_TREE);
    const tree = this.#tree;
    this.#tree = null;
    this.#ready_notified = false;
    if (tree !== null) tree_links.get(tree)?.node_removed(this);
  }

  #propagate_after_exit_tree(): void {
    for (const child of this.#children) child.#propagate_after_exit_tree();
    this.tree_exited.emit();
  }
}
