/**
 * Godot's `@GlobalScope` functions that gdhttp's users port along with their scripts: `print`, `str`,
 * `push_error`, `push_warning`, `to_json` and `parse_json`, plus every `Error` constant (re-exported from
 * `error.ts`).
 *
 * Output goes through `process.stdout` / `process.stderr` at call time (never a cached reference), so a test
 * can capture it by replacing `process.stderr.write`.
 */
export * from './error.js';

/**
 * Godot's `str(...)`: converts each value the way Godot prints it and joins them with no separator.
 *
 * `null` and `undefined` give `Null`, booleans `True` / `False`, arrays (and typed arrays) `[a, b]`, plain objects
 * and `Map`s `{key:value, ...}` like Godot 3's Dictionary; other objects use their own `toString()`.
 * gdhttp differs in that JavaScript has no int/float split: `1.0` prints as `1`.
 */
export function str(...parts: unknown[]): string {
  return parts.map((part) => godot_string(part, new Set())).join('');
}

function godot_string(value: unknown, seen: Set<unknown>): string {
  if (value === null || value === undefined) return 'Null';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    // Godot prints non-finite floats as inf / -inf / nan.
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[Function ${value.name}]`;
  if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item) => godot_string(item, seen)).join(', ')}]`;
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return `[${Array.from(value as unknown as ArrayLike<number>, (item) => godot_string(item, seen)).join(', ')}]`;
    }
    if (value instanceof Map) {
      const entries = [...(value as Map<unknown, unknown>)].map(
        ([k, v]) => `${godot_string(k, seen)}:${godot_string(v, seen)}`,
      );
      return `{${entries.join(', ')}}`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const entries = Object.entries(value).map(([k, v]) => `${k}:${godot_string(v, seen)}`);
      return `{${entries.join(', ')}}`;
    }
    return (value as { toString(): string }).toString();
  } finally {
    seen.delete(value);
  }
}

/**
 * Godot's `print(...)`: writes `str(...parts)` and a newline to standard output.
 *
 * @example print('status: ', 200) // status: 200
 */
export function print(...parts: unknown[]): void {
  process.stdout.write(`${str(...parts)}\n`);
}

/**
 * Godot's `push_error(message)`: writes `ERROR: <message>` to standard error.
 *
 * Godot takes one message and adds an `At: file:line` line; gdhttp accepts several parts (joined as `str` does)
 * and prints the single `ERROR:` line. It never throws: an error is reported, and the caller goes on.
 */
export function push_error(...parts: unknown[]): void {
  process.stderr.write(`ERROR: ${str(...parts)}\n`);
}

/** Godot's `push_warning(message)`: writes `WARNING: <message>` to standard error (parts joined as `str` does). */
export function push_warning(...parts: unknown[]): void {
  process.stderr.write(`WARNING: ${str(...parts)}\n`);
}

/**
 * Godot 3's `to_json(value)`: the compact JSON text of a value (no spaces, keys in insertion order).
 *
 * Typed arrays such as `PoolByteArray` become JSON arrays of numbers, as Godot's pool arrays do; `Map`s become
 * objects; `undefined` becomes `null` (Godot has no undefined). Where Godot would print `inf`/`nan` (which is
 * not JSON), gdhttp prints `null`. A value that cannot be converted (a cycle) reports an error with `push_error`
 * and gives `""`.
 */
export function to_json(value: unknown): string {
  try {
    return JSON.stringify(value, json_replacer) ?? 'null';
  } catch (error) {
    push_error(`to_json: ${first_line(error)}`);
    return '';
  }
}

function json_replacer(_key: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  if (value instanceof Map) return Object.fromEntries(value as Map<unknown, unknown>);
  if (value instanceof Set) return [...(value as Set<unknown>)];
  return value;
}

/**
 * Godot 3's `parse_json(text)`: parses JSON text into plain values (objects, arrays, strings, numbers,
 * booleans, `null`).
 *
 * As in Godot 3, every number is a float (JavaScript numbers always are), and a parse error does not throw: it
 * prints `ERROR: Error parsing JSON at line N: <reason>` with `push_error` and returns `null`. Check the shape of
 * the result before using it (Godot's advice is `typeof`).
 */
export function parse_json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8's message quotes the text instead of giving a line, so find the error position ourselves.
    const found = locate_json_error(text);
    const reason = found?.reason ?? first_line(error);
    const offset = found?.offset ?? 0;
    let line = 1;
    for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
    push_error(`Error parsing JSON at line ${line}: ${reason}`);
    return null;
  }
}

function first_line(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? message;
}

/** Thrown inside the scanner only; `Error` here is JavaScript's (this module re-exports Godot's, unbound). */
class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * A small RFC 8259 scanner that only finds where the text stops being JSON (the offset and a reason), for the
 * error message; JSON.parse does the real parsing. Iterative depth is bounded by the text's nesting.
 */
function locate_json_error(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonSyntaxError(i, reason);
  };
  const skip_space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const escape = text.charAt(i + 1);
        if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if ('"\\/bfnrt'.includes(escape) && escape !== '') i += 2;
        else fail('Invalid escape sequence in string');
        continue;
      }
      if (text.charCodeAt(i) < 0x20) fail('Control character in string');
      i++;
    }
    fail('Unterminated string');
  };
  const value = (): void => {
    skip_space();
    const c = text.charAt(i);
    if (c === '') fail('Unexpected end of text, expected a value');
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skip_space();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          skip_space();
          if (text.charAt(i) !== '"') fail('Expected a string key');
          string();
          skip_space();
          if (text.charAt(i) !== ':') fail("Expected ':' after a key");
          i++;
        }
        value();
        skip_space();
        const next = text.charAt(i);
        if (next === close) {
          i++;
          return;
        }
        if (next !== ',') fail(`Expected ',' or '${close}'`);
        i++;
      }
    }
    if (c === '"') return string();
    JSON_NUMBER.lastIndex = i;
    const number = JSON_NUMBER.exec(text);
    if (number !== null && number[0] !== '' && number[0] !== '-') {
      i += number[0].length;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(`Unexpected character '${c}', expected a value`);
  };
  try {
    value();
    skip_space();
    if (i < text.length) fail('Unexpected text after the JSON value');
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  return undefined;
}
