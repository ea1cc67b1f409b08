import { ERR_INVALID_PARAMETER, ERR_UNAVAILABLE, OK, push_error } from './global-scope.js';
import type { Error } from './global-scope.js';
import { guarded_call } from './guarded-call.js';
import { defer } from './message-queue.js';
import {
  CONNECT_DEFERRED,
  CONNECT_ONESHOT,
  CONNECT_PERSIST,
  CONNECT_REFERENCE_COUNTED,
  Signal,
  signal_internals,
} from './signal.js';

/** Godot's `Object.NOTIFICATION_POSTINITIALIZE` (0). gdhttp never sends it (constructors do that job). */
export const NOTIFICATION_POSTINITIALIZE = 0;
/** Godot's `Object.NOTIFICATION_PREDELETE` (1): sent to `_notification` by `free()`, before the object dies. */
export const NOTIFICATION_PREDELETE = 1;

/** Objects that were freed. A WeakSet, so a freed object can still be garbage-collected. */
const freed_objects = new WeakSet<GodotObject>();
let next_instance_id = 1;

/**
 * The argument names of a signal, one per argument of its type: for `Signal<[result: number, code: number]>`
 * this is `readonly [string, string]`, so the name list and the type cannot disagree in length.
 */
export type SignalArgNames<Args extends unknown[]> = { readonly [K in keyof Args]: string };

/** One argument of a signal in `get_signal_list()` (Godot's PropertyInfo, reduced to name and Variant type). */
export interface SignalArgument {
  readonly name: string;
  /** Godot's `Variant.Type` number; 0 (`TYPE_NIL`) when unknown, which is always the case for declared signals. */
  readonly type: number;
}

/** A signal as `get_signal_list()` describes it (Godot's MethodInfo dictionary, reduced to name and args). */
export interface SignalInfo {
  readonly name: string;
  readonly args: readonly SignalArgument[];
}

/** One connection as Godot 3's `get_signal_connection_list()` describes it. */
export interface SignalConnectionInfo {
  readonly signal: string;
  readonly source: GodotObject;
  /** The target object; `null` for a Godot 4 style function connection. */
  readonly target: GodotObject | null;
  /** The method name; for a function connection, the function's name. */
  readonly method: string;
  readonly binds: readonly unknown[];
  readonly flags: number;
}

interface SignalEntry {
  readonly signal: Signal<unknown[]>;
  readonly args: readonly SignalArgument[];
  readonly user: boolean;
}

/**
 * Godot's `Object`, named `GodotObject` so it never shadows JavaScript's `Object`: signals (Godot 3's string API
 * and Godot 4's typed Signal objects, sharing one connection list), dynamic calls, deferred calls, notifications,
 * and explicit `free()`.
 *
 * A subclass declares its signals as fields:
 * ```ts
 * class HTTPRequest extends Node {
 *   readonly request_completed = this.declare_signal<[result: number, response_code: number,
 *     headers: PoolStringArray, body: PoolByteArray]>('request_completed', ['result', 'response_code', 'headers', 'body']);
 * }
 * ```
 *
 * Where gdhttp differs: memory is managed by JavaScript, so `free()` only ends the object's Godot life (signals
 * dropped, `is_instance_valid()` false); calling a method of a freed object is not a crash but a plain JS call.
 * Errors that Godot prints and ignores (bad connect, missing method) are printed with `push_error` and ignored.
 */
export class GodotObject {
  /** `CONNECT_DEFERRED` (1). */
  static readonly CONNECT_DEFERRED = CONNECT_DEFERRED;
  /** `CONNECT_PERSIST` (2). */
  static readonly CONNECT_PERSIST = CONNECT_PERSIST;
  /** `CONNECT_ONESHOT` (4). */
  static readonly CONNECT_ONESHOT = CONNECT_ONESHOT;
  /** `CONNECT_REFERENCE_COUNTED` (8). */
  static readonly CONNECT_REFERENCE_COUNTED = CONNECT_REFERENCE_COUNTED;
  /** `NOTIFICATION_POSTINITIALIZE` (0). */
  static readonly NOTIFICATION_POSTINITIALIZE = NOTIFICATION_POSTINITIALIZE;
  /** `NOTIFICATION_PREDELETE` (1). */
  static readonly NOTIFICATION_PREDELETE = NOTIFICATION_PREDELETE;

