// Small helpers shared by the clients and the child runner.
import { Buffer } from 'node:buffer';

/** Reads a Node Readable to the end and returns one Buffer. */
export async function collect(readable) {
  const chunks = [];
  for await (const chunk of readable) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Byte length of whatever a client returned as a body. */
export function byteLengthOf(body) {
  if (body == null) return -1;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (typeof body.byteLength === 'number') return body.byteLength;
  if (typeof body.length === 'number') return body.length;
  return -1;
}

/** A Uint8Array view of a body (ArrayBuffer, typed array, Buffer). */
export function bytesOf(body) {
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new Error(`unexpected body type ${Object.prototype.toString.call(body)}`);
}

/** Value of a header from Godot-style "Name: value" lines. */
export function headerFromLines(lines, name) {
  const want = name.toLowerCase();
  for (const line of lines ?? []) {
    const i = String(line).indexOf(':');
    if (i > 0 && String(line).slice(0, i).trim().toLowerCase() === want)
      return String(line)
        .slice(i + 1)
        .trim();
  }
  return undefined;
}
