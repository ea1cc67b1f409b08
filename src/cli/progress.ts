import cliProgress, { type Options, type Params, type SingleBar } from 'cli-progress';

// cli-progress is CommonJS: its classes come through the default import under Node's ESM.
const { Format } = cliProgress;

/** What the progress display reads from the HTTPRequest node on each poll. */
export interface ProgressSource {
  /** `get_downloaded_bytes()`: wire bytes of the current response (reset per redirect). */
  downloaded(): number;
  /** `get_body_size()`: Content-Length, or -1 while unknown. */
  body_size(): number;
}

interface Payload {
  readonly sized: boolean;
  readonly received: string;
  readonly size: string;
  readonly speed: string;
  readonly spinner: string;
}

const SIZED_FORMAT = '{bar} {percentage}% | {received} / {size} | {speed} | ETA {eta_formatted}';
const UNSIZED_FORMAT = '{spinner} {received} | {speed} | {duration_formatted}';
const SPINNER = ['|', '/', '-', '\\'] as const;
const POLL_INTERVAL_MS = 100;

/** `1234567` → `1.2 MiB`. */
export function format_bytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * The download progress bar on stderr (cli-progress): bytes, percent, rate and ETA when `get_body_size()`
 * is known; a spinner with bytes and rate when it is not. It polls the node on an interval, because
 * HTTPRequest has no progress signal (Godot's scripts poll `get_downloaded_bytes()` the same way).
 */
export class DownloadProgress {
  readonly #source: ProgressSource;
  readonly #bar: SingleBar;
  #timer: NodeJS.Timeout | undefined;
  #started = 0;
  #total = -1;
  #ticks = 0;

  constructor(source: ProgressSource, stream: NodeJS.WriteStream) {
    this.#source = source;
    this.#bar = new cliProgress.SingleBar({
      stream,
      // One format function that picks the sized or unsized layout; cli-progress renders either.
      format: (options: Options, params: Params, payload: Payload) =>
        Format.Formatter(
          { ...options, format: payload.sized ? SIZED_FORMAT : UNSIZED_FORMAT },
          params,
          payload,
        ),
      barCompleteChar: '#',
      barIncompleteChar: '-',
      barsize: 30,
      hideCursor: true,
      etaBuffer: 20,
      etaAsynchronousUpdate: true,
      linewrap: false,
      fps: 10,
    });
  }

  /** Shows the bar and starts polling. */
  start(): void {
    this.#started = performance.now();
    this.#bar.start(1, 0, this.#payload(0, -1));
    this.#timer = setInterval(() => this.#poll(), POLL_INTERVAL_MS);
  }

  /** Stops polling and leaves the final state on its own line (`complete` fills a bar whose size was unknown). */
  stop(complete: boolean): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#poll(complete);
    this.#bar.stop();
  }

  #poll(complete = false): void {
    this.#ticks++;
    const downloaded = this.#source.downloaded();
    const size = this.#source.body_size();
    if (size >= 0 && size !== this.#total) {
      this.#total = size;
      this.#bar.setTotal(Math.max(size, 1));
    } else if (size < 0 && this.#total >= 0) {
      this.#total = -1; // a redirect started a new response
      this.#bar.setTotal(1);
    }
    const value = this.#total >= 0 ? downloaded : complete ? 1 : 0;
    this.#bar.update(this.#total === 0 && complete ? 1 : value, this.#payload(downloaded, this.#total));
  }

  #payload(downloaded: number, size: number): Payload {
    const seconds = (performance.now() - this.#started) / 1000;
    return {
      sized: size >= 0,
      received: format_bytes(downloaded),
      size: format_bytes(Math.max(size, 0)),
      speed: `${format_bytes(seconds > 0 ? Math.round(downloaded / seconds) : 0)}/s`,
      spinner: SPINNER[this.#ticks % SPINNER.length] ?? '|',
    };
  }
}
