/**
 * `HTTPRequest.Result`: Godot 3.6's numbers 0–12 exactly, plus `RESULT_BODY_DECOMPRESS_FAILED = 13`
 * (Godot 4 has it as 8 and shifts the rest; gdhttp keeps the 3.x numbers and appends).
 */
export const Result = {
  RESULT_SUCCESS: 0,
  RESULT_CHUNKED_BODY_SIZE_MISMATCH: 1,
  RESULT_CANT_CONNECT: 2,
  RESULT_CANT_RESOLVE: 3,
  RESULT_CONNECTION_ERROR: 4,
  RESULT_SSL_HANDSHAKE_ERROR: 5,
  RESULT_NO_RESPONSE: 6,
  RESULT_BODY_SIZE_LIMIT_EXCEEDED: 7,
  RESULT_REQUEST_FAILED: 8,
  RESULT_DOWNLOAD_FILE_CANT_OPEN: 9,
  RESULT_DOWNLOAD_FILE_WRITE_ERROR: 10,
  RESULT_REDIRECT_LIMIT_REACHED: 11,
  RESULT_TIMEOUT: 12,
  RESULT_BODY_DECOMPRESS_FAILED: 13,
} as const;
/** Any value of `HTTPRequest.Result`. */
export type Result = (typeof Result)[keyof typeof Result];
/** The name of a `Result` value (`'RESULT_TIMEOUT'`, ...). */
export type ResultName = keyof typeof Result;

/** Returns the constant's name for a `Result` value (`12` → `'RESULT_TIMEOUT'`), or `undefined`. */
export function result_name(result: number): ResultName | undefined {
  for (const [name, value] of Object.entries(Result)) if (value === result) return name as ResultName;
  return undefined;
}
