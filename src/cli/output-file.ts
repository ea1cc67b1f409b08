import { accessSync, constants, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, describe_fs_error } from './cli-error.js';
import { exit_code_for_result } from './exit-codes.js';
import { Result } from '../index.js';

/**
 * The `-o FILE` target. It is checked before anything is sent (so a POST is not made for nothing), with the
 * exit code HTTPRequest's RESULT_DOWNLOAD_FILE_CANT_OPEN would give. HTTPRequest itself writes a temporary
 * file and renames it into place on success, so a failed download never leaves a partial file.
 *
 * With `--fail`, the node downloads to a staging name beside the target, and the CLI moves it into place
 * only when the status is below 400: curl's `--fail` writes no error page either.
 */
export class OutputFile {
  /** The absolute path the user asked for. */
  readonly path: string;
  /** What HTTPRequest's `download_file` is set to. */
  readonly download_file: string;

  private constructor(path: string, download_file: string) {
    this.path = path;
    this.download_file = download_file;
  }

  /** Checks that `path` can be created; throws a {@link CliError} saying why not. */
  static prepare(path: string, staged: boolean): OutputFile {
    const absolute = resolve(path);
    const refuse = (why: string, cause?: unknown): never => {
      throw new CliError(
        exit_code_for_result(Result.RESULT_DOWNLOAD_FILE_CANT_OPEN),
        `can't write the output file '${path}': ${why}`,
        { cause },
      );
    };
    const existing = stat_or_undefined(absolute);
    if (existing?.isDirectory() === true) refuse('it is a directory');
    if (existing !== undefined && !existing.isFile()) {
      // A device or FIFO (/dev/null): HTTPRequest writes it in place.
      try {
        accessSync(absolute, constants.W_OK);
      } catch (error) {
        refuse(describe_fs_error(error), error);
      }
      return new OutputFile(absolute, absolute);
    }
    const folder = dirname(absolute);
    const folderStat = stat_or_undefined(folder);
    if (folderStat === undefined) refuse(`the folder '${dirname(path)}' does not exist`);
    if (folderStat?.isDirectory() !== true) refuse(`'${dirname(path)}' is not a folder`);
    try {
      accessSync(folder, constants.W_OK);
    } catch (error) {
      refuse(`no permission to create files in '${dirname(path)}'`, error);
    }
    const staging = staged
      ? join(folder, `.${basename(absolute)}.${process.pid}-${randomBytes(4).toString('hex')}.gdhttp-fail`)
      : absolute;
    return new OutputFile(absolute, staging);
  }

  /** With `--fail`: moves the staged download into place (`keep`) or removes it. */
  settle(keep: boolean): void {
    if (this.download_file === this.path) return;
    try {
      if (keep) renameSync(this.download_file, this.path);
      else unlinkSync(this.download_file);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return; // nothing was downloaded
      throw new CliError(
        exit_code_for_result(Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR),
        `can't move the download into '${this.path}': ${describe_fs_error(error)}`,
        { cause: error },
      );
    }
  }

  /** The size of the downloaded file, or 0 when there is none. */
  size(): number {
    return stat_or_undefined(this.path)?.size ?? 0;
  }
}

function stat_or_undefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
