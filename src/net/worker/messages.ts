import type { RequestOptions } from '../request-options.js';
import type { Result } from '../result.js';

/** Main thread → worker. */
export type ToWorker =
  | {
      readonly type: 'start';
      readonly id: number;
      readonly options: RequestOptions;
      readonly shared: SharedArrayBuffer;
      /** The main thread's added CAs (add_trusted_ca), which the worker mirrors. */
      readonly trusted_cas: readonly string[];
    }
  | { readonly type: 'cancel'; readonly id: number };

/** Worker → main thread. The body's ArrayBuffer is transferred, not copied. */
export interface FromWorker {
  readonly type: 'done';
  readonly id: number;
  readonly result: Result;
  readonly response_code: number;
  readonly headers: string[];
  readonly body: Uint8Array;
}
