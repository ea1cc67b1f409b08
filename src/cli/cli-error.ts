/**
 * A failure the `gdhttp` command reports as one line on stderr (`gdhttp: <message>`) and exits with `exit_code`,
 * never with a stack trace.
 */
export class CliError extends globalThis.Error {
  readonly exit_code: number;

  constructor(exit_code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exit_code = exit_code;
  }
}

/** A short reason for a file-system error (`no such file or directory`), without Node's `ENOENT: ..., open 'x'`. */
export function describe_fs_error(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
