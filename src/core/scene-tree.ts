import { push_error } from './global-scope.js';
import { guarded_call } from './guarded-call.js';
import { defer, flush } from './message-queue.js';
import { NOTIFICATION_INTERNAL_PROCESS, NOTIFICATION_PROCESS, Node, link_scene_tree } from './node.js';
import { GodotObject, is_instance_valid } from './object.js';

/**
 * Godot's `SceneTreeTimer`, made by `SceneTree.create_timer()`: emits `timeout` once when `time_left` reaches
 * zero. It counts down in the tree's frames (`run()` or `step()`), in the seconds each frame reports.
 *
 * Godot fires when `time_left` drops below zero (3.x); gdhttp fires when it reaches zero (as Godot 4 does), so
 * `step(0.5)` twice fires a one-second timer.
 */
export class SceneTreeTimer extends GodotObject {
  /** Emitted once, when the time is up. */
  readonly timeout = this.declare_signal('timeout');
  /** Seconds left before `timeout`. Writable, as in Godot. */
  time_left: number;
  /** Whether the timer keeps counting while the tree is paused (Godot's `pause_mode_process`, default true). */
  pause_mode_process: boolean;

  /** Internal: use `SceneTree.create_timer()`. */
  constructor(time_sec: number, pause_mode_process = true) {
    super();
    this.time_left = time_sec;
    this.pause_mode_process = pause_mode_process;
  }
}

/**
 * Godot's `SceneTree` (the main loop) for Node.js: it owns the `root` node, runs frames (`_process` of
 * processing nodes, internal processing, timers, freeing of `queue_free`d nodes) and exits with `quit()`.
 *
 * Two ways to drive frames:
 * - `await tree.run()`: frames run on their own at `target_fps`, but only while some node processes or a timer
 *   counts down; an idle tree has no timer at all, so it never keeps Node.js alive. `run()` resolves with the
 *   code given to `quit()`.
 * - `tree.step(delta)`: a host engine's loop runs each frame itself.
 *
 * Deferred calls (`call_deferred`, `CONNECT_DEFERRED`, HTTPRequest's `request_completed`) do not wait for frames:
 * the message queue flushes itself on the event loop, and each frame flushes it too.
 *
 * Where gdhttp differs: several trees may exist (Godot has one); there is no viewport, input, physics or groups.
 */
export class SceneTree extends GodotObject {
  /** Emitted at the start of each frame, before deferred calls and processing (Godot 3's `idle_frame`). */
  readonly idle_frame = this.declare_signal('idle_frame');
  /** Emitted when a node enters the tree. */
  readonly node_added = this.declare_signal<[node: Node]>('node_added', ['node']);
  /** Emitted when a node leaves the tree. */
  readonly node_removed = this.declare_signal<[node: Node]>('node_removed', ['node']);

  /** The root node, named `root`, always inside the tree. Add your scene under it. */
  readonly root: Node;
  /** Godot's `paused`: when true, pausable nodes (`process_pausable`) stop processing; timers may stop too. */
  paused = false;

  #target_fps = 60;
  #processing = new Set<Node>();
  #timers: SceneTreeTimer[] = [];
  #delete_queue: Node[] = [];
  #delete_flush_pending = false;
  #in_frame = false;
  #frame = 0;
  #running = false;
  #run_resolvers: ((code: number) => void)[] = [];
  #early_quit_code: number | null = null;
  #frame_timer: NodeJS.Timeout | null = null;
  #last_frame_at: number | null = null;

  constructor() {
    super();
    this.root = new Node();
    this.root.name = 'root';
    link_scene_tree(this, this.root, {
      node_added: (node) => {
        this.#update_processing(node);
        this.node_added.emit(node);
      },
      node_removed: (node) => {
        this.#processing.delete(node);
        this.node_removed.emit(node);
      },
      processing_changed: (node) => this.#update_processing(node),
      queue_delete: (node) => this.#queue_delete(node),
    });
  }

  /**
   * Frames per second of `run()` (Godot's `Engine.target_fps`), default 60. 0 means as fast as possible.
   * Applies from the next frame.
   */
  get target_fps(): number {
    return this.#target_fps;
  }

  set target_fps(fps: number) {
    if (!Number.isFinite(fps) || fps < 0) {
      push_error(`target_fps must be a number >= 0, got ${fps}.`);
      return;
    }
    this.#target_fps = fps;
  }

  /** Godot's `get_root()`. */
  get_root(): Node {
    return this.root;
  }

  /** How many frames have completed (Godot 4's `get_frame()`). */
  get_frame(): number {
    return this.#frame;
  }

