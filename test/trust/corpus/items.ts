/**
 * The malformed-response corpus: crafted responses for catalogue groups C (framing and header parsing),
 * D (premature close and truncation) and G (1xx, HEAD, 204, 304), plus systematic variations. Each item
 * declares the results it accepts and, when SUCCESS is one of them, the exact body SUCCESS must carry:
 * a truncated or ambiguous body can never pass as SUCCESS.
 *
 * Expected results follow docs godot-behaviour.md §3: malformed status line or headers and a Content-Length
 * body cut short → CONNECTION_ERROR; a malformed or unterminated chunked body → CHUNKED_BODY_SIZE_MISMATCH;
 * nothing at all → NO_RESPONSE; a peer that stalls → TIMEOUT. Where RFC 9112 leaves the client a choice
 * (bare LF line ends, obs-fold, identical duplicate Content-Length, ...) both outcomes are accepted, SUCCESS
 * still with its exact body.
 */
import { Method, Result } from '../../../src/index.js';
import type { ServeMode } from './replay.js';

export const S = Result.RESULT_SUCCESS;
export const CH = Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH;
export const E = Result.RESULT_CONNECTION_ERROR;
export const NR = Result.RESULT_NO_RESPONSE;
export const T = Result.RESULT_TIMEOUT;
export const DF = Result.RESULT_BODY_DECOMPRESS_FAILED;

export interface CorpusItem {
  /** Unique, `<group>/<name>`. */
  readonly id: string;
  readonly bytes: Buffer;
  readonly mode: ServeMode;
  readonly splitAt?: number;
  /** `HTTPClient.METHOD_*`; GET by default. */
  readonly method?: number;
  /** Acceptable results. */
  readonly accept: readonly number[];
  /** Exact body a SUCCESS must carry (required when `accept` has SUCCESS). */
  readonly body?: Buffer;
  /** Exact response code a SUCCESS must carry. */
  readonly code?: number;
  /** `gdhttp bug: …` while gdhttp fails the item. */
  readonly todo?: string;
}

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

interface Draft {
  bytes: string | Buffer;
  mode?: ServeMode;
  splitAt?: number;
  method?: number;
  accept: readonly number[];
  body?: string | Buffer;
  code?: number;
  todo?: string;
}

class Builder {
  readonly items: CorpusItem[] = [];
  readonly #ids = new Set<string>();

