#!/usr/bin/env node
/**
 * The `gdhttp` command: curl-like requests from a shell through gdhttp's HTTPRequest node.
 * Run `gdhttp --help`, or read docs/cli.md. It uses only the public API (`../index.js`).
 */
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { run_cli } from './run.js';

// -s, --silent, or -s inside a group of short flags (-sS, -is).
const silent = process.argv.slice(2).some((arg) => arg === '--silent' || /^-[a-zA-Z]*s[a-zA-Z]*$/.test(arg));

// A closed pipe (`gdhttp URL | head -c 10`) is a write error, as in curl (23), not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (!silent)
    process.stderr.write(`gdhttp: can't write to standard output: ${error.code ?? error.message}\n`);
  process.exit(23);
});

let code: number;
try {
  code = await run_cli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`gdhttp: ${error.message}\n`);
    code = error.exit_code;
  } else {
    // A bug in gdhttp: still one line, with the stack only when asked for.
    const detail = process.env['GDHTTP_DEBUG'] ? (error as Error).stack : String(error);
    process.stderr.write(`gdhttp: internal error: ${detail}\n`);
    code = ExitCode.INTERNAL;
  }
}
// Exit with the code now that everything is written: the request is over (idle keep-alive connections do not
// hold the event loop), and no stray handle may keep a finished command alive.
process.exit(code);
