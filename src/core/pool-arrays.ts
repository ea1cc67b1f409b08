/**
 * Godot 3's `PoolByteArray`: a byte array. In gdhttp it is a `Uint8Array`, so it goes anywhere bytes go
 * (Buffer.from(body.buffer), fs.writeFile, TextDecoder) and adds Godot's methods on top.
 */
export class PoolByteArray extends Uint8Array {
  /** Copies the bytes of `data` (or returns an empty array): Godot's `PoolByteArray(from)`. */
  static from_bytes(data: ArrayLike<number> | ArrayBufferLike | undefined): PoolByteArray {
    if (data === undefined) return new PoolByteArray(0);
    const source = ArrayBuffer.isView(data)
      ? data
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : data;
    const out = new PoolByteArray((source as ArrayLike<number>).length);
    out.set(source as ArrayLike<number>);
    return out;
  }

  /** Wraps `bytes` without copying them (the array shares the memory). */
  static wrap(bytes: Uint8Array): PoolByteArray {
    return new PoolByteArray(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The UTF-8 encoding of `text`: Godot's `String.to_utf8()`. */
  static from_string(text: string): PoolByteArray {
    return PoolByteArray.wrap(Buffer.from(text, 'utf8'));
  }

  /** Decodes the bytes as UTF-8 (invalid sequences become U+FFFD): Godot's `get_string_from_utf8()`. */
  get_string_from_utf8(): string {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('utf8');
  }

  /** Decodes the bytes as ASCII, one character per byte up to the first NUL, as Godot does. */
  get_string_from_ascii(): string {
    const end = this.indexOf(0);
    return Buffer.from(this.buffer, this.byteOffset, end === -1 ? this.byteLength : end).toString('latin1');
  }

  /** The number of bytes: Godot's `size()`. */
  size(): number {
    return this.length;
  }

  /** True when there are no bytes: Godot's `empty()`. */
  empty(): boolean {
    return this.length === 0;
  }

  /** Lower-case hexadecimal, two digits per byte: Godot's `hex_encode()`. */
  hex_encode(): string {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('hex');
  }
}

/**
 * Godot 3's `PoolStringArray`. In gdhttp it is a plain `string[]`, so array literals port as they are
 * (`["Accept: text/html"]`).
 */
export type PoolStringArray = string[];
