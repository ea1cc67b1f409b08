/**
 * A strict reference reading of a response byte string served with a FIN, used to judge a fuzzed SUCCESS:
 * `complete` (with the body a correct client must report), `truncated` (the framing promises more bytes than
 * arrived: any SUCCESS is a false success), or `unclear` (not strict HTTP/1.1, or a framing choice RFC 9112
 * leaves open: gdhttp may accept or refuse, and its body is not judged).
 */
export type Reference =
  | { readonly kind: 'complete'; readonly status: number; readonly body: Buffer }
  | { readonly kind: 'truncated'; readonly why: string }
  | { readonly kind: 'unclear'; readonly why: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex -- control bytes make a field value invalid
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const CRLF = Buffer.from('\r\n');

interface Head {
  status: number;
  fields: [string, string][];
  end: number;
}

/** Parses one strict head at `from`; 'truncated' if no CRLFCRLF, 'unclear' if malformed. */
function parseHead(bytes: Buffer, from: number): Head | Reference {
  const end = bytes.indexOf('\r\n\r\n', from, 'latin1');
  if (end === -1) {
    // Not even a bare-LF blank line: no reading of these bytes has a complete head.
    const lenient =
      bytes.indexOf('\n\n', from, 'latin1') !== -1 || bytes.indexOf('\n\r\n', from, 'latin1') !== -1;
    return lenient
      ? { kind: 'unclear', why: 'no strict head' }
      : { kind: 'truncated', why: 'no complete head' };
  }
  const text = bytes.toString('latin1', from, end);
  if (/[\r\n]/.test(text.replace(/\r\n/g, ''))) return { kind: 'unclear', why: 'bare CR/LF in head' };
  const [statusLine = '', ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/.exec(statusLine);
  if (m === null) return { kind: 'unclear', why: 'status line' };
  const fields: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'unclear', why: 'field line' };
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name) || BAD_VALUE.test(value)) return { kind: 'unclear', why: 'field syntax' };
    fields.push([name.toLowerCase(), value]);
  }
  return { status: Number(m[1]), fields, end: end + 4 };
}

function isReference(x: Head | Reference): x is Reference {
  return 'kind' in x;
}

/** Strict chunked decoding from `from` to the end of `bytes`. */
function decodeChunked(bytes: Buffer, from: number): Reference {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = bytes.indexOf(CRLF, at);
    if (lineEnd === -1) {
      const rest = bytes.toString('latin1', at);
      return /^[0-9A-Fa-f]*(;[^\r\n]*)?\r?$/.test(rest)
        ? { kind: 'truncated', why: 'chunk-size line cut' }
        : { kind: 'unclear', why: 'chunk-size line' };
    }
    const line = bytes.toString('latin1', at, lineEnd);
    const m = /^([0-9A-Fa-f]{1,15})(;[\t\x20-\x7e]*)?$/.exec(line);
    if (m === null) return { kind: 'unclear', why: 'chunk-size syntax' };
    const size = parseInt(m[1] as string, 16);
    at = lineEnd + 2;
    if (size === 0) {
      // Trailer section: field lines until an empty line.
      for (;;) {
        const end = bytes.indexOf(CRLF, at);
        if (end === -1) return { kind: 'unclear', why: 'trailer section cut' };
        if (end === at) {
          if (end + 2 !== bytes.length) return { kind: 'unclear', why: 'bytes after the message' };
          return { kind: 'complete', status: 0, body: Buffer.concat(parts) };
        }
        at = end + 2;
      }
    }
    if (at + size > bytes.length) return { kind: 'truncated', why: 'chunk data cut' };
    parts.push(bytes.subarray(at, at + size));
    at += size;
    if (at + 2 > bytes.length) return { kind: 'truncated', why: 'chunk CRLF cut' };
    if (bytes[at] !== 0x0d || bytes[at + 1] !== 0x0a)
      return { kind: 'unclear', why: 'chunk data not followed by CRLF' };
    at += 2;
  }
}

/** The strict reading of `bytes` (a GET response, then FIN). */
export function referenceReading(bytes: Buffer): Reference {
  let from = 0;
  for (let hops = 0; hops < 100; hops++) {
    const head = parseHead(bytes, from);
    if (isReference(head)) return head;
    if (head.status === 101) return { kind: 'unclear', why: '101' };
    if (head.status < 200) {
      from = head.end;
      continue;
    }
    const get = (name: string): string[] => head.fields.filter(([n]) => n === name).map(([, v]) => v);
    const te = get('transfer-encoding');
    const cl = get('content-length');
    if (head.status === 204 || head.status === 304)
      return head.end === bytes.length
        ? { kind: 'complete', status: head.status, body: Buffer.alloc(0) }
        : { kind: 'unclear', why: 'bytes after a bodiless response' };
    if (te.length > 0) {
      if (cl.length > 0 || te.length !== 1 || te[0]?.toLowerCase() !== 'chunked')
        return { kind: 'unclear', why: 'transfer-encoding other than a single "chunked"' };
      const decoded = decodeChunked(bytes, head.end);
      return decoded.kind === 'complete' ? { ...decoded, status: head.status } : decoded;
    }
    if (cl.length > 0) {
      if (cl.length !== 1 || !/^\d{1,15}$/.test(cl[0] as string))
        return { kind: 'unclear', why: 'content-length' };
      const length = Number(cl[0]);
      if (head.end + length > bytes.length) return { kind: 'truncated', why: 'content-length body cut' };
      return { kind: 'complete', status: head.status, body: bytes.subarray(head.end, head.end + length) };
    }
    return { kind: 'complete', status: head.status, body: bytes.subarray(head.end) };
  }
  return { kind: 'unclear', why: 'too many interim responses' };
}
