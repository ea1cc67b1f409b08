/**
 * gdhttp: Godot Engine's HTTPRequest node and HTTPClient for TypeScript on Node.js.
 *
 * The public surface, listed name by name: Godot's object-model slice (src/core) and the HTTP classes
 * (src/net). Nothing else is public.
 */
export * from './core/index.js';
export { HTTPClient } from './net/http-client.js';
export { HTTPRequest } from './net/http-request.js';
export { Status, Method, ResponseCode } from './net/http-client-constants.js';
export { Result, result_name } from './net/result.js';
export type { ResultName } from './net/result.js';
export { RequestRefusedError } from './net/fetch-options.js';
export type { FetchOptions, FetchResponse } from './net/fetch-options.js';
export { query_string_from_dict, http_escape } from './net/query-string.js';
export type { QueryValue } from './net/query-string.js';
export { add_trusted_ca, clear_trusted_cas } from './net/trust-store.js';
export { VERSION, USER_AGENT } from './net/version.js';
export { close_worker_pool } from './net/worker/worker-pool.js';
export { close_idle_connections } from './net/default-pool.js';
