import { openConnection, type ConnectTarget, type PhaseListener } from './connector.js';
import { Connection } from './connection.js';

/** How many idle connections one origin keeps; more are closed when released. */
const MAX_IDLE_PER_ORIGIN = 64;

/** A connection lent to one request, and whether it had served requests before. */
export interface Lease {
  readonly connection: Connection;
  readonly reused: boolean;
}

function keyOf(target: ConnectTarget): string {
  const proxy =
    target.proxy === undefined
      ? ''
      : `${target.proxy.host}:${target.proxy.port}:${target.proxy.authorization ?? ''}`;
  return `${target.tls ? 'https' : 'http'}|${target.host}|${target.port}|${target.verify ? 'v' : 'nv'}|${proxy}`;
}

/**
 * Keep-alive connections shared by every HTTPRequest of a thread, one idle list per origin, proxy and TLS
 * setting (Godot opens a new connection for every request and every redirect). An idle connection that the
 * server or undici's keep-alive timer closes leaves the list by itself.
 */
export class ConnectionPool {
  readonly #idle = new Map<string, Connection[]>();
  readonly #forget = new WeakMap<Connection, () => void>();

  /** Lends an idle connection to `target`, or undefined when there is none. */
  take_idle(target: ConnectTarget): Lease | undefined {
    const list = this.#idle.get(keyOf(target));
    while (list !== undefined && list.length > 0) {
      const connection = list.pop() as Connection;
      this.#forget.get(connection)?.();
      if (!connection.closed) return { connection, reused: true };
    }
    return undefined;
  }

  /** Opens a new connection to `target`, reporting its phases to `onPhase`. */
  async connect(target: ConnectTarget, onPhase: PhaseListener, signal?: AbortSignal): Promise<Lease> {
    const socket = await openConnection(target, onPhase, signal);
    return { connection: new Connection(socket), reused: false };
  }

  /** {@link take_idle}, else {@link connect}. */
  async acquire(target: ConnectTarget, onPhase: PhaseListener, signal?: AbortSignal): Promise<Lease> {
    return this.take_idle(target) ?? this.connect(target, onPhase, signal);
  }

  /** Takes a connection back after a complete exchange; a closed one is simply forgotten. */
  release(target: ConnectTarget, connection: Connection): void {
    if (connection.closed) return;
    const key = keyOf(target);
    let list = this.#idle.get(key);
    if (list === undefined) {
      list = [];
      this.#idle.set(key, list);
    }
    if (list.length >= MAX_IDLE_PER_ORIGIN) {
      connection.destroy();
      return;
    }
    list.push(connection);
    const idleList = list;
    this.#forget.set(
      connection,
      connection.on_close(() => {
        const index = idleList.indexOf(connection);
        if (index !== -1) idleList.splice(index, 1);
        if (idleList.length === 0 && this.#idle.get(key) === idleList) this.#idle.delete(key);
      }),
    );
  }

  /** The number of idle connections held (for tests and diagnostics). */
  idle_count(): number {
    let count = 0;
    for (const list of this.#idle.values()) count += list.length;
    return count;
  }

  /** Closes every idle connection. */
  close_idle(): void {
    for (const list of this.#idle.values()) for (const connection of list.splice(0)) connection.destroy();
    this.#idle.clear();
  }
}
