/**
 * The trust suite's harness: one {@link TrustCase} per catalogue case id (shared/reference/trust-catalogue.md),
 * each run twice, with `use_threads` false and true. A case whose expectation gdhttp does not meet yet keeps
 * its test and carries `todo: 'gdhttp bug: …'` so the suite stays green while the bug stays pinned.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HTTPRequest, RequestRefusedError, close_worker_pool } from '../../src/index.js';
import type { FetchOptions, FetchResponse } from '../../src/index.js';
import {
  startRawServer,
  type RawHandler,
  type RawServer,
  type RawServerOptions,
} from '../servers/raw-server.js';

export const ERR_INVALID_PARAMETER = 31;

export interface TrustCase {
  /** Catalogue id, e.g. `A1`. */
  readonly id: string;
  readonly title: string;
  /** Set while gdhttp fails the case: `gdhttp bug: <what>`. */
  readonly todo?: string;
  run(use_threads: boolean): Promise<void>;
}

/** Registers `cases` twice (use_threads false, then true) under `group`. */
export function runCases(group: string, cases: readonly TrustCase[]): void {
  after(() => close_worker_pool());
  for (const use_threads of [false, true]) {
    describe(`${group} (use_threads ${use_threads})`, () => {
      for (const c of cases) {
        const options = c.todo === undefined ? {} : { todo: c.todo };
        test(`${c.id} ${c.title}`, options, () => c.run(use_threads));
      }
    });
  }
}

/** Starts a raw server, runs `body`, and always closes the server. */
export async function withRaw<T>(
  handler: RawHandler,
  body: (server: RawServer) => Promise<T>,
  options: RawServerOptions = {},
): Promise<T> {
  const server = await startRawServer(handler, options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** `HTTPRequest.fetch` with a default 5 s timeout, so no case can hang. */
export function get(url: string, use_threads: boolean, options: FetchOptions = {}): Promise<FetchResponse> {
  return HTTPRequest.fetch(url, { timeout: 5, ...options, use_threads });
}

/** Asserts `request()` refuses the request with ERR_INVALID_PARAMETER. */
export async function assertRefused(
  url: string,
  use_threads: boolean,
  options: FetchOptions = {},
): Promise<void> {
  await assert.rejects(get(url, use_threads, options), (error: unknown) => {
    assert.ok(error instanceof RequestRefusedError, String(error));
    assert.equal(error.error, ERR_INVALID_PARAMETER);
    return true;
  });
}

/** The body as latin1 text. */
export function text(body: Uint8Array): string {
  return Buffer.from(body).toString('latin1');
}

/** Header value (first, case-insensitive) from a recorded raw request head. */
export function headerIn(head: Buffer | undefined, name: string): string | undefined {
  if (head === undefined) return undefined;
  for (const line of head.toString('latin1').split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === name.toLowerCase())
      return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** The request-target of a recorded raw request head. */
export function targetOf(head: Buffer | undefined): string | undefined {
  return head?.toString('latin1').split('\r\n')[0]?.split(' ')[1];
}

/**
 * A keep-alive raw handler answering each request with `route(requestHead, index)` — `index` counts requests
 * on the server (0-based) — and closing when the route says so.
 */
export function routed(
  route: (head: Buffer, index: number) => Buffer | { bytes: Buffer; close: true },
): RawHandler {
  let index = 0;
  return async (socket, first, ctx) => {
    let head: Buffer | null = first;
    while (head !== null && !ctx.closed) {
      const answer = route(head, index);
      index += 1;
      if (Buffer.isBuffer(answer)) {
        socket.write(answer);
      } else {
        socket.end(answer.bytes);
        return;
      }
      head = await ctx.nextRequest();
    }
  };
}
