import { ConnectionPool } from './connection-pool.js';

/** The keep-alive connections every HTTPRequest on this thread shares. */
export const default_pool = new ConnectionPool();
