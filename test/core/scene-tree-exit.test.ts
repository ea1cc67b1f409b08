import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timed_out: boolean;
}

/** Runs a TypeScript file with `node --import tsx` and kills it if it outlives `limit_ms`. */
function run_script(path: string, limit_ms: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timed_out = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => {
      timed_out = true;
      child.kill('SIGKILL');
    }, limit_ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, timed_out });
    });
  });
}

test('a tree that goes idle lets the Node.js process exit by itself (run() pending, no quit)', async () => {
  const script = fileURLToPath(new URL('./fixtures/idle-tree.ts', import.meta.url));
  const outcome = await run_script(script, 20_000);
  assert.equal(outcome.timed_out, false, `the process did not exit: ${outcome.stderr}`);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.match(outcome.stdout, /exit frames=3 timer=true/);
});

test('examples/host-loop.ts drives the tree with setInterval + step() and exits', async () => {
  const script = fileURLToPath(new URL('../../examples/host-loop.ts', import.meta.url));
  const outcome = await run_script(script, 20_000);
  assert.equal(outcome.timed_out, false, `the example did not exit: ${outcome.stderr}`);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.match(outcome.stdout, /timer fired/);
  assert.match(outcome.stdout, /host loop ran 30 frames; Spinner processed 30 frames/);
});
