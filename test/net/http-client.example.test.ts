/**
 * Runs examples/http-client.ts (the port of Godot's HTTPClient tutorial program) against the loopback
 * httpbin, once on a Content-Length response and once on a chunked one, and checks what it printed and
 * what the server received.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the example with `node --import tsx`, killing it after `limitMs`. */
function runExample(args: string[], limitMs = 20_000): Promise<Outcome> {
  const script = fileURLToPath(new URL('../../examples/http-client.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/http-client.ts', { concurrency: true }, () => {
  let httpbin: Httpbin;
  before(async () => {
    httpbin = await startHttpbin();
  });
  after(() => httpbin.close());

  test('a Content-Length page: connects, requests with the tutorial headers, prints the body', async () => {
    const outcome = await runExample([httpbin.url, '/get?from=example']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const out = outcome.stdout;
    assert.match(out, /^Connecting\.\.\.$/m);
    assert.match(out, /^response\? True$/m);
    assert.match(out, /^code: 200$/m);
    const length = /^Response Length: (\d+)$/m.exec(out)?.[1];
    assert.ok(length !== undefined, out);
    assert.match(out, new RegExp(`^bytes got: ${length}$`, 'm'));
    assert.match(out, /"User-Agent": "Pirulo\/1\.0 \(Godot\)"/);

    const recorded = httpbin.requests.find((r) => r.url === '/get?from=example');
    assert.equal(recorded?.method, 'GET');
    const agent = recorded.rawHeaders.find(([name]) => name.toLowerCase() === 'user-agent');
    assert.equal(agent?.[1], 'Pirulo/1.0 (Godot)');
  });

  test('a chunked page: prints "Response is Chunked!" and every byte', async () => {
    const outcome = await runExample([httpbin.url, '/stream-bytes/3000'], 20_000);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /^Response is Chunked!$/m);
    assert.match(outcome.stdout, /^bytes got: 3000$/m);
  });
});
