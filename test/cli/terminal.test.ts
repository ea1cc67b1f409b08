import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import {
  BUILT_MAIN,
  GDHTTP_COMMAND,
  GDHTTP_ENTRY,
  REPO_ROOT,
  child_env,
  describe_run,
  run_gdhttp,
  run_shell,
} from './run-gdhttp.js';

const SCRIPT = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim();
const NO_SCRIPT = SCRIPT === '' ? 'util-linux `script` is not installed (no pseudo-terminal)' : false;

/** Runs a shell command line inside a pseudo-terminal; the terminal's output (stdout + stderr) is returned. */
function in_terminal(command: string): ReturnType<typeof run_shell> {
  return run_shell(`${SCRIPT} -q -e -c ${JSON.stringify(command)} /dev/null`, { limit_ms: 30_000 });
}

describe('gdhttp: progress bar, signals and the built command', { concurrency: 2 }, () => {
  let bin: Httpbin;
  let dir: string;

  before(async () => {
    bin = await startHttpbin();
    dir = await mkdtemp(join(tmpdir(), 'gdhttp-cli-tty-'));
  });
  after(async () => {
    await bin.close();
    await rm(dir, { recursive: true, force: true });
  });

  test(
    'on a terminal, a download shows a bar with percent, bytes, rate and ETA on stderr',
    { skip: NO_SCRIPT },
    async () => {
      const target = join(dir, 'sized.bin');
      const run = await in_terminal(`${GDHTTP_COMMAND} -o ${target} ${bin.url}/large/3000000`);
      assert.equal(run.code, 0, describe_run(run));
      const screen = run.stdout.toString();
      assert.match(screen, /#+ 100% \| 2\.9 MiB \/ 2\.9 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA/);
      assert.equal((await readFile(target)).length, 3000000);
    },
  );

  test(
    'on a terminal, a body of unknown size shows a spinner with bytes and rate',
    { skip: NO_SCRIPT },
    async () => {
      const run = await in_terminal(`${GDHTTP_COMMAND} ${bin.url}/chunked/2000000 > /dev/null`);
      assert.equal(run.code, 0, describe_run(run));
      const screen = run.stdout.toString();
      assert.match(screen, /[|/\\-] 1\.9 MiB \| [\d.]+ [KMG]?i?B\/s/);
      assert.doesNotMatch(screen, /%/);
    },
  );

  test(
    'no bar with -s on a terminal, nor when the body itself goes to the terminal',
    { skip: NO_SCRIPT },
    async () => {
      const silent = await in_terminal(
        `${GDHTTP_COMMAND} -s -o ${join(dir, 'silent.bin')} ${bin.url}/large/100000`,
      );
      assert.equal(silent.code, 0, describe_run(silent));
      assert.equal(silent.stdout.toString(), '');
      const toTerminal = await in_terminal(`${GDHTTP_COMMAND} ${bin.url}/range/30`);
      assert.equal(toTerminal.stdout.toString(), 'abcdefghijklmnopqrstuvwxyzabcd');
    },
  );

  test('no bar and nothing at all on stderr when stderr is a pipe', async () => {
    const run = await run_gdhttp(['-o', join(dir, 'piped.bin'), `${bin.url}/large/1000000`]);
    assert.equal(run.code, 0, describe_run(run));
    assert.equal(run.stderr, '');
  });

  test('Ctrl-C during a download exits 130, keeps the old file and leaves no partial file', async () => {
    const target = join(dir, 'interrupted.txt');
    await writeFile(target, 'previous');
    const child = spawn(
      process.execPath,
      [...GDHTTP_ENTRY, '-o', target, `${bin.url}/drip?numbytes=50&duration=20`],
      {
        cwd: REPO_ROOT,
        env: child_env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // Wait (bounded) until the server has the request and the first bytes are on their way.
      for (let i = 0; i < 200 && !bin.requests.some((r) => r.url.startsWith('/drip')); i++) await sleep(50);
      await sleep(700);
      child.kill('SIGINT');
      const code = await Promise.race([exited, sleep(10_000).then(() => 'hung')]);
      assert.equal(code, 130, stderr);
    } finally {
      child.kill('SIGKILL');
    }
    assert.match(stderr, /^gdhttp: interrupted/m);
    assert.equal(await readFile(target, 'utf8'), 'previous');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.interrupted')),
      [],
    );
  });

  test('the built dist/cli/main.js starts with a node shebang and runs', { timeout: 120_000 }, async () => {
    if (!existsSync(BUILT_MAIN)) {
      const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      assert.ok(existsSync(BUILT_MAIN), `the build did not produce dist/cli/main.js:\n${build.stdout}`);
    }
    assert.match(readFileSync(BUILT_MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const run = await run_gdhttp(['--json', '{"built":true}', `${bin.url}/post`], { built: true });
    assert.equal(run.code, 0, describe_run(run));
    assert.deepEqual((JSON.parse(run.stdout.toString()) as { json: unknown }).json, { built: true });
  });
});
