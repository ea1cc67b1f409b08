/**
 * Shared pieces of the HTTPRequest tests: a tree per test, nodes configured in one call, and a bounded
 * wait for `request_completed` (a test never hangs on a missing signal).
 */
import { readdirSync } from 'node:fs';
import { HTTPRequest, OK, SceneTree, type PoolByteArray } from '../../../src/index.js';

/** `request_completed`'s arguments. */
export interface Completed {
  result: number;
  response_code: number;
  headers: string[];
  body: PoolByteArray;
}

/** Node properties a test may set. */
export interface NodeProps {
  use_threads?: boolean;
  body_size_limit?: number;
  download_chunk_size?: number;
  download_file?: string;
  max_redirects?: number;
  timeout?: number;
  accept_gzip?: boolean;
}

/** A fresh tree with one HTTPRequest in it. */
export function makeNode(props: NodeProps = {}, tree: SceneTree = new SceneTree()): HTTPRequest {
  const node = new HTTPRequest();
  tree.root.add_child(node);
  Object.assign(node, props);
  return node;
}

/** Waits for the node's next `request_completed`, failing after `ms`. */
export async function completion(node: HTTPRequest, ms = 15_000): Promise<Completed> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`request_completed not emitted within ${ms} ms`)), ms);
  });
  try {
    const [result, response_code, headers, body] = await Promise.race([
      node.request_completed.as_promise(),
      timeout,
    ]);
    return { result, response_code, headers, body };
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a request (asserting `request()` returned OK) and waits for its completion. */
export async function fetchWith(
  node: HTTPRequest,
  url: string,
  headers: string[] = [],
  method = 0,
  data: string | Uint8Array = '',
  validate = true,
): Promise<Completed> {
  const done = completion(node);
  const error =
    typeof data === 'string'
      ? node.request(url, headers, validate, method, data)
      : node.request_raw(url, headers, validate, method, data);
  if (error !== OK) {
    done.catch(() => {});
    throw new Error(`request() returned ${error}`);
  }
  return done;
}

/** True when `emitter`'s signal stays silent for `ms` (cancelled requests must not emit). */
export async function staysSilent(node: HTTPRequest, ms: number): Promise<boolean> {
  let fired = false;
  const listener = (): void => {
    fired = true;
  };
  node.request_completed.connect(listener);
  await new Promise((resolve) => setTimeout(resolve, ms));
  node.request_completed.disconnect(listener);
  return !fired;
}

/** Names in `dir` other than `keep` (to find leftover temporary files). */
export function strayFiles(dir: string, keep: string[]): string[] {
  return readdirSync(dir).filter((name) => !keep.includes(name));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