  add(id: string, d: Draft): void {
    if (this.#ids.has(id)) throw new Error(`duplicate corpus id ${id}`);
    this.#ids.add(id);
    if (d.accept.includes(S) && d.body === undefined) throw new Error(`${id}: SUCCESS without a body`);
    this.items.push({
      id,
      bytes: typeof d.bytes === 'string' ? b(d.bytes) : d.bytes,
      mode: d.mode ?? 'close',
      ...(d.splitAt === undefined ? {} : { splitAt: d.splitAt }),
      ...(d.method === undefined ? {} : { method: d.method }),
      accept: d.accept,
      ...(d.body === undefined ? {} : { body: typeof d.body === 'string' ? b(d.body) : d.body }),
      ...(d.code === undefined ? {} : { code: d.code }),
      ...(d.todo === undefined ? {} : { todo: d.todo }),
    });
  }
}

const OK_TAIL = 'Content-Length: 2\r\n\r\nok';
const CHUNKED_HEAD = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Status-line anomalies (catalogue C36). */
function statusLines(c: Builder): void {
  const valid: [string, string, number][] = [
    ['http11', 'HTTP/1.1 200 OK', 200],
    ['http10', 'HTTP/1.0 200 OK', 200],
    ['no-reason', 'HTTP/1.1 200 ', 200],
    ['long-reason', `HTTP/1.1 200 ${'x'.repeat(1000)}`, 200],
    ['reason-spaces', 'HTTP/1.1 200 All Is Fine Here', 200],
    ['reason-obs-text', 'HTTP/1.1 200 \xe9\xe8', 200],
    ['404', 'HTTP/1.1 404 Not Found', 404],
    ['500', 'HTTP/1.1 500 Internal Server Error', 500],
    ['299', 'HTTP/1.1 299 Whatever', 299],
    ['599', 'HTTP/1.1 599 Whatever', 599],
    ['418', "HTTP/1.1 418 I'm a teapot", 418],
  ];
  for (const [name, line, code] of valid)
    c.add(`status/${name}`, { bytes: `${line}\r\n${OK_TAIL}`, accept: [S], body: 'ok', code });
  const invalid: [string, string][] = [
    ['4-digit', 'HTTP/1.1 2000 OK'],
    ['2-digit', 'HTTP/1.1 20 OK'],
    ['100-digit', `HTTP/1.1 ${'2'.repeat(100)} OK`],
    ['letters', 'HTTP/1.1 abc OK'],
    ['negative', 'HTTP/1.1 -20 OK'],
    ['hex', 'HTTP/1.1 0xC8 OK'],
    ['version-9.9', 'HTTP/9.9 200 OK'],
    ['version-2', 'HTTP/2 200 OK'],
    ['version-1.10', 'HTTP/1.10 200 OK'],
    ['version-missing', '200 OK'],
    ['lowercase-http', 'http/1.1 200 OK'],
    ['https-token', 'HTTPS/1.1 200 OK'],
    ['no-slash', 'HTTP1.1 200 OK'],
    ['tab-separator', 'HTTP/1.1\t200 OK'],
    ['leading-space', ' HTTP/1.1 200 OK'],
    ['cr-in-reason', 'HTTP/1.1 200 O\rK'],
    ['nul-in-version', 'HTTP/1.\x001 200 OK'],
    ['garbage', 'hello world'],
    ['binary', '\x00\x01\x02\x03\xff\xfe'],
    ['json', '{"status":200}'],
  ];
  for (const [name, line] of invalid)
    c.add(`status/${name}`, { bytes: `${line}\r\n${OK_TAIL}`, accept: [E] });
  // HTTP/0.9: a body with no status line at all.
  c.add('status/http09', { bytes: 'hello world', accept: [E] });
  c.add('status/http09-one-byte', { bytes: 'x', accept: [E] });
  c.add('status/http09-html', { bytes: '<html><body>hi</body></html>\r\n', accept: [E] });
  // Codes RFC 9110 does not define: an error, or the code as given.
  const odd: [string, string, number][] = [
    ['000', 'HTTP/1.1 000 Zero', 0],
    ['099', 'HTTP/1.1 099 Low', 99],
    ['600', 'HTTP/1.1 600 High', 600],
    ['999', 'HTTP/1.1 999 High', 999],
    ['no-space-after-code', 'HTTP/1.1 200', 200],
    ['double-space', 'HTTP/1.1  200 OK', 200],
  ];
  for (const [name, line, code] of odd)
    c.add(`status/${name}`, { bytes: `${line}\r\n${OK_TAIL}`, accept: [E, S], body: 'ok', code });
  // The reason phrase is dropped (not in `headers`), so a NUL in it harms nothing; refusing is fine too.
  c.add('status/nul-in-reason', { bytes: `HTTP/1.1 200 O\x00K\r\n${OK_TAIL}`, accept: [E, S], body: 'ok' });
  c.add('status/leading-crlf', { bytes: `\r\nHTTP/1.1 200 OK\r\n${OK_TAIL}`, accept: [E, S], body: 'ok' });
}

/** Header syntax: field lines, names, values, folding, line ends (C30–C33, C38). */
function headerSyntax(c: Builder): void {
  const line = (l: string): string => `HTTP/1.1 200 OK\r\n${l}\r\n${OK_TAIL}`;
  const fine: [string, string][] = [
    ['empty-value', 'X-A:'],
    ['no-space', 'X-A:v'],
    ['padded-value', 'X-A:   v   '],
    ['tab-value', 'X-A:\tv\t'],
    ['tab-inside-value', 'X-A: a\tb'],
    ['token-chars', "X-!#$%&'*+.^_`|~09azAZ: v"],
    ['obs-text-value', 'X-A: caf\xe9'],
    ['utf8-value', 'X-A: caf\xc3\xa9'],
    ['long-value-8k', `X-A: ${'v'.repeat(8 * 1024)}`],
    ['100-headers', Array.from({ length: 100 }, (_, i) => `X-H${i}: ${i}`).join('\r\n')],
    ['quoted-value', 'X-A: "a, b; c"'],
    ['colon-in-value', 'X-A: a:b:c'],
    ['cl-lowercase-dup-name', 'content-type: text/plain'],
    ['content-length-x', 'Content-Length-X: 0'],
    ['x-content-length', 'X-Content-Length: 100'],
  ];
  for (const [name, l] of fine) c.add(`header/${name}`, { bytes: line(l), accept: [S], body: 'ok' });
  const bad: [string, string][] = [
    ['no-colon', 'Garbage'],
    ['space-before-colon', 'Content-Length : 2'],
    ['space-before-colon-x', 'X-A : v'],
    ['tab-before-colon', 'X-A\t: v'],
    ['empty-name', ': v'],
    ['space-in-name', 'X A: b'],
    ['bare-cr-in-value', 'X-A: a\rb'],
    ['nul-in-value', 'X-A: a\x00b'],
    ['nul-in-name', 'X-\x00A: b'],
    ['nul-at-value-end', 'X-A: ab\x00'],
    ['cr-in-name', 'X-\rA: b'],
    ['obs-text-in-name', 'X-\xe9: v'],
    ['utf8-in-name', 'X-\xc3\xa9: v'],
    ['del-in-name', 'X-\x7f: v'],
  ];
  for (const [name, l] of bad) c.add(`header/${name}`, { bytes: line(l), accept: [E] });
  // Every RFC 9110 separator is outside `token`: never a header name.
  for (const ch of '()<>@,;\\"/[]?={}')
    c.add(`header/name-sep-${hex(ch.charCodeAt(0))}`, { bytes: line(`X${ch}A: v`), accept: [E] });
  // Control bytes in a value: CR, LF and NUL must be refused (RFC 9110 §5.5); the others may be kept,
  // but never as a line break.
  for (let code = 1; code < 0x20; code++) {
    if (code === 0x09 || code === 0x0a || code === 0x0d) continue;
    c.add(`header/ctl-in-value-${hex(code)}`, {
      bytes: line(`X-A: a${String.fromCharCode(code)}b`),
      accept: [E, S],
      body: 'ok',
    });
  }
  c.add('header/del-in-value', { bytes: line('X-A: a\x7fb'), accept: [E, S], body: 'ok' });
  // obs-fold: an error, or folded into the value (checked by the header invariants).
  c.add('header/obs-fold-sp', { bytes: line('X-A: a\r\n b'), accept: [E, S], body: 'ok' });
  c.add('header/obs-fold-tab', { bytes: line('X-A: a\r\n\tb'), accept: [E, S], body: 'ok' });
  c.add('header/obs-fold-cl', {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length:\r\n 2\r\n\r\nok',
    accept: [E, S],
    body: 'ok',
  });
  c.add('header/leading-ws-first-header', {
    bytes: 'HTTP/1.1 200 OK\r\n X-A: v\r\nContent-Length: 2\r\n\r\nok',
    accept: [E, S],
    body: 'ok',
  });
  // Line ends: bare LF everywhere may be accepted (RFC 9112 §2.2); bare CR never ends a line.
  c.add('header/lf-only', { bytes: 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok', accept: [E, S], body: 'ok' });
  c.add('header/lf-status-only', {
    bytes: 'HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok',
    accept: [E, S],
    body: 'ok',
  });
  c.add('header/lf-one-header', {
    bytes: 'HTTP/1.1 200 OK\r\nX-A: v\nContent-Length: 2\r\n\r\nok',
    accept: [E, S],
    body: 'ok',
  });
  c.add('header/lf-end-of-head', {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\nok',
    accept: [E, S],
    body: 'ok',
  });
  c.add('header/cr-only', { bytes: 'HTTP/1.1 200 OK\rContent-Length: 2\r\rok', accept: [E] });
  c.add('header/cr-status-end', { bytes: 'HTTP/1.1 200 OK\rContent-Length: 2\r\n\r\nok', accept: [E] });
  c.add('header/crcr-lf', { bytes: 'HTTP/1.1 200 OK\r\r\nContent-Length: 2\r\n\r\nok', accept: [E] });
  // Bytes are octets: an overlong UTF-8 LF (C0 8A) or a latin1 U+010A must not create a header line.
  c.add('header/overlong-lf', {
    bytes: Buffer.concat([
      b('HTTP/1.1 200 OK\r\nX-A: a'),
      Buffer.from([0xc0, 0x8a]),
      b(`X-B: b\r\n${OK_TAIL}`),
    ]),
    accept: [E, S],
    body: 'ok',
  });
  c.add('header/utf8-u010a', {
    bytes: Buffer.concat([
      b('HTTP/1.1 200 OK\r\nX-A: a'),
      Buffer.from([0xc4, 0x8a]),
      b(`X-B: b\r\n${OK_TAIL}`),
    ]),
    accept: [E, S],
    body: 'ok',
  });
  c.add('header/invalid-utf8', {
    bytes: Buffer.concat([
      b('HTTP/1.1 200 OK\r\nX-A: '),
      Buffer.from([0xff, 0xfe, 0x80]),
      b(`\r\n${OK_TAIL}`),
    ]),
    accept: [E, S],
    body: 'ok',
  });
  // Size (C34, C35).
  c.add('header/one-100k', { bytes: line(`X-Big: ${'v'.repeat(100 * 1024)}`), accept: [E] });
  c.add('header/one-1m', { bytes: line(`X-Big: ${'v'.repeat(1024 * 1024)}`), accept: [E] });
  c.add('header/10000-fields', {
    bytes: line(Array.from({ length: 10_000 }, () => 'X-N: v').join('\r\n')),
    accept: [E],
  });
  c.add('header/name-100k', { bytes: line(`X-${'n'.repeat(100 * 1024)}: v`), accept: [E] });
  c.add('header/reason-100k', { bytes: `HTTP/1.1 200 ${'r'.repeat(100 * 1024)}\r\n${OK_TAIL}`, accept: [E] });
  c.add('header/endless-stall', {
    bytes: `HTTP/1.1 200 OK\r\n${Array.from({ length: 200 }, (_, i) => `X-Drip-${i}: ${i}`).join('\r\n')}\r\n`,
    mode: 'stall',
    accept: [T],
  });
}

/** Content-Length values and duplicates (C22, C23, WPT content-lengths.json). */
function contentLength(c: Builder): void {
  const cl = (v: string, body = 'hello'): string => `HTTP/1.1 200 OK\r\nContent-Length: ${v}\r\n\r\n${body}`;
  const exact: [string, string, string][] = [
    ['5', '5', 'hello'],
    ['leading-zeros', '005', 'hello'],
    ['ows-before', '  5', 'hello'],
    ['ows-after', '5  ', 'hello'],
    ['0', '0', ''],
    ['3-extra-bytes', '3', 'hel'],
  ];
  for (const [name, v, body] of exact) c.add(`cl/${name}`, { bytes: cl(v), accept: [S], body });
  // OWS may be HTAB (RFC 9110 §5.6.3); llhttp refuses it, which is stricter, never wrong.
  c.add('cl/tab-around', { bytes: cl('\t5\t'), accept: [E, S], body: 'hello' });
  c.add('cl/uppercase-name', {
    bytes: 'HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 5\r\n\r\nhello',
    accept: [S],
    body: 'hello',
  });
  c.add('cl/lowercase-name', {
    bytes: 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello',
    accept: [S],
    body: 'hello',
  });
  const bad = [
    '5abc',
    '-1',
    '+5',
    '0x5',
    '4 2',
    '5.0',
    '5e0',
    '',
    ' ',
    'aaaah',
    '42s',
    '10',
    '6',
    '99999999999999999999',
    '18446744073709551616',
    '18446744073709551621',
    '4294967301',
    '9007199254740993',
    '5;',
    '"5"',
    '5, 6',
    '6, 5',
    '5,',
    ',5',
    '5\x00',
  ];
  for (const v of bad) c.add(`cl/bad-${JSON.stringify(v).slice(1, -1)}`, { bytes: cl(v), accept: [E] });
  c.add('cl/dup-diff', {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    accept: [E],
  });
  c.add('cl/dup-diff-reverse', {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 5\r\n\r\nhello!',
    accept: [E],
  });
  c.add('cl/dup-zero-and-5', {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello',
    accept: [E],
  });
  // Identical values may be merged (RFC 9112 §6.3 item 5).
  c.add('cl/dup-same', {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello',
    accept: [E, S],
    body: 'hello',
  });
  c.add('cl/list-same', { bytes: cl('5, 5'), accept: [E, S], body: 'hello' });
  c.add('cl/list-same-nospace', { bytes: cl('5,5'), accept: [E, S], body: 'hello' });
  // Longer than what arrives, then FIN / RST / stall (D41).
  c.add('cl/short-fin', { bytes: cl('100'), accept: [E] });
  c.add('cl/short-rst', { bytes: cl('100'), mode: 'reset', accept: [E] });
  c.add('cl/short-stall', { bytes: cl('100'), mode: 'stall', accept: [T] });
  c.add('cl/huge-fin', { bytes: cl('9007199254740991'), accept: [E] });
  // Extra bytes after the body on a kept connection (C37, D42): never the next response.
  c.add('cl/extra-keep', { bytes: cl('3'), mode: 'keep', accept: [S], body: 'hel' });
  c.add('cl/extra-response-keep', {
    bytes: `${cl('3', 'hel')}HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nPOISON`,
    mode: 'keep',
    accept: [S],
    body: 'hel',
  });
  c.add('cl/exact-keep', { bytes: cl('5'), mode: 'keep', accept: [S], body: 'hello' });
  c.add('cl/http10-keep-alive', {
    bytes: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello',
    mode: 'keep',
    accept: [S],
    body: 'hello',
  });
  // Close-delimited (no framing header): complete at FIN (RFC 9112 §6.3 item 8), an error at RST.
  c.add('cl/none-fin', {
    bytes: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello',
    accept: [S],
    body: 'hello',
  });
  c.add('cl/none-http10-fin', { bytes: 'HTTP/1.0 200 OK\r\n\r\nhello', accept: [S], body: 'hello' });
  c.add('cl/none-rst', {
    bytes: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello',
    mode: 'reset',
    accept: [E],
  });
  c.add('cl/none-stall', {
    bytes: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello',
    mode: 'stall',
    accept: [T],
  });
}

const CHUNKED_HELLO = '5\r\nhello\r\n0\r\n\r\n';

/** Transfer-Encoding variants (C21, C24). */
function transferEncoding(c: Builder): void {
  const te = (v: string, body = CHUNKED_HELLO): string =>
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${v}\r\n\r\n${body}`;
  for (const [name, v] of [
    ['chunked', 'chunked'],
    ['Chunked', 'Chunked'],
    ['CHUNKED', 'CHUNKED'],
    ['ows', '  chunked  '],
  ] as const)
    c.add(`te/${name}`, { bytes: te(v), accept: [S], body: 'hello' });
  // Final coding not chunked: an error or a close-delimited raw body — never a decoded "hello".
  for (const [name, v] of [
    ['empty', ''],
    ['chunked-identity', 'chunked, identity'],
    ['chunkedchunked', 'chunkedchunked'],
    ['unknown', 'x-unknown'],
    ['identity', 'identity'],
    ['chunked-semicolon', 'chunked;q=1'],
  ] as const)
    c.add(`te/${name}`, { bytes: te(v), accept: [E, S], body: CHUNKED_HELLO });
  c.add('te/identity-chunked', { bytes: te('identity, chunked'), accept: [E, S], body: 'hello' });
  c.add('te/chunked-chunked', { bytes: te('chunked, chunked'), accept: [E, S], body: 'hello' });
  c.add('te/two-headers-chunked', {
    bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E, S],
    body: 'hello',
  });
  // Unsolicited or undecodable codings under chunked: never the encoded bytes as a SUCCESS body.
  c.add('te/gzip-chunked', { bytes: te('gzip, chunked'), accept: [E, DF] });
  c.add('te/two-headers-gzip-chunked', {
    bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E, DF],
  });
  // Content-Length together with Transfer-Encoding (C21), in either order and with CL 0.
  c.add('te/cl-then-te', {
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E],
  });
  c.add('te/te-then-cl', {
    bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E],
  });
  c.add('te/cl0-and-te', {
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E],
  });
  c.add('te/cl-exact-and-te', {
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${CHUNKED_HELLO.length}\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E],
  });
  // HTTP/1.0 with Transfer-Encoding: faulty framing (RFC 9112 §6.1).
  c.add('te/http10-chunked', {
    bytes: `HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    accept: [E, S],
    body: 'hello',
  });
}

/** Chunk-size forms, extensions, overflow, data terminators, trailers (C25–C29). */
function chunked(c: Builder): void {
  const ch = (body: string): string => `${CHUNKED_HEAD}${body}`;
  const fine: [string, string, string][] = [
    ['basic', '5\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['upper-hex', 'A\r\n0123456789\r\n0\r\n\r\n', '0123456789'],
    ['lower-hex', 'a\r\n0123456789\r\n0\r\n\r\n', '0123456789'],
    ['leading-zeros', '0005\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['two-chunks', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', 'hello world'],
    [
      'one-byte-chunks',
      `${Array.from({ length: 100 }, () => '1\r\nz\r\n').join('')}0\r\n\r\n`,
      'z'.repeat(100),
    ],
    ['empty-body', '0\r\n\r\n', ''],
    ['binary-data', '4\r\n\r\n\r\n\r\n0\r\n\r\n', '\r\n\r\n'],
    ['data-looks-like-size', '3\r\n0\r\n\r\n0\r\n\r\n', '0\r\n'],
    ['ext', '5;foo=bar\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['ext-name-only', '5;foo\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['ext-quoted', '5;foo="b;a r"\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['ext-many', '5;a=1;b=2;c\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['ext-on-last', '5\r\nhello\r\n0;last=1\r\n\r\n', 'hello'],
    ['trailer', '5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n', 'hello'],
    ['trailers-two', '5\r\nhello\r\n0\r\nX-T: 1\r\nX-U: 2\r\n\r\n', 'hello'],
  ];
  for (const [name, body, expected] of fine)
    c.add(`chunk/${name}`, { bytes: ch(body), accept: [S], body: expected });
  // Allowed by RFC 9112 §7.1.1 (BWS) or harmless, but strict parsers refuse: either, never a wrong body.
  const either: [string, string, string][] = [
    ['bws-before-ext', '5 ;foo=bar\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['many-leading-zeros', '00000000000000000005\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['ext-unbalanced-quote', '5;foo="bar\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['no-final-crlf', '5\r\nhello\r\n0\r\n', 'hello'],
    ['ext-64k', `1;${'x=y;'.repeat(16 * 1024)}\r\na\r\n0\r\n\r\n`, 'a'],
    [
      'ext-amplification',
      `${Array.from({ length: 64 }, () => `1;${'x'.repeat(4096)}\r\na\r\n`).join('')}0\r\n\r\n`,
      'a'.repeat(64),
    ],
    ['trailer-no-colon', '5\r\nhello\r\n0\r\nGarbage\r\n\r\n', 'hello'],
    ['trailer-content-length', '5\r\nhello\r\n0\r\nContent-Length: 100\r\n\r\n', 'hello'],
    ['trailer-100k', `5\r\nhello\r\n0\r\nX-T: ${'t'.repeat(100 * 1024)}\r\n\r\n`, 'hello'],
  ];
  for (const [name, body, expected] of either)
    c.add(`chunk/${name}`, { bytes: ch(body), accept: [CH, E, S], body: expected });
  c.add('chunk/trailer-nul', { bytes: ch('5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n'), accept: [CH, E] });
  c.add('chunk/trailer-bare-cr', { bytes: ch('5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n'), accept: [CH, E] });
  const bad: [string, string][] = [
    ['size-zz', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['size-illegal', 'ILLEGAL\r\nhello\r\n0\r\n\r\n'],
    ['size-negative', '-5\r\nhello\r\n0\r\n\r\n'],
    ['size-plus', '+5\r\nhello\r\n0\r\n\r\n'],
    ['size-0x', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['size-leading-space', ' 5\r\nhello\r\n0\r\n\r\n'],
    ['size-trailing-space', '5 \r\nhello\r\n0\r\n\r\n'],
    ['size-tab', '5\t\r\nhello\r\n0\r\n\r\n'],
    ['size-empty', '\r\nhello\r\n0\r\n\r\n'],
    ['size-nul', '5\x00\r\nhello\r\n0\r\n\r\n'],
    ['size-g', '5g\r\nhello\r\n0\r\n\r\n'],
    ['size-overflow', 'fffffffffffffffff1\r\nhello\r\n0\r\n\r\n'],
    ['size-2^64', '10000000000000000\r\nhello\r\n0\r\n\r\n'],
    ['size-2^64-1', 'ffffffffffffffff\r\nhello\r\n0\r\n\r\n'],
    ['size-2^63', '8000000000000000\r\nhello\r\n0\r\n\r\n'],
    ['size-2^53', '20000000000000\r\nhello\r\n0\r\n\r\n'],
    ['size-2^32', '100000000\r\nhello\r\n0\r\n\r\n'],
    ['size-2^31', '80000000\r\nhello\r\n0\r\n\r\n'],
    ['size-2^32-plus-5', '100000005\r\nhello\r\n0\r\n\r\n'],
    ['no-semicolon-ext', '5 foo=bar\r\nhello\r\n0\r\n\r\n'],
    ['data-longer', '5\r\nhelloXX\r\n0\r\n\r\n'],
    ['data-shorter', '5\r\nhell\r\n0\r\n\r\n'],
    ['data-no-crlf', '5\r\nhello0\r\n\r\n'],
    ['data-lf-only', '5\r\nhello\n0\r\n\r\n'],
    ['data-cr-only', '5\r\nhello\r0\r\n\r\n'],
    ['bare-lf-everywhere', '5\nhello\n0\n\n'],
    ['bare-lf-size', '5\nhello\r\n0\r\n\r\n'],
    ['bare-cr-size', '5\rhello\r\n0\r\n\r\n'],
    ['cut-in-size', '5\r\nhello\r\n1'],
    ['cut-after-size', '5\r\nhello\r\n5\r\n'],
    ['cut-in-data', '5\r\nhello\r\n5\r\nwor'],
    ['cut-before-last', '5\r\nhello\r\n'],
    ['cut-at-last-size', '5\r\nhello\r\n0'],
    ['cut-no-data', ''],
    ['huge-then-cut', '7fffffff\r\nhello'],
  ];
  for (const [name, body] of bad) c.add(`chunk/${name}`, { bytes: ch(body), accept: [CH] });
  c.add('chunk/stall-mid-data', { bytes: ch('5\r\nhello\r\n5\r\nwo'), mode: 'stall', accept: [T] });
  c.add('chunk/stall-before-last', { bytes: ch('5\r\nhello\r\n'), mode: 'stall', accept: [T] });
  c.add('chunk/rst-mid-data', { bytes: ch('5\r\nhello\r\n5\r\nwo'), mode: 'reset', accept: [CH, E] });
  c.add('chunk/rst-before-last', { bytes: ch('5\r\nhello\r\n'), mode: 'reset', accept: [CH, E] });
  c.add('chunk/complete-keep', {
    bytes: ch('5\r\nhello\r\n0\r\n\r\n'),
    mode: 'keep',
    accept: [S],
    body: 'hello',
  });
  c.add('chunk/extra-after-last-keep', {
    bytes: ch('5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nPOISON'),
    mode: 'keep',
    accept: [S],
    body: 'hello',
  });
}

/** Truncation at every offset of three well-formed responses, and splits at every offset (D39–D44). */
function truncation(c: Builder): void {
  const clResponse = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: b\r\n\r\n0123456789';
  const clHead = clResponse.indexOf('\r\n\r\n') + 4;
  for (let k = 0; k < clResponse.length; k++) {
    const accept = k === 0 ? [NR] : k < 'HTTP/1.1 200 OK'.length ? [E, NR] : [E];
    c.add(`trunc/cl-${k}`, { bytes: clResponse.slice(0, k), accept });
  }
  c.add(`trunc/cl-${clResponse.length}`, { bytes: clResponse, accept: [S], body: '0123456789' });

  const chResponse = `${CHUNKED_HEAD}5\r\nhello\r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n`;
  const chHead = CHUNKED_HEAD.length;
  const lastChunkEnd = chResponse.indexOf('0\r\nX-T') + 3;
  for (let k = 1; k < chResponse.length; k++) {
    let accept: number[];
    if (k < 'HTTP/1.1 200 OK'.length) accept = [E, NR];
    else if (k < chHead) accept = [E];
    else if (k < lastChunkEnd) accept = [CH];
    // Inside the trailer section after the last chunk: the body is complete, the message is not.
    else accept = [CH, S];
    c.add(`trunc/chunked-${k}`, {
      bytes: chResponse.slice(0, k),
      accept,
      ...(accept.includes(S) ? { body: 'helloworld' } : {}),
    });
  }
  c.add(`trunc/chunked-${chResponse.length}`, { bytes: chResponse, accept: [S], body: 'helloworld' });

  // Close-delimited: any FIN after the head is a complete (shorter) body — RFC 9112 §6.3 item 8.
  const closeResponse = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello world';
  const closeHead = closeResponse.indexOf('\r\n\r\n') + 4;
  for (let k = 1; k <= closeResponse.length; k++) {
    if (k < closeHead) {
      if (k % 3 !== 0) continue; // the head prefixes are the same as above; sample them
      c.add(`trunc/close-${k}`, { bytes: closeResponse.slice(0, k), accept: k < 15 ? [E, NR] : [E] });
    } else {
      c.add(`trunc/close-${k}`, {
        bytes: closeResponse.slice(0, k),
        accept: [S],
        body: closeResponse.slice(closeHead, k),
      });
    }
  }

  // RST and stall at interesting offsets.
  for (const k of [clHead - 2, clHead, clHead + 5]) {
    c.add(`trunc/cl-rst-${k}`, { bytes: clResponse.slice(0, k), mode: 'reset', accept: [E] });
    c.add(`trunc/cl-stall-${k}`, { bytes: clResponse.slice(0, k), mode: 'stall', accept: [T] });
  }
  c.add('trunc/cl-rst-complete', { bytes: clResponse, mode: 'reset', accept: [S, E], body: '0123456789' });
  c.add('trunc/empty-rst', { bytes: '', mode: 'reset', accept: [NR, E] });
  c.add('trunc/empty-stall', { bytes: '', mode: 'stall', accept: [T] });
  c.add('trunc/status-stall', { bytes: 'HTTP/1.1 200 O', mode: 'stall', accept: [T] });
  for (const k of [chHead, chHead + 4, lastChunkEnd - 1]) {
    c.add(`trunc/chunked-rst-${k}`, { bytes: chResponse.slice(0, k), mode: 'reset', accept: [CH, E] });
    c.add(`trunc/chunked-stall-${k}`, { bytes: chResponse.slice(0, k), mode: 'stall', accept: [T] });
  }

  // A complete response delivered in two writes, split at every offset: always the same SUCCESS.
  for (let k = 1; k < chResponse.length; k++)
    c.add(`split/chunked-${k}`, {
      bytes: chResponse,
      mode: 'split',
      splitAt: k,
      accept: [S],
      body: 'helloworld',
    });
  for (let k = 1; k < clResponse.length; k += 2)
    c.add(`split/cl-${k}`, { bytes: clResponse, mode: 'split', splitAt: k, accept: [S], body: '0123456789' });
}

/** Interim responses, HEAD, 204, 304 (G58–G61). */
function interim(c: Builder): void {
  const final = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
  const ok = (id: string, bytes: string, mode: ServeMode = 'close'): void =>
    c.add(id, { bytes, mode, accept: [S], body: 'hello', code: 200 });
  ok('1xx/103-then-200', `HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n${final}`);
  ok('1xx/102-then-200', `HTTP/1.1 102 Processing\r\n\r\n${final}`);
  ok('1xx/199-then-200', `HTTP/1.1 199 Whatever\r\nX-A: b\r\n\r\n${final}`);
  ok(
    '1xx/two-103',
    `HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </b>\r\n\r\n${final}`,
  );
  ok('1xx/102-103-keep', `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n${final}`, 'keep');
  ok('1xx/100-then-200', `HTTP/1.1 100 Continue\r\n\r\n${final}`);
  ok('1xx/100-with-header-then-200', `HTTP/1.1 100 Continue\r\nX-A: b\r\n\r\n${final}`);
  ok('1xx/100-then-103-then-200', `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n${final}`);
  ok('1xx/103-then-chunked', `HTTP/1.1 103 Early Hints\r\n\r\n${CHUNKED_HEAD}${CHUNKED_HELLO}`);
  c.add('1xx/103-then-404', {
    bytes: 'HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nhello',
    accept: [S],
    body: 'hello',
    code: 404,
  });
  c.add('1xx/50-103', {
    bytes: `${'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n'.repeat(50)}${final}`,
    accept: [S, E],
    body: 'hello',
    code: 200,
  });
  c.add('1xx/5000-103', {
    bytes: `${'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n'.repeat(5000)}${final}`,
    accept: [S, E],
    body: 'hello',
    code: 200,
  });
  // 1xx cannot carry content: a CL on it is not a body (G59).
  c.add('1xx/103-with-cl-body', {
    bytes: `HTTP/1.1 103 Early Hints\r\nContent-Length: 1\r\n\r\na\r\n${final}`,
    accept: [E],
  });
  c.add('1xx/103-with-cl0', {
    bytes: `HTTP/1.1 103 Early Hints\r\nContent-Length: 0\r\n\r\n${final}`,
    accept: [S, E],
    body: 'hello',
    code: 200,
  });
  c.add('1xx/101-unsolicited', {
    bytes: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello',
    accept: [E],
  });
  c.add('1xx/101-then-200', { bytes: `HTTP/1.1 101 Switching Protocols\r\n\r\n${final}`, accept: [E] });
  c.add('1xx/only-103-fin', { bytes: 'HTTP/1.1 103 Early Hints\r\n\r\n', accept: [E, NR] });
  c.add('1xx/only-100-fin', { bytes: 'HTTP/1.1 100 Continue\r\n\r\n', accept: [E, NR] });
  c.add('1xx/only-103-stall', { bytes: 'HTTP/1.1 103 Early Hints\r\n\r\n', mode: 'stall', accept: [T] });
  c.add('1xx/103-then-garbage', { bytes: 'HTTP/1.1 103 Early Hints\r\n\r\ngarbage\r\n\r\n', accept: [E] });
  c.add('1xx/103-then-truncated', {
    bytes: 'HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello',
    accept: [E],
  });

  // HEAD: the response ends at the blank line, whatever CL/TE say (G60). Kept connections, so a client
  // that waits for the announced body hangs (TIMEOUT), and one that reuses the dirty socket fails later.
  const head = (id: string, bytes: string, mode: ServeMode = 'keep'): void =>
    c.add(id, { bytes, mode, method: Method.METHOD_HEAD, accept: [S], body: '', code: 200 });
  head('head/cl-no-body', 'HTTP/1.1 200 OK\r\nContent-Length: 677777\r\n\r\n');
  head('head/chunked-no-chunks', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  head('head/cl-with-body-fin', 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n-foo-\n', 'close');
  head(
    'head/chunked-with-body-fin',
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
    'close',
  );
  head('head/no-framing-fin', 'HTTP/1.1 200 OK\r\n\r\n', 'close');
  head('head/cl-stall', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 'stall');
  c.add('head/only-body', { bytes: '-foo-\n', method: Method.METHOD_HEAD, accept: [E] });

  // 204 and 304 have no body, whatever the headers say (G61).
  const empty = (id: string, code: number, bytes: string, mode: ServeMode = 'keep'): void =>
    c.add(id, { bytes, mode, accept: [S], body: '', code });
  empty('nobody/204-cl-keep', 204, 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n');
  empty('nobody/204-te-keep', 204, 'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n');
  empty('nobody/204-plain-keep', 204, 'HTTP/1.1 204 No Content\r\n\r\n');
  empty('nobody/204-body-fin', 204, 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello', 'close');
  empty('nobody/204-stall', 204, 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', 'stall');
  empty('nobody/304-cl-keep', 304, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 677777\r\n\r\n');
  empty('nobody/304-te-keep', 304, 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n');
  empty('nobody/304-body-fin', 304, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello', 'close');
  empty('nobody/304-stall', 304, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 677777\r\n\r\n', 'stall');
  c.add('nobody/204-cl-body-keep', {
    bytes: 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello',
    mode: 'keep',
    accept: [S],
    body: '',
    code: 204,
  });
}

const BUG_100 =
  'waived (docs/trust.md, G58): an interim 100 Continue before the final response is CONNECTION_ERROR ' +
  "(undici's client-h1 destroys the socket on 100); gdhttp never sends Expect: 100-continue";

/** Items gdhttp fails today: the check stays, marked todo, so the suite is green while the bug is pinned. */
const TODO: Readonly<Record<string, string>> = {
  'header/reason-100k':
    'waived (docs/trust.md, C34): undici does not count the status line in its header cap, so a 100 KiB ' +
    'reason phrase is SUCCESS; memory stays bounded (undici keeps only the last slice)',
  '1xx/100-then-200': BUG_100,
  '1xx/100-with-header-then-200': BUG_100,
  '1xx/100-then-103-then-200': BUG_100,
};

/** The whole corpus, in a stable order. */
export function buildCorpus(): CorpusItem[] {
  const c = new Builder();
  statusLines(c);
  headerSyntax(c);
  contentLength(c);
  transferEncoding(c);
  chunked(c);
  truncation(c);
  interim(c);
  for (const id of Object.keys(TODO))
    if (!c.items.some((i) => i.id === id)) throw new Error(`todo for unknown ${id}`);
  return c.items.map((item) => {
    const todo = TODO[item.id];
    return todo === undefined ? item : { ...item, todo };
  });
}
