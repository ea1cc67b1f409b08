import { readFileSync } from 'node:fs';
import { Method } from '../index.js';
import { CliError, describe_fs_error } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import type { CliOptions } from './options.js';

/** What the body options (-d, --data-binary, --json) add to a request. */
export interface RequestBody {
  readonly bytes: Uint8Array;
  /** Header lines to send after the user's own (only names the user did not give). */
  readonly headers: readonly string[];
  readonly method: number;
}

/** Reads `@file` (`@-` is standard input), or returns the text itself; a failure is exit code 26. */
function read_argument(value: string, flag: string): Buffer {
  if (!value.startsWith('@')) return Buffer.from(value, 'utf8');
  const path = value.slice(1);
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    const name = path === '-' ? 'standard input' : `'${path}'`;
    throw new CliError(ExitCode.READ_ERROR, `${flag}: can't read ${name}: ${describe_fs_error(error)}`, {
      cause: error,
    });
  }
}

function has_header(headers: readonly string[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some((line) => line.slice(0, line.indexOf(':')).trim().toLowerCase() === lower);
}

/**
 * Builds the request body as curl does: `-d` values (a `@file` loses its CR and LF) and `--data-binary`
 * (sent byte for byte) are joined with `&` and sent as `application/x-www-form-urlencoded`; `--json` is sent
 * as `application/json` with `Accept: application/json`. A body makes the default method POST.
 */
export function build_request_body(options: CliOptions): RequestBody {
  const parts: Buffer[] = options.data.map((value) =>
    value.startsWith('@')
      ? Buffer.from(
          read_argument(value, '-d')
            .toString('latin1')
            .replace(/[\r\n]/g, ''),
          'latin1',
        )
      : Buffer.from(value, 'utf8'),
  );
  if (options.data_binary !== undefined) parts.push(read_argument(options.data_binary, '--data-binary'));
  const defaults: [string, string][] = [];
  if (options.json !== undefined) {
    parts.push(read_argument(options.json, '--json'));
    defaults.push(['Content-Type', 'application/json'], ['Accept', 'application/json']);
  } else if (parts.length > 0) {
    defaults.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const joined: Buffer[] = [];
  parts.forEach((part, index) => {
    if (index > 0) joined.push(Buffer.from('&'));
    joined.push(part);
  });
  const hasBody = parts.length > 0;
  return {
    bytes: Buffer.concat(joined),
    headers: defaults
      .filter(([name]) => !has_header(options.headers, name))
      .map(([name, value]) => `${name}: ${value}`),
    method: options.method ?? (hasBody ? Method.METHOD_POST : Method.METHOD_GET),
  };
}
