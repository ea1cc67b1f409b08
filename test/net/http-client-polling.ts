/**
 * Bounded polling for the HTTPClient tests: every wait fails after a deadline instead of hanging.
 */
import assert from 'node:assert/strict';
import type { HTTPClient } from '../../src/index.js';

/** Awaits one `client.poll()`, failing after `ms`. */
export async function pollOnce(client: HTTPClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`poll() timed out in status ${client.get_status()}`)), ms);
  });
  try {
    await Promise.race([client.poll(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls while the status is one of `waiting` (at most 1000 polls and `limitMs` in all) and returns every
 * distinct status observed, starting with the current one.
 */
export async function pollWhile(
  client: HTTPClient,
  waiting: readonly number[],
  limitMs = 5000,
): Promise<number[]> {
  const seen = [client.get_status()];
  const deadline = Date.now() + limitMs;
  for (let i = 0; i < 1000 && waiting.includes(client.get_status()); i++) {
    await pollOnce(client, Math.max(1, deadline - Date.now()));
    const status = client.get_status();
    if (status !== seen.at(-1)) seen.push(status);
  }
  assert.ok(!waiting.includes(client.get_status()), `still in status ${client.get_status()}`);
  return seen;
}
