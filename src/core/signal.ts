import { ERR_INVALID_PARAMETER, OK, push_error } from './global-scope.js';
import type { Error } from './global-scope.js';
import { guarded_call } from './guarded-call.js';
import { defer } from './message-queue.js';
import type { GodotObject } from './object.js';

/**
 * Godot's `Object.ConnectFlags`, with Godot's numbers. Combine them with `|`.
 *
 * - `CONNECT_DEFERRED` (1): the listener runs at the next message-queue flush instead of during `emit`.
 * - `CONNECT_PERSIST` (2): saved with the scene in Godot; gdhttp stores it and does nothing else.
 * - `CONNECT_ONESHOT` (4): the connection is removed when it fires (before the listener runs).
 * - `CONNECT_REFERENCE_COUNTED` (8): connecting the same listener again counts up instead of failing, and it
 *   takes as many `disconnect` calls to remove it.
 */
export const ConnectFlags = {
  CONNECT_DEFERRED: 1,
  CONNECT_PERSIST: 2,
  CONNECT_ONESHOT: 4,
  CONNECT_REFERENCE_COUNTED: 8,
} as const;
/** Any single value of `ConnectFlags`. */
export type ConnectFlags = (typeof ConnectFlags)[keyof typeof ConnectFlags];

/** `Object.CONNECT_DEFERRED` (1): the listener runs at the next flush of the message queue. */
export const CONNECT_DEFERRED = ConnectFlags.CONNECT_DEFERRED;
/** `Object.CONNECT_PERSIST` (2): kept for Godot compatibility; has no effect in gdhttp (no scene saving). */
export const CONNECT_PERSIST = ConnectFlags.CONNECT_PERSIST;
/** `Object.CONNECT_ONESHOT` (4): the connection is removed when it fires. */
export const CONNECT_ONESHOT = ConnectFlags.CONNECT_ONESHOT;
/** `Object.CONNECT_REFERENCE_COUNTED` (8): repeated connections count up instead of failing. */
export const CONNECT_REFERENCE_COUNTED = ConnectFlags.CONNECT_REFERENCE_COUNTED;

/** A function connected to a signal. Its parameters are the signal's arguments. */
export type SignalListener<Args extends unknown[]> = (...args: Args) => unknown;

/**
 * One connection as Godot 4's `Signal.get_connections()` describes it: the signal, the callable and the flags.
 * For a connection made with Godot 3's `connect(signal, target, method, binds)` the callable is a function
 * that calls `target.callv(method, [...args, ...binds])`.
 */
export interface Connection<Args extends unknown[] = unknown[]> {
  readonly signal: Signal<Args>;
  readonly callable: (...args: unknown[]) => unknown;
  readonly flags: number;
}

/**
 * How a connection is stored. Every connection of a signal, made through the Godot 3 string API or the Godot 4
 * Signal object, lives in one list on the Signal, so each API sees the other's connections.
 * Internal to src/core.
 */
export interface ConnectionRecord {
  /** The Godot 4 listener, or null for a target/method connection. */
  readonly listener: ((...args: unknown[]) => unknown) | null;
  /** What runs on emission: the listener, or a function calling `target.callv(method, args + binds)`. */
  readonly callable: (...args: unknown[]) => unknown;
  readonly target: GodotObject | null;
  readonly method: string | null;
  readonly binds: readonly unknown[];
  readonly flags: number;
  /** False once the target is freed: the connection is then dropped. */
  readonly target_alive: () => boolean;
  /** Name used in error messages. */
  readonly label: string;
  refcount: number;
  connected: boolean;
}

/** Internal operations GodotObject needs on a signal's connection list (set up by Signal's static block). */
export interface SignalInternals {
  add(signal: Signal<unknown[]>, record: ConnectionRecord): Error;
  find(signal: Signal<unknown[]>, match: (record: ConnectionRecord) => boolean): ConnectionRecord | undefined;
  release(signal: Signal<unknown[]>, record: ConnectionRecord): void;
  records(signal: Signal<unknown[]>): readonly ConnectionRecord[];
  /** Drops every connection and refuses new ones: the owner was freed. */
  kill(signal: Signal<unknown[]>): void;
}

let internals: SignalInternals | undefined;

/** Access to the connection lists for GodotObject (not exported by the barrel). */
export function signal_internals(): SignalInternals {
  if (internals === undefined) throw new globalThis.Error('Signal internals are not initialised');
  return internals;
}

/**
 * A signal of a GodotObject, as a Godot 4 `Signal` value: `node.request_completed.connect(fn)`.
 *
 * Signals are created by `GodotObject.declare_signal()` (a subclass's field) or `add_user_signal()`, never with
 * `new` by users. The argument types are checked by TypeScript: `Signal<[result: number, code: number]>`.
 *
 * gdhttp differs from Godot 4 in that a listener is a plain function (there is no Callable type), and in that a
 * listener that throws (or an async listener that rejects) is reported with `push_error` instead of stopping the
 * script: the other listeners still run.
 */
export class Signal<Args extends unknown[] = unknown[]> {
  readonly #object: GodotObject;
  readonly #name: string;
  /** Replaced, never mutated, so an emission iterating the old array works on a snapshot. */
  #records: ConnectionRecord[] = [];
  #dead = false;

