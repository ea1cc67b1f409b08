/** A value `query_string_from_dict` accepts: Godot's Variant types that have a string form. */
export type QueryValue = string | number | boolean | bigint | null | undefined | readonly QueryValue[];

/**
 * Godot's `String.http_escape()`: RFC 3986 unreserved characters (`A–Z a–z 0–9 - _ . ~`) stay, every other
 * UTF-8 byte becomes `%XX` in upper case (a space is `%20`, never `+`).
 */
export function http_escape(text: string): string {
  return encodeURIComponent(toWellFormed(text)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Godot's `String(variant)` for the scalar types a query can hold (`true` → `"True"`, as in Godot 3). */
function variantToString(value: Exclude<QueryValue, readonly QueryValue[]>): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/**
 * Godot's `HTTPClient.query_string_from_dict()`: keys in insertion order, an array value repeats the key for
 * each element, `null` gives the bare key, everything escaped with {@link http_escape}.
 *
 * @example query_string_from_dict({ single: 123, not_valued: null, multiple: [22, 33, 44] })
 *   // "single=123&not_valued&multiple=22&multiple=33&multiple=44"
 */
export function query_string_from_dict(
  dict: Readonly<Record<string, QueryValue>> | ReadonlyMap<string, QueryValue>,
): string {
  const parts: string[] = [];
  const entries = dict instanceof Map ? [...dict.entries()] : Object.entries(dict);
  for (const [key, value] of entries as [string, QueryValue][]) {
    const name = http_escape(key);
    if (Array.isArray(value)) {
      for (const item of value as readonly QueryValue[]) {
        parts.push(
          `${name}=${http_escape(Array.isArray(item) ? String(item) : variantToString(item as Exclude<QueryValue, readonly QueryValue[]>))}`,
        );
      }
    } else if (value === null || value === undefined) {
      parts.push(name);
    } else {
      parts.push(
        `${name}=${http_escape(variantToString(value as Exclude<QueryValue, readonly QueryValue[]>))}`,
      );
    }
  }
  return parts.join('&');
}

/** Replaces lone UTF-16 surrogates (which have no UTF-8 form) with U+FFFD, as `TextEncoder` does. */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
