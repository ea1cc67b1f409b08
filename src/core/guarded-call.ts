import { push_error } from './global-scope.js';

/**
 * Runs a user callback (a signal listener, a deferred call, `_ready`, `_process`, ...) the way Godot runs script
 * code from the engine: an error inside it is reported with `push_error` and never unwinds into the engine, so
 * the other listeners and the frame loop go on. A returned promise that rejects is reported the same way, so an
 * `async` listener can never become an unhandled rejection.
 *
 * Internal to src/core (the barrel does not export it).
 */
export function guarded_call(context: string, fn: () => unknown): void {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    report_exception(context, error);
    return;
  }
  if (is_thenable(result)) {
    result.then(undefined, (error: unknown) => report_exception(context, error));
  }
}

function is_thenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Prints `ERROR: <context>: <stack or message>`. */
export function report_exception(context: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  push_error(`${context}: ${detail}`);
}