  readonly #instance_id = next_instance_id++;
  readonly #signals = new Map<string, SignalEntry>();
  #freeing = false;

  /**
   * Declares a signal of this class and returns its typed Signal object; call it in a field initializer.
   * `arg_names` feeds `get_signal_list()`. Godot declares class signals in `_bind_methods` (C++) or with
   * `signal name(args)` (GDScript).
   */
  protected declare_signal<Args extends unknown[] = []>(
    name: string,
    arg_names?: SignalArgNames<Args>,
  ): Signal<Args> {
    const existing = this.#signals.get(name);
    if (existing !== undefined) {
      push_error(`Signal '${name}' is already declared in '${this.get_class()}'.`);
      return existing.signal as unknown as Signal<Args>;
    }
    const signal = new Signal<Args>(this, name);
    const names: readonly string[] = arg_names ?? [];
    this.#signals.set(name, {
      signal,
      args: names.map((arg) => ({ name: arg, type: 0 })),
      user: false,
    });
    return signal;
  }

  /**
   * Godot's `add_user_signal(signal, arguments = [])`: adds a signal to this one object at run time. Each
   * argument is a name or a `{ name, type }` dictionary, as in Godot. An empty name, or a name already used by
   * a declared or user signal, prints an error and changes nothing.
   */
  add_user_signal(signal: string, args: readonly (string | { name: string; type?: number })[] = []): void {
    if (signal === '') {
      push_error('Signal name cannot be empty.');
      return;
    }
    const existing = this.#signals.get(signal);
    if (existing !== undefined) {
      push_error(
        existing.user
          ? `Trying to add already existing signal '${signal}'.`
          : `User signal's name conflicts with a built-in signal of '${this.get_class()}'.`,
      );
      return;
    }
    this.#signals.set(signal, {
      signal: new Signal<unknown[]>(this, signal),
      args: args.map((arg) =>
        typeof arg === 'string' ? { name: arg, type: 0 } : { name: arg.name, type: arg.type ?? 0 },
      ),
      user: true,
    });
  }

  /** Godot's `has_signal(signal)`: true for declared and user signals. */
  has_signal(signal: string): boolean {
    return this.#signals.has(signal);
  }

  /**
   * The Signal object of any signal, declared or user (Godot 4's `Signal(object, name)`), or `null` when the
   * object has no such signal.
   */
  get_signal(signal: string): Signal<unknown[]> | null {
    return this.#signals.get(signal)?.signal ?? null;
  }

  /** Godot's `get_signal_list()`: declared signals (base classes first), then user signals. */
  get_signal_list(): SignalInfo[] {
    const list = [...this.#signals.entries()].map(([name, entry]) => ({
      name,
      args: entry.args,
      user: entry.user,
    }));
    return [...list.filter((s) => !s.user), ...list.filter((s) => s.user)].map(({ name, args }) => ({
      name,
      args: [...args],
    }));
  }

  /**
   * Godot 3's `get_signal_connection_list(signal)`: every connection of the signal, made by either API, in
   * connection order. An unknown signal gives an empty list, as in Godot.
   */
  get_signal_connection_list(signal: string): SignalConnectionInfo[] {
    const entry = this.#signals.get(signal);
    if (entry === undefined) return [];
    return signal_internals()
      .records(entry.signal)
      .map((record) => ({
        signal,
        source: this,
        target: record.target,
        method: record.method ?? record.label,
        binds: [...record.binds],
        flags: record.flags,
      }));
  }

  /**
   * Godot 3's `connect(signal, target, method, binds = [], flags = 0)`. On emission, `target[method]` is called
   * with the signal's arguments followed by `binds`. Returns `OK`, or `ERR_INVALID_PARAMETER` with an error
   * printed for an unknown signal, a freed target, a method the target does not have, or a connection that
   * already exists (unless both use `CONNECT_REFERENCE_COUNTED`, which counts it up).
   *
   * Godot 3 checks the method only when the signal fires; gdhttp checks it here (as Godot 4 does).
   */
  connect(
    signal: string,
    target: GodotObject,
    method: string,
    binds: readonly unknown[] = [],
    flags = 0,
  ): Error {
    const entry = this.#signals.get(signal);
    if (entry === undefined) {
      push_error(
        `In Object of type '${this.get_class()}': Attempt to connect nonexistent signal '${signal}' to method ` +
          `'${target.get_class()}.${method}'.`,
      );
      return ERR_INVALID_PARAMETER;
    }
    if (!is_instance_valid(target)) {
      push_error(`Attempt to connect signal '${this.get_class()}.${signal}' to a freed instance.`);
      return ERR_INVALID_PARAMETER;
    }
    if (!target.has_method(method)) {
      push_error(
        `In Object of type '${this.get_class()}': Attempt to connect signal '${signal}' to nonexistent method ` +
          `'${target.get_class()}.${method}'.`,
      );
      return ERR_INVALID_PARAMETER;
    }
    const bound = [...binds];
    return signal_internals().add(entry.signal, {
      listener: null,
      callable: (...args: unknown[]) => target.callv(method, [...args, ...bound]),
      target,
      method,
      binds: bound,
      flags,
      target_alive: () => !freed_objects.has(target),
      label: `${target.get_class()}::${method}`,
      refcount: 1,
      connected: true,
    });
  }

  /**
   * Godot 3's `disconnect(signal, target, method)`. A reference-counted connection is removed when its count
   * reaches zero. Disconnecting a connection that does not exist prints an error.
   */
  disconnect(signal: string, target: GodotObject, method: string): void {
    const entry = this.#signals.get(signal);
    const record =
      entry === undefined
        ? undefined
        : signal_internals().find(entry.signal, (r) => r.target === target && r.method === method);
    if (entry === undefined || record === undefined) {
      push_error(
        `Disconnecting nonexistent signal '${signal}', slot: ${target.get_instance_id()}:${method}.`,
      );
      return;
    }
    signal_internals().release(entry.signal, record);
  }

  /** Godot 3's `is_connected(signal, target, method)`. An unknown signal prints an error and gives false. */
  is_connected(signal: string, target: GodotObject, method: string): boolean {
    const entry = this.#signals.get(signal);
    if (entry === undefined) {
      push_error(`Nonexistent signal: ${signal}.`);
      return false;
    }
    return (
      signal_internals().find(entry.signal, (r) => r.target === target && r.method === method) !== undefined
    );
  }

  /**
   * Godot's `emit_signal(signal, ...args)`: emits as `Signal.emit()` does. Returns `OK`, or `ERR_UNAVAILABLE`
   * with an error printed for an unknown signal or a freed object. The arguments are not type-checked: use
   * the Signal object's `emit()` for that.
   */
  emit_signal(signal: string, ...args: unknown[]): Error {
    const entry = this.#signals.get(signal);
    if (entry === undefined || freed_objects.has(this)) {
      push_error(`Can't emit non-existing signal "${signal}".`);
      return ERR_UNAVAILABLE;
    }
    entry.signal.emit(...args);
    return OK;
  }

  /** Godot's `has_method(method)`: true when the object has a callable member of that name. */
  has_method(method: string): boolean {
    if (method === 'constructor' || Object.prototype.hasOwnProperty.call(Object.prototype, method))
      return false;
    return typeof (this as unknown as Record<string, unknown>)[method] === 'function';
  }

  /**
   * Godot's `call(method, ...args)`: calls a method by name and returns its result. A missing method prints
   * an error and gives `null`. An exception thrown by the method propagates to the caller (this is a direct call).
   */
  call(method: string, ...args: unknown[]): unknown {
    return this.callv(method, args);
  }

  /** Godot's `callv(method, args)`: `call` with the arguments in an array. */
  callv(method: string, args: readonly unknown[]): unknown {
    if (freed_objects.has(this)) {
      push_error(`Attempt to call function '${method}' in base 'previously freed instance'.`);
      return null;
    }
    if (!this.has_method(method)) {
      push_error(`Invalid call. Nonexistent function '${method}' in base '${this.get_class()}'.`);
      return null;
    }
    const fn = (this as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
    return fn?.apply(this, [...args]);
  }

  /**
   * Godot's `call_deferred(method, ...args)`: calls the method at the next flush of the message queue (soon, on
   * the event loop; never inside the current call). Skipped if the object is freed by then; an exception is
   * reported with `push_error`.
   */
  call_deferred(method: string, ...args: unknown[]): void {
    defer(() => {
      if (freed_objects.has(this)) return;
      guarded_call(`Error calling deferred method '${this.get_class()}::${method}'`, () =>
        this.callv(method, args),
      );
    });
  }

  /**
   * Godot's `notification(what)`: delivers `what` to `_notification`. An exception is reported with `push_error`.
   */
  notification(what: number): void {
    guarded_call(`Error in ${this.get_class()}._notification(${what})`, () => this._notification(what));
  }

  /**
   * Override to receive Godot's notifications (`NOTIFICATION_PREDELETE` here; Node adds the tree ones). Godot
   * calls `_notification` of every class in the chain; in TypeScript an override must call
   * `super._notification(what)` itself.
   */
  _notification(_what: number): void {
    // The base object reacts to no notification.
  }

  /**
   * Godot's `free()`: sends `NOTIFICATION_PREDELETE`, then ends the object's life: every connection from its
   * signals and to it is dropped, deferred calls to it are skipped, and `is_instance_valid()` becomes false.
   * Freeing twice prints an error.
   */
  free(): void {
    if (freed_objects.has(this) || this.#freeing) {
      push_error(`Attempt to call function 'free' in base 'previously freed instance'.`);
      return;
    }
    this.#freeing = true;
    this.notification(NOTIFICATION_PREDELETE);
    freed_objects.add(this);
    for (const entry of this.#signals.values()) signal_internals().kill(entry.signal);
  }

  /** Godot's `get_instance_id()`: a number unique to this object for the life of the process. */
  get_instance_id(): number {
    return this.#instance_id;
  }

  /**
   * Godot's `get_class()`. gdhttp returns the JavaScript class name, which for a user subclass is the
   * subclass's name (Godot gives the built-in class a script extends).
   */
  get_class(): string {
    return this.constructor.name;
  }

  /** Godot's `is_class(name)`: true when this object's class or any base class has that name. */
  is_class(name: string): boolean {
    for (
      let proto: unknown = Object.getPrototypeOf(this);
      proto !== null;
      proto = Object.getPrototypeOf(proto)
    ) {
      if ((proto as { constructor: { name: string } }).constructor.name === name) return true;
      if (proto === GodotObject.prototype) break;
    }
    return name === 'Object';
  }

  /** Godot's `to_string()`: `[ClassName:id]`. */
  to_string(): string {
    return `[${this.get_class()}:${this.#instance_id}]`;
  }

  /** Same as `to_string()`, so template strings and `print()` show Godot's form. */
  toString(): string {
    return this.to_string();
  }
}

/**
 * Godot's `is_instance_valid(object)`: true for a GodotObject that has not been freed (it is still true while
 * the object handles its own `NOTIFICATION_PREDELETE`). Null, undefined and non-objects give false.
 */
export function is_instance_valid(object: unknown): boolean {
  return object instanceof GodotObject && !freed_objects.has(object);
}
