/**
 * Runs the `gdhttp` command as a subprocess for the CLI tests. The built `dist/cli/main.js` is used when it is
 * newer than every file in src/ (`npm test` builds first), because it starts several times faster than the
 * TypeScript source through tsx; otherwise the source runs through tsx, so the tests never need a build.
 * `GDHTTP_TEST_CLI=source` or `=dist` forces one. Every run is killed if it outlives its time limit.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SOURCE_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const BUILT_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function newest_mtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newest_mtime(join(path, entry))));
}

function built_is_fresh(): boolean {
  try {
    return statSync(BUILT_MAIN).mtimeMs >= newest_mtime(fileURLToPath(new URL('../../src', import.meta.url)));
  } catch {
    return false;
  }
}

/** Whether the runs below use dist/ (see the file comment). */
export const USE_BUILT =
  process.env['GDHTTP_TEST_CLI'] === 'dist' ||
  (process.env['GDHTTP_TEST_CLI'] !== 'source' && built_is_fresh());

/** The node arguments that start gdhttp (before its own arguments). */
export const GDHTTP_ENTRY: readonly string[] = USE_BUILT ? [BUILT_MAIN] : ['--import', 'tsx', SOURCE_MAIN];

/** The shell command line that starts gdhttp (for `script -c`). */
export const GDHTTP_COMMAND = [process.execPath, ...GDHTTP_ENTRY]
  .map((part) => JSON.stringify(part))
  .join(' ');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  readonly ms: number;
  readonly timed_out: boolean;
}

export interface RunOptions {
  /** Variables added to the environment (the tests' own proxy variables are removed first). */
  readonly env?: Record<string, string>;
  readonly input?: Buffer | string;
  readonly limit_ms?: number;
  /** Run `dist/cli/main.js` whatever {@link USE_BUILT} says. */
  readonly built?: boolean;
  readonly cwd?: string;
}

const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];

/** The environment for a child: this process's, without proxy variables, plus `extra`. */
export function child_env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of PROXY_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/** Runs `gdhttp ...args`. */
export function run_gdhttp(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const entry = options.built === true ? [BUILT_MAIN] : GDHTTP_ENTRY;
  return run_node([...entry, ...args], options);
}

/** Runs `node ...args` with the same limits and capture as {@link run_gdhttp}. */
export function run_node(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return run_spawn(process.execPath, args, options);
}

/** Runs a shell command line (for `script -q -c ...`), with the same limits and capture. */
export function run_shell(command: string, options: RunOptions = {}): Promise<CliRun> {
  return run_spawn('/bin/sh', ['-c', command], options);
}

function run_spawn(file: string, args: readonly string[], options: RunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, [...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: child_env(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    let timed_out = false;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => {}); // the command may exit before reading its input
    child.stdin.end(options.input ?? '');
    const killer = setTimeout(() => {
      timed_out = true;
      child.kill('SIGKILL');
    }, options.limit_ms ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout),
        stderr,
        ms: performance.now() - started,
        timed_out,
      });
    });
  });
}

/** A summary of a run for assertion messages. */
export function describe_run(run: CliRun): string {
  const stdout = run.stdout.subarray(0, 500).toString();
  return `code=${run.code} signal=${run.signal} timed_out=${run.timed_out}\nstderr: ${run.stderr}\nstdout: ${stdout}`;
}
