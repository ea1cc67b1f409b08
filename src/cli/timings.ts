import { HTTPClient } from '../index.js';

/** The `timings` object of `--json-output`, in seconds since the request started. */
export interface Timings {
  /** Until `request_completed` arrived. */
  readonly total: number;
  /** Until the connection was first seen open (connected, requesting or reading); null if never seen. */
  readonly connected: number | null;
  /** Until the response headers were first seen (status BODY, or body bytes counted); null if never seen. */
  readonly response: number | null;
}

const SAMPLE_INTERVAL_MS = 2;

/**
 * Samples `get_http_client_status()` every few milliseconds to time the request's phases. HTTPRequest has
 * no phase events, so phases shorter than one sample (a loopback connect) may be missed and read as null.
 */
export class TimingSampler {
  readonly #read: () => { status: number; downloaded: number };
  readonly #started = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #connected: number | null = null;
  #response: number | null = null;

  constructor(read: () => { status: number; downloaded: number }) {
    this.#read = read;
    this.#timer = setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS);
  }

  /** Stops sampling and returns the timings. */
  stop(): Timings {
    this.#sample();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    return { total: this.#elapsed(), connected: this.#connected, response: this.#response };
  }

  #elapsed(): number {
    return Math.round(performance.now() - this.#started) / 1000;
  }

  #sample(): void {
    const { status, downloaded } = this.#read();
    const open =
      status === HTTPClient.STATUS_CONNECTED ||
      status === HTTPClient.STATUS_REQUESTING ||
      status === HTTPClient.STATUS_BODY;
    if (this.#connected === null && (open || downloaded > 0)) this.#connected = this.#elapsed();
    if (this.#response === null && (status === HTTPClient.STATUS_BODY || downloaded > 0)) {
      this.#response = this.#elapsed();
    }
  }
}