  /**
   * Runs frames at `target_fps` while anything needs them, until `quit()`. Resolves with `quit()`'s code (at once
   * if `quit()` was called before `run()`). The pending promise alone does not keep Node.js alive: when the
   * tree goes idle and nothing else (a socket, a timer) is pending, Node.js exits — call `quit()` to finish.
   */
  run(): Promise<number> {
    if (this.#early_quit_code !== null) {
      const code = this.#early_quit_code;
      this.#early_quit_code = null;
      return Promise.resolve(code);
    }
    this.#running = true;
    const finished = new Promise<number>((resolve) => this.#run_resolvers.push(resolve));
    this.#wake();
    return finished;
  }

  /** Godot's `quit(exit_code = 0)`: stops `run()`'s frames and resolves its promise with `exit_code`. */
  quit(exit_code = 0): void {
    this.#running = false;
    this.#stop_frames();
    const resolvers = this.#run_resolvers;
    this.#run_resolvers = [];
    if (resolvers.length === 0) this.#early_quit_code = exit_code;
    for (const resolve of resolvers) resolve(exit_code);
  }

  /**
   * Runs one frame with `delta` seconds, for a host loop that drives the tree itself (Godot's
   * `SceneTree::idle`): emits `idle_frame`, flushes deferred calls, sends NOTIFICATION_INTERNAL_PROCESS then
   * `_process(delta)` to the processing nodes in tree order (unless paused), flushes again, frees the nodes
   * queued for deletion and counts timers down. Calling it from inside a frame prints an error and does nothing.
   */
  step(delta: number): void {
    if (this.#in_frame) {
      push_error('SceneTree.step() called during a frame; ignored.');
      return;
    }
    this.#run_frame(delta);
  }

  /**
   * Godot's `create_timer(time_sec, pause_mode_process = true)`: a SceneTreeTimer that emits `timeout` once
   * after `time_sec` seconds of frames.
   */
  create_timer(time_sec: number, pause_mode_process = true): SceneTreeTimer {
    const timer = new SceneTreeTimer(time_sec, pause_mode_process);
    this.#timers.push(timer);
    this.#wake();
    return timer;
  }

  /** Frees the tree: stops frames and frees the root and every node under it. */
  override free(): void {
    if (is_instance_valid(this)) {
      this.#running = false;
      this.#stop_frames();
      if (is_instance_valid(this.root)) this.root.free();
    }
    super.free();
  }

  #run_frame(delta: number): void {
    this.#in_frame = true;
    try {
      this.idle_frame.emit();
      flush();
      const order = this.#processing_order();
      for (const node of order) {
        if (this.#processing.has(node) && node.is_processing_internal() && node.can_process()) {
          node.notification(NOTIFICATION_INTERNAL_PROCESS);
        }
      }
      for (const node of order) {
        if (this.#processing.has(node) && node.is_processing() && node.can_process()) {
          guarded_call(`Error in ${node.get_class()}._process()`, () => node._process(delta));
          node.notification(NOTIFICATION_PROCESS);
        }
      }
      flush();
    } finally {
      this.#in_frame = false;
    }
    this.#flush_delete_queue();
    this.#count_timers(delta);
    this.#frame++;
  }

  /** The processing nodes in tree order (parents before children, siblings in order), as Godot processes. */
  #processing_order(): Node[] {
    if (this.#processing.size === 0) return [];
    const order: Node[] = [];
    const stack: Node[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop();
      if (node === undefined) break;
      if (this.#processing.has(node)) order.push(node);
      const children = node.get_children();
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child !== undefined) stack.push(child);
      }
    }
    return order;
  }

  #count_timers(delta: number): void {
    for (const timer of [...this.#timers]) {
      if (this.paused && !timer.pause_mode_process) continue;
      timer.time_left -= delta;
      if (timer.time_left <= 0) {
        timer.time_left = 0;
        this.#timers = this.#timers.filter((t) => t !== timer);
        if (is_instance_valid(timer)) timer.timeout.emit();
      }
    }
  }

  #update_processing(node: Node): void {
    if (node.is_inside_tree() && (node.is_processing() || node.is_processing_internal())) {
      this.#processing.add(node);
      this.#wake();
    } else {
      this.#processing.delete(node);
    }
  }

  #queue_delete(node: Node): void {
    if (!this.#delete_queue.includes(node)) this.#delete_queue.push(node);
    // Inside a frame the node is freed at the frame's end; otherwise no frame may come, so free it at the next
    // message-queue flush (soon, and never inside the queue_free() call).
    if (this.#in_frame || this.#delete_flush_pending) return;
    this.#delete_flush_pending = true;
    defer(() => {
      this.#delete_flush_pending = false;
      this.#flush_delete_queue();
    });
  }

  #flush_delete_queue(): void {
    const queue = this.#delete_queue;
    this.#delete_queue = [];
    for (const node of queue) if (is_instance_valid(node)) node.free();
  }

  #needs_frames(): boolean {
    return this.#processing.size > 0 || this.#timers.length > 0;
  }

  #frame_interval_ms(): number {
    return this.#target_fps > 0 ? 1000 / this.#target_fps : 0;
  }

  /** Schedules the next automatic frame if run() is active and something needs frames. */
  #wake(): void {
    if (!this.#running || this.#frame_timer !== null || !this.#needs_frames()) return;
    this.#last_frame_at ??= performance.now();
    this.#frame_timer = setTimeout(() => this.#tick(), this.#frame_interval_ms());
  }

  #tick(): void {
    this.#frame_timer = null;
    const started = performance.now();
    const delta = (started - (this.#last_frame_at ?? started)) / 1000;
    this.#last_frame_at = started;
    if (!this.#in_frame) this.#run_frame(delta);
    if (this.#running && this.#needs_frames()) {
      const wait = Math.max(0, this.#frame_interval_ms() - (performance.now() - started));
      this.#frame_timer = setTimeout(() => this.#tick(), wait);
    } else {
      // Idle: no timer is left, so the tree keeps nothing alive; the next frame measures delta from its wake.
      this.#last_frame_at = null;
    }
  }

  #stop_frames(): void {
    if (this.#frame_timer !== null) clearTimeout(this.#frame_timer);
    this.#frame_timer = null;
    this.#last_frame_at = null;
  }
}
