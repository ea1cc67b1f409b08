/**
 * Captures what the code under test writes to process.stderr / process.stdout (push_error and print write
 * there at call time). Test helper, not a test file.
 */

type Write = typeof process.stderr.write;

export interface Capture {
  /** The captured text, split into lines (empty lines dropped). */
  readonly lines: string[];
  /** Puts the original writer back. Safe to call twice. */
  restore(): void;
}

function start(stream: NodeJS.WriteStream): Capture {
  const lines: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on the stream
  const original: Write = stream.write;
  const replacement = (chunk: string | Uint8Array): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    lines.push(...text.split('\n').filter((line) => line !== ''));
    return true;
  };
  stream.write = replacement;
  let restored = false;
  return {
    lines,
    restore() {
      if (restored) return;
      restored = true;
      stream.write = original;
    },
  };
}

/** Starts capturing stderr; call `restore()` in a `finally`. */
export function start_stderr_capture(): Capture {
  return start(process.stderr);
}

/** Runs `fn` with stderr captured and returns the lines it wrote. */
export function capture_stderr(fn: () => void): string[] {
  const capture = start(process.stderr);
  try {
    fn();
  } finally {
    capture.restore();
  }
  return capture.lines;
}

/** Runs `fn` with stdout captured and returns the lines it wrote. */
export function capture_stdout(fn: () => void): string[] {
  const capture = start(process.stdout);
  try {
    fn();
  } finally {
    capture.restore();
  }
  return capture.lines;
}

/** Resolves after the message queue's pending flush (setImmediate callbacks run in order). */
export function next_flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