  static {
    internals = {
      add: (signal, record) => signal.#add(record),
      find: (signal, match) => signal.#live().find(match),
      release: (signal, record) => signal.#release(record),
      records: (signal) => signal.#live(),
      kill: (signal) => {
        signal.#dead = true;
        for (const record of signal.#records) record.connected = false;
        signal.#records = [];
      },
    };
  }

  /** Internal: use `declare_signal()` in a GodotObject subclass, or `add_user_signal()`. */
  constructor(object: GodotObject, name: string) {
    this.#object = object;
    this.#name = name;
  }

  /** The signal's name (Godot 4's `get_name()`). */
  get_name(): string {
    return this.#name;
  }

  /** The object that owns the signal (Godot 4's `get_object()`). */
  get_object(): GodotObject {
    return this.#object;
  }

  /**
   * Connects `fn` (Godot 4's `Signal.connect(callable, flags)`). Returns `OK`, or `ERR_INVALID_PARAMETER` with
   * an error printed when `fn` is already connected, unless `CONNECT_REFERENCE_COUNTED` is given, which counts
   * the connection up instead.
   */
  connect(fn: SignalListener<Args>, flags = 0): Error {
    const listener = fn as (...args: unknown[]) => unknown;
    return this.#add({
      listener,
      callable: listener,
      target: null,
      method: null,
      binds: [],
      flags,
      target_alive: () => true,
      label: fn.name === '' ? '<anonymous function>' : fn.name,
      refcount: 1,
      connected: true,
    });
  }

  /**
   * Disconnects `fn` (Godot 4's `Signal.disconnect(callable)`). A reference-counted connection is removed when
   * its count reaches zero. Disconnecting something that is not connected prints an error.
   */
  disconnect(fn: SignalListener<Args>): void {
    const record = this.#live().find((r) => r.listener === fn);
    if (record === undefined) {
      push_error(
        `Attempt to disconnect a nonexistent connection from '${this.#object.to_string()}'. ` +
          `Signal: '${this.#name}', callable: '${fn.name === '' ? '<anonymous function>' : fn.name}'.`,
      );
      return;
    }
    this.#release(record);
  }

  /** True when `fn` is connected (Godot 4's `Signal.is_connected(callable)`). */
  is_connected(fn: SignalListener<Args>): boolean {
    return this.#live().some((r) => r.listener === fn);
  }

  /** Every connection, in connection order (Godot 4's `Signal.get_connections()`). */
  get_connections(): Connection<Args>[] {
    return this.#live().map((record) => ({ signal: this, callable: record.callable, flags: record.flags }));
  }

  /** True when the signal has at least one connection (Godot 4's `has_connections()`). */
  has_connections(): boolean {
    return this.#live().length > 0;
  }

  /**
   * Emits the signal (Godot 4's `Signal.emit(...)`).
   *
   * Listeners are called in connection order on a snapshot of the list: one connected during the emission
   * waits for the next one, one disconnected during the emission is skipped. A `CONNECT_ONESHOT` connection is
   * removed before its listener runs; a `CONNECT_DEFERRED` one is queued with the message queue. A listener that
   * throws is reported with `push_error` and the others still run. Emitting on a freed object does nothing.
   */
  emit(...args: Args): void {
    if (this.#dead) return;
    // #live() returns the current array; connect/disconnect replace it, so this loop runs on a snapshot.
    for (const record of this.#live()) {
      if (!record.connected || !record.target_alive()) continue;
      if ((record.flags & CONNECT_ONESHOT) !== 0) this.#remove(record);
      const context = `Error calling method from signal '${this.#name}': '${record.label}'`;
      if ((record.flags & CONNECT_DEFERRED) !== 0) {
        const queued = [...args];
        defer(() => {
          // Godot drops a deferred call whose target was freed in between.
          if (record.target_alive()) guarded_call(context, () => record.callable(...queued));
        });
      } else {
        guarded_call(context, () => record.callable(...args));
      }
    }
  }

  /**
   * A promise of the next emission's arguments: `const [result, code] = await node.request_completed.as_promise()`
   * (the name GodotJS uses; in GDScript this is `await signal`). It connects a one-shot listener, which
   * `get_connections()` lists until the signal fires. If the object is freed first the promise never settles,
   * as a GDScript `await` on a freed object never resumes.
   */
  as_promise(): Promise<Args> {
    return new Promise<Args>((resolve) => {
      const resolve_with_args = (...args: Args): void => resolve(args);
      this.connect(resolve_with_args, CONNECT_ONESHOT);
    });
  }

  /** `Signal(<name> of <object>)`, for messages. */
  toString(): string {
    return `Signal(${this.#name} of ${this.#object.to_string()})`;
  }

  #add(record: ConnectionRecord): Error {
    if (this.#dead) {
      push_error(`Can't connect signal '${this.#name}': its object was freed.`);
      return ERR_INVALID_PARAMETER;
    }
    const existing = this.#live().find((r) =>
      record.listener !== null
        ? r.listener === record.listener
        : r.target === record.target && r.method === record.method,
    );
    if (existing !== undefined) {
      if (
        (record.flags & CONNECT_REFERENCE_COUNTED) !== 0 &&
        (existing.flags & CONNECT_REFERENCE_COUNTED) !== 0
      ) {
        existing.refcount++;
        return OK;
      }
      push_error(
        `Signal '${this.#name}' is already connected to given method '${record.label}' in that object.`,
      );
      return ERR_INVALID_PARAMETER;
    }
    this.#records = [...this.#records, record];
    return OK;
  }

  #release(record: ConnectionRecord): void {
    if ((record.flags & CONNECT_REFERENCE_COUNTED) !== 0 && record.refcount > 1) {
      record.refcount--;
      return;
    }
    this.#remove(record);
  }

  #remove(record: ConnectionRecord): void {
    record.connected = false;
    this.#records = this.#records.filter((r) => r !== record);
  }

  /** The connections, without those whose target was freed (they are dropped here, lazily). */
  #live(): ConnectionRecord[] {
    if (this.#records.some((r) => !r.target_alive())) {
      for (const r of this.#records) if (!r.target_alive()) r.connected = false;
      this.#records = this.#records.filter((r) => r.connected);
    }
    return this.#records;
  }
}
