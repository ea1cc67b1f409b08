import { METHOD_NAMES, Method } from './http-client-constants.js';
import { toWellFormed } from './query-string.js';

/* eslint-disable no-control-regex -- these patterns exist to find control bytes */
// Any C0 control byte or DEL. HTAB is allowed inside header values only (RFC 9110 §5.5).
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;
// RFC 9110 §5.6.2 token: the only characters a header name may have.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The wire name of `method`, or `undefined` when it is not one of `HTTPClient.Method`'s request methods. */
export function methodName(method: number): string | undefined {
  if (!Number.isInteger(method) || method < 0 || method >= Method.METHOD_MAX) return undefined;
  return METHOD_NAMES[method];
}

/** A header line split into name and value. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/**
 * Splits Godot-style header lines (`"Name: value"`) into fields, or returns `undefined` when any line is
 * unsafe to send: no `name:`, a name that is not an RFC 9110 token, or CR, LF, NUL or another control byte
 * anywhere (the request-splitting guard: nothing is sent when one line is bad).
 */
export function parseHeaderLines(lines: readonly string[]): HeaderField[] | undefined {
  const fields: HeaderField[] = [];
  for (const line of lines) {
    if (typeof line !== 'string') return undefined;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name) || CONTROL_EXCEPT_TAB.test(value)) return undefined;
    fields.push({ name, value });
  }
  return fields;
}

/** True when `text` has a control byte (CR, LF, NUL, ...) and must not reach a request line. */
export function hasControlBytes(text: string): boolean {
  return CONTROL.test(text);
}

/**
 * Makes a request target safe for the request line: refuses control bytes and spaces (returns undefined),
 * and percent-encodes non-ASCII characters as UTF-8, as browsers do, since a request line is ASCII.
 */
export function encodeRequestTarget(target: string): string | undefined {
  if (CONTROL.test(target) || target.includes(' ')) return undefined;
  return /[^\u0000-\u007f]/.test(target)
    ? target.replace(/[^\u0000-\u007f]+/g, (run) => encodeURI(toWellFormed(run)))
    : target;
}

// Headers that frame the message or the connection: undici manages them itself and refuses most of them.
const CONNECTION_MANAGED = new Set(['transfer-encoding', 'upgrade', 'keep-alive', 'expect', 'te', 'trailer']);

/**
 * True when the caller's headers do not contradict the body gdhttp sends (RFC 9112 §6: one framing only).
 * Refused: `Transfer-Encoding`, `Upgrade`, `Keep-Alive`, `Expect`, `TE`, `Trailer` (the connection is
 * gdhttp's to manage); a `Connection` other than `close` / `keep-alive`; more than one `Content-Length`, or
 * one that is not the body's exact length (request smuggling, catalogue B19).
 */
export function framingIsConsistent(fields: readonly HeaderField[], bodyLength: number): boolean {
  let lengths = 0;
  for (const { name, value } of fields) {
    const key = name.toLowerCase();
    if (CONNECTION_MANAGED.has(key)) return false;
    if (key === 'connection' && !/^(?:close|keep-alive)$/i.test(value)) return false;
    if (key === 'content-length') {
      lengths += 1;
      if (lengths > 1 || !/^\d+$/.test(value) || Number(value) !== bodyLength) return false;
    }
  }
  return true;
}
