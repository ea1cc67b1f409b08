import { close, open, rename, stat, unlinkSync, writev } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Why a download file failed: it could not be created, or a write (or the final rename) failed. */
export class DownloadFileError extends globalThis.Error {
  readonly kind: 'cant_open' | 'write';
  constructor(kind: 'cant_open' | 'write', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DownloadFileError';
    this.kind = kind;
  }
}

function openAsync(path: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, flags, 0o666, (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}

function statAsync(path: string): Promise<import('node:fs').Stats | undefined> {
  return new Promise((resolve) => stat(path, (error, stats) => resolve(error ? undefined : stats)));
}

/**
 * `HTTPRequest.download_file`: the body streamed to disk.
 *
 * Godot truncates the target when the body starts and leaves a partial file on failure. gdhttp writes to a
 * temporary file beside the target and renames it over the target only when the request succeeds, so a
 * failed, cancelled or timed-out download never leaves a partial file and never destroys the file that was
 * there. A target that exists and is not a regular file (`/dev/null`, a FIFO, `/dev/full`) is written in
 * place. At most `highWaterMark` bytes wait in memory: `write()` returns false above that.
 */
export class DownloadFile {
  readonly #target: string;
  readonly #partPath: string | undefined;
  readonly #fd: number;
  readonly #highWaterMark: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #writing = false;
  #error: DownloadFileError | undefined;
  #closed = false;
  #unlinked = false;
  #idleWaiters: (() => void)[] = [];

  /** Called once when a write fails. */
  onError: (error: DownloadFileError) => void = () => {};
  /** Called when buffered bytes fell below the high-water mark after `write()` returned false. */
  onDrain: () => void = () => {};

  private constructor(target: string, partPath: string | undefined, fd: number, highWaterMark: number) {
    this.#target = target;
    this.#partPath = partPath;
    this.#fd = fd;
    this.#highWaterMark = highWaterMark;
  }

  /** Creates the file to write into (a temporary one beside `target`, or `target` itself when special). */
  static async open(target: string, highWaterMark: number): Promise<DownloadFile> {
    const existing = await statAsync(target);
    if (existing?.isDirectory() === true) {
      throw new DownloadFileError('cant_open', `"${target}" is a directory`);
    }
    const inPlace = existing !== undefined && !existing.isFile();
    const partPath = inPlace
      ? undefined
      : join(
          dirname(target),
          `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.gdhttp-part`,
        );
    try {
      const fd = await openAsync(partPath ?? target, inPlace ? 'w' : 'wx');
      return new DownloadFile(target, partPath, fd, highWaterMark);
    } catch (error) {
      throw new DownloadFileError('cant_open', `Can't open "${target}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Bytes waiting to be written. */
  get pending_bytes(): number {
    return this.#pendingBytes;
  }

  /** Queues `chunk` for writing. Returns false when the caller should wait for `onDrain`. */
  write(chunk: Buffer): boolean {
    if (this.#error !== undefined || this.#closed) return true;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    this.#flush();
    return this.#pendingBytes < this.#highWaterMark;
  }

  /** Writes what is left, closes the file and moves it over the target. Throws a write error. */
  async commit(): Promise<void> {
    await this.#whenIdle();
    if (this.#error !== undefined) {
      await this.abandon();
      throw this.#error;
    }
    await this.#close();
    if (this.#partPath === undefined) return;
    await new Promise<void>((resolve, reject) =>
      rename(this.#partPath as string, this.#target, (error) =>
        error
          ? reject(
              new DownloadFileError('write', `Can't move the download into place: ${error.message}`, {
                cause: error,
              }),
            )
          : resolve(),
      ),
    ).catch(async (error: unknown) => {
      await this.abandon();
      throw error;
    });
  }

  /** Stops writing, closes the file and removes the temporary file; the target is left as it was. */
  async abandon(): Promise<void> {
    this.#pending = [];
    this.#pendingBytes = 0;
    // Unlinked at once, before this call returns: a cancelled request leaves no temporary file even for a
    // caller that exits right after `cancel_request()`. A write still in flight lands in the unlinked file.
    if (this.#partPath !== undefined && !this.#unlinked) {
      this.#unlinked = true;
      try {
        unlinkSync(this.#partPath);
      } catch {
        // Already gone.
      }
    }
    await this.#whenIdle();
    await this.#close();
  }

  #flush(): void {
    if (this.#writing || this.#pending.length === 0 || this.#error !== undefined) return;
    const batch = this.#pending;
    const size = this.#pendingBytes;
    this.#pending = [];
    this.#writing = true;
    writev(this.#fd, batch, (error, written) => {
      this.#writing = false;
      if (error === null && written !== size) {
        // A short write (rare on regular files): put the rest back in front.
        const rest = Buffer.concat(batch).subarray(written);
        this.#pending.unshift(rest);
        this.#pendingBytes -= written;
      } else {
        this.#pendingBytes -= size;
      }
      if (error !== null) {
        this.#error = new DownloadFileError('write', `Can't write the download: ${error.message}`, {
          cause: error,
        });
        this.#pending = [];
        this.#pendingBytes = 0;
        this.onError(this.#error);
      } else {
        const wasFull = this.#pendingBytes + size >= this.#highWaterMark;
        this.#flush();
        if (wasFull && this.#pendingBytes < this.#highWaterMark) this.onDrain();
      }
      if (!this.#writing) for (const wake of this.#idleWaiters.splice(0)) wake();
    });
  }

  #whenIdle(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => close(this.#fd, () => resolve()));
  }
}
