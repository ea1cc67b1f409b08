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
  return { statusCode, headerLines, fields, contentLength, chunked, hasBody };
}
