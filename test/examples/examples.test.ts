import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { describe_run, run_node } from '../cli/run-gdhttp.js';

/** Runs an example the way its header says: `node --import tsx examples/NAME.ts ...args`. */
function run_example(name: string, args: string[] = []): ReturnType<typeof run_node> {
  return run_node(['--import', 'tsx', `examples/${name}.ts`, ...args], { limit_ms: 90_000 });
}

describe('examples/', { concurrency: 2 }, () => {
  let bin: Httpbin;

  before(async () => {
    bin = await startHttpbin();
  });
  after(async () => {
    await bin.close();
  });

  test('rest-request.ts: the GET prints the User-Agent; the POST on the busy node gets ERR_BUSY', async () => {
    const run = await run_example('rest-request', [bin.url]);
    assert.equal(run.code, 0, describe_run(run));
    const lines = run.stdout.toString().trim().split('\n');
    assert.deepEqual(lines, [
      'The POST was refused with ERR_BUSY: the node was still busy with the GET, as the reference warns.',
      bin.requests.find((r) => r.url === '/get')?.rawHeaders.find(([name]) => name === 'User-Agent')?.[1],
    ]);
    assert.match(lines[1] ?? '', /^gdhttp\/\d+\.\d+\.\d+ /);
    assert.match(run.stderr, /ERROR: HTTPRequest is processing a request/);
    assert.match(run.stderr, /ERROR: An error occurred in the HTTP request\./);
    assert.equal(bin.requests.filter((r) => r.url === '/post').length, 0, 'the refused POST was sent');
  });

  test('rest-request.ts also reads the base URL from GDHTTP_BASE_URL', async () => {
    const run = await run_node(['--import', 'tsx', 'examples/rest-request.ts'], {
      env: { GDHTTP_BASE_URL: bin.url },
      limit_ms: 90_000,
    });
    assert.equal(run.code, 0, describe_run(run));
    assert.match(run.stdout.toString(), /^gdhttp\//m);
  });

  test('load-image.ts: downloads the PNG and prints its width and height', async () => {
    const run = await run_example('load-image', [bin.url]);
    assert.equal(run.code, 0, describe_run(run));
    assert.equal(run.stdout.toString(), 'Loaded a PNG image of 64 x 48 pixels.\n');
    assert.equal(run.stderr, '');
  });

  test('main-job.ts (npm start): both examples, the echoed POST, the PNG and a 64 MiB gdhttp download; exits 0', async () => {
    const run = await run_example('main-job');
    assert.equal(run.code, 0, describe_run(run));
    const out = run.stdout.toString();
    assert.match(out, /The server saw this User-Agent: gdhttp\/\d/);
    assert.match(out, /got ERR_BUSY, as the reference warns/);
    assert.match(out, /The server echoed the JSON it received: \{"name":"Godette"\}/);
    assert.match(out, /Decoded with pngjs: 64 pixels wide and 48 pixels high/);
    assert.match(out, /gdhttp exited with 0 after .*the file has the right size and bytes/);
    assert.match(out, /All done/);
  });
});
