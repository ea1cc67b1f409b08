import { guarded_call } from './guarded-call.js';

/**
 * Godot's MessageQueue: the list of deferred calls (`call_deferred`, `CONNECT_DEFERRED` signals, the
 * `request_completed` emission of HTTPRequest) that the engine runs at a safe point of the main loop.
 *
 * Godot flushes it during each frame. gdhttp has no permanent loop, so the queue flushes itself with
 * `setImmediate` as soon as something is queued: a deferred call never runs inside the call that queued it, and
 * never waits a whole frame when the tree is idle. `SceneTree.step()` also flushes it at the start and end of a
 * frame, as Godot's `SceneTree::idle` does.
 *
 * The queue is shared by every SceneTree (Godot has one MessageQueue singleton).
 */

let queue: (() => void)[] = [];
let scheduled: NodeJS.Immediate | null = null;

/**
 * Queues `fn` to run at the next flush. Calls run in the order they were queued. A call that throws is reported
 * with `push_error` and does not stop the others.
 */
export function defer(fn: () => void): void {
  queue.push(fn);
  scheduled ??= setImmediate(flush);
}

/**
 * Runs every call queued before this flush started. Unlike Godot (whose flush also runs calls queued while it
 * flushes), a call queued during a flush runs in the next one, so a call that re-queues itself can never spin
 * one flush forever; the next flush is scheduled automatically.
 */
export function flush(): void {
  if (scheduled !== null) {
    clearImmediate(scheduled);
    scheduled = null;
  }
  const batch = queue;
  queue = [];
  for (const call of batch) guarded_call('Error in a deferred call', call);
  // Calls queued by the batch scheduled their own flush through defer().
}

/** How many calls wait for the next flush (Godot has no such getter; it helps tests and host loops). */
export function get_pending_count(): number {
  return queue.length;
}
