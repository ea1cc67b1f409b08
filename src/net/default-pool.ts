import { ConnectionPool } from './connection-pool.js';

/** The keep-alive connections every HTTPRequest on this thread shares. */
export const default_pool = new ConnectionPool();

/**
 * gdhttp extra: closes the idle keep-alive connections HTTPRequest keeps on the main thread (they also close
 * by themselves after the server's keep-alive timeout, 4 s by default). Requests in flight are not touched.
 */
export function close_idle_connections(): void {
  default_pool.close_idle();
}
