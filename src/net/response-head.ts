/** A response's status line and headers, as received. */
export interface ResponseHead {
  /** The status code (200, 404, ...). */
  readonly statusCode: number;
  /** Header lines as received, `"Name: value"`, in order and original case (Godot's `headers`). */
  readonly headerLines: string[];
  /** Lower-cased names → values, for lookups. Repeated names keep every value in order. */
  readonly fields: ReadonlyMap<string, string[]>;
  /** Content-Length as a number, or -1 when absent, invalid, or the body is chunked. */
  readonly contentLength: number;
  /** True when the body is sent with `Transfer-Encoding: chunked`. */
  readonly chunked: boolean;
  /** False for responses that have no body by definition: HEAD, 1xx, 204, 304 (RFC 9110 §6.4.1). */
  readonly hasBody: boolean;
  /**
   * True when `Transfer-Encoding` names a coding other than `chunked` (`gzip, chunked`): gdhttp does not
   * undo transfer codings, so such a body cannot be read as sent (catalogue C24).
   */
  readonly foreignTransferCoding: boolean;
  /**
   * True when a 204 or 304 still declares a body with Content-Length: the framing must be ignored
   * (RFC 9112 §6.3), and the connection cannot be trusted for another request.
   */
  readonly declaresForbiddenBody: boolean;
}

/** Builds a {@link ResponseHead} from undici's raw header list (`[name, value, name, value, ...]`). */
export function parseResponseHead(statusCode: number, rawHeaders: Buffer[], method: string): ResponseHead {
  const headerLines: string[] = [];
  const fields = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as Buffer).toString('latin1');
    const value = (rawHeaders[i + 1] as Buffer).toString('utf8');
    headerLines.push(`${name}: ${value}`);
    const key = name.toLowerCase();
    const list = fields.get(key);
    if (list === undefined) fields.set(key, [value]);
    else list.push(value);
  }
  const transferEncoding = fields.get('transfer-encoding')?.join(',').toLowerCase() ?? '';
  const chunked = /(?:^|,)\s*chunked\s*$/.test(transferEncoding);
  const lengthValue = fields.get('content-length')?.[0];
  const contentLength =
    !chunked && lengthValue !== undefined && /^\d+$/.test(lengthValue.trim())
      ? Number(lengthValue.trim())
      : -1;
  const hasBody = method !== 'HEAD' && statusCode >= 200 && statusCode !== 204 && statusCode !== 304;
  const codings = transferEncoding
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '');
  const foreignTransferCoding = codings.some((coding) => coding !== 'chunked');
  // undici's parser already skips the body of a 204/304 sent with Transfer-Encoding; only a Content-Length
  // makes undici wait for (or count) body bytes.
  const declaresForbiddenBody = method !== 'HEAD' && !hasBody && contentLength > 0;
  return {
    statusCode,
    headerLines,
    fields,
    contentLength,
    chunked,
    hasBody,
    foreignTransferCoding,
    declaresForbiddenBody,
  };
}
