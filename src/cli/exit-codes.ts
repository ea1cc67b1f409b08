import { Result } from '../index.js';

/**
 * The `gdhttp` command's exit codes. Like curl's: 0 when HTTPRequest reports RESULT_SUCCESS, and one distinct
 * code per other Result, reusing curl's number wherever curl has an error with the same meaning, so scripts
 * written for curl read them the same way. The table is documented in README.md and docs/cli.md.
 */
export const ExitCode = {
  SUCCESS: 0,
  /** An unexpected failure inside gdhttp itself (a bug; please report it). */
  INTERNAL: 1,
  /** Bad command line: unknown option, missing URL, bad number, bad method, bad header line (curl: 2). */
  USAGE: 2,
  /** The URL is not a valid http:// or https:// URL (curl: CURLE_URL_MALFORMAT). */
  BAD_URL: 3,
  /** `--fail` and the HTTP status was 400 or more (curl: CURLE_HTTP_RETURNED_ERROR). */
  HTTP_ERROR: 22,
  /** A `@file` given to -d, --data-binary or --json could not be read (curl: CURLE_READ_ERROR). */
  READ_ERROR: 26,
  /** The `--cacert` file could not be read or holds no certificate (curl: CURLE_SSL_CACERT_BADFILE). */
  CACERT: 77,
  /** Interrupted by Ctrl-C (SIGINT), the shell's convention 128 + 2. */
  INTERRUPTED: 130,
} as const;

/** The exit code for each `HTTPRequest.Result`, with curl's matching error where there is one. */
const RESULT_EXIT_CODES: Readonly<Record<Result, number>> = {
  [Result.RESULT_SUCCESS]: 0,
  [Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH]: 18, // CURLE_PARTIAL_FILE
  [Result.RESULT_CANT_CONNECT]: 7, // CURLE_COULDNT_CONNECT
  [Result.RESULT_CANT_RESOLVE]: 6, // CURLE_COULDNT_RESOLVE_HOST
  [Result.RESULT_CONNECTION_ERROR]: 56, // CURLE_RECV_ERROR
  [Result.RESULT_SSL_HANDSHAKE_ERROR]: 35, // CURLE_SSL_CONNECT_ERROR
  [Result.RESULT_NO_RESPONSE]: 52, // CURLE_GOT_NOTHING
  [Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED]: 63, // CURLE_FILESIZE_EXCEEDED
  [Result.RESULT_REQUEST_FAILED]: 55, // CURLE_SEND_ERROR (Godot never reports it; kept distinct)
  [Result.RESULT_DOWNLOAD_FILE_CANT_OPEN]: 24, // curl's 24 is retired; gdhttp uses it to keep 23 for writes
  [Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR]: 23, // CURLE_WRITE_ERROR
  [Result.RESULT_REDIRECT_LIMIT_REACHED]: 47, // CURLE_TOO_MANY_REDIRECTS
  [Result.RESULT_TIMEOUT]: 28, // CURLE_OPERATION_TIMEDOUT
  [Result.RESULT_BODY_DECOMPRESS_FAILED]: 61, // CURLE_BAD_CONTENT_ENCODING
};

/** The exit code for a `Result` (an unknown number counts as an internal error). */
export function exit_code_for_result(result: number): number {
  return RESULT_EXIT_CODES[result as Result] ?? ExitCode.INTERNAL;
}

/** What went wrong, in plain words, for the one line printed on stderr when a request fails. */
const RESULT_MESSAGES: Readonly<Record<Result, string>> = {
  [Result.RESULT_SUCCESS]: 'the request succeeded',
  [Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH]: 'the chunked response body was malformed or cut short',
  [Result.RESULT_CANT_CONNECT]: "couldn't connect to the server (or the proxy)",
  [Result.RESULT_CANT_RESOLVE]: "couldn't resolve the host name (or the proxy's)",
  [Result.RESULT_CONNECTION_ERROR]: 'the connection failed during the response',
  [Result.RESULT_SSL_HANDSHAKE_ERROR]:
    'the TLS handshake failed or the certificate was rejected (-k skips verification, --cacert adds a CA)',
  [Result.RESULT_NO_RESPONSE]: 'the server closed the connection without a response',
  [Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED]: 'the response body is larger than --max-size',
  [Result.RESULT_REQUEST_FAILED]: 'the request failed',
  [Result.RESULT_DOWNLOAD_FILE_CANT_OPEN]: "couldn't create the output file",
  [Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR]: "couldn't write the output file",
  [Result.RESULT_REDIRECT_LIMIT_REACHED]: 'too many redirects (see --max-redirects)',
  [Result.RESULT_TIMEOUT]: 'the request timed out (see --timeout)',
  [Result.RESULT_BODY_DECOMPRESS_FAILED]:
    "the response body's Content-Encoding could not be decoded (--no-compressed leaves it as is)",
};

/** A plain-words description of a `Result`. */
export function describe_result(result: number): string {
  return RESULT_MESSAGES[result as Result] ?? `unknown result ${result}`;
}
