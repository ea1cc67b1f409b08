/**
 * The public surface of src/core, Godot's object-model slice: global scope (errors, print, JSON), pool arrays,
 * the message queue, signals, GodotObject, Node and SceneTree. Every name is listed on purpose; internal
 * helpers (guarded calls, tree links, signal internals) are not exported.
 */
// error.ts is the public Error table itself: every name it exports (Error, error_name, OK, ERR_*) is public.
export * from './error.js';
export { str, print, push_error, push_warning, to_json, parse_json } from './global-scope.js';
export { PoolByteArray } from './pool-arrays.js';
export type { PoolStringArray } from './pool-arrays.js';
export { defer, flush, get_pending_count } from './message-queue.js';
export {
  Signal,
  ConnectFlags,
  CONNECT_DEFERRED,
  CONNECT_PERSIST,
  CONNECT_ONESHOT,
  CONNECT_REFERENCE_COUNTED,
} from './signal.js';
export type { Connection, SignalListener } from './signal.js';
export {
  GodotObject,
  is_instance_valid,
  NOTIFICATION_POSTINITIALIZE,
  NOTIFICATION_PREDELETE,
} from './object.js';
export type { SignalArgNames, SignalArgument, SignalInfo, SignalConnectionInfo } from './object.js';
export {
  Node,
  NOTIFICATION_ENTER_TREE,
  NOTIFICATION_EXIT_TREE,
  NOTIFICATION_READY,
  NOTIFICATION_PROCESS,
  NOTIFICATION_INTERNAL_PROCESS,
} from './node.js';
export { SceneTree, SceneTreeTimer } from './scene-tree.js';
