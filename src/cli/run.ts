import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import {
  ERR_INVALID_PARAMETER,
  HTTPRequest,
  OK,
  PoolByteArray,
  Result,
  SceneTree,
  add_trusted_ca,
  error_name,
  result_name,
  type PoolStringArray,
} from '../index.js';
import { CliError, describe_fs_error } from './cli-error.js';
import { ExitCode, describe_result, exit_code_for_result } from './exit-codes.js';
import { METHOD_NAMES, parse_command_line, type CliOptions } from './options.js';
import { OutputFile } from './output-file.js';
import { DownloadProgress } from './progress.js';
import { choose_proxies, type ProxyChoice } from './proxy.js';
import { build_request_body } from './request-body.js';
import { TimingSampler, type Timings } from './timings.js';

/** Where the command reads and writes: the process's own streams, or a test's. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

/** The signal's four arguments, plus what the CLI measured. */
interface Completion {
  readonly result: number;
  readonly response_code: number;
  readonly headers: PoolStringArray;
  readonly body: PoolByteArray;
  readonly downloaded_bytes: number;
  readonly timings: Timings | undefined;
}

/** How long a cancelled download gets to remove its temporary file before the process exits. */
const CANCEL_CLEANUP_MS = 200;

function write(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

/** Checks the URL the way HTTPRequest will, to say what is wrong with it (request() only says "invalid"). */
function check_url(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(
      ExitCode.BAD_URL,
      `invalid URL '${text}': expected http://HOST[:PORT]/PATH or https://...`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(ExitCode.BAD_URL, `invalid URL '${text}': only http:// and https:// are supported`);
  }
  if (url.hostname === '') throw new CliError(ExitCode.BAD_URL, `invalid URL '${text}': it has no host`);
  return url;
}

function check_headers(headers: readonly string[]): void {
  for (const line of headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(line) || /[\r\n\0]/.test(line)) {
      throw new CliError(ExitCode.USAGE, `-H ${JSON.stringify(line)}: a header must look like "Name: value"`);
    }
  }
}

function trust_ca_file(path: string): void {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(ExitCode.CACERT, `--cacert: can't read '${path}': ${describe_fs_error(error)}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new CliError(ExitCode.CACERT, `--cacert: '${path}' holds no PEM certificate`);
  }
  add_trusted_ca(pem);
}

/** Curl's `-i` head: a status line (HTTPRequest gives no version or reason, so HTTP/1.1 and the standard reason). */
function response_head(response_code: number, headers: PoolStringArray): string {
  const reason = STATUS_CODES[response_code] ?? '';
  return [`HTTP/1.1 ${response_code} ${reason}`.trimEnd(), ...headers, '', ''].join('\r\n');
}

/** Sets the node's properties from the options (only those given: the rest keep Godot's defaults). */
function configure(
  http: HTTPRequest,
  options: CliOptions,
  output: OutputFile | undefined,
  proxies: ProxyChoice,
): void {
  if (options.max_redirects !== undefined) http.max_redirects = options.max_redirects;
  if (options.timeout !== undefined) http.timeout = options.timeout;
  if (options.max_size !== undefined) http.body_size_limit = options.max_size;
  if (options.chunk_size !== undefined) http.download_chunk_size = options.chunk_size;
  if (output !== undefined) http.download_file = output.download_file;
  http.use_threads = options.threads;
  http.accept_gzip = options.compressed;
  if (proxies.http !== undefined) http.set_http_proxy(proxies.http.host, proxies.http.port);
  if (proxies.https !== undefined) http.set_https_proxy(proxies.https.host, proxies.https.port);
}

/**
 * Runs the `gdhttp` command: parses `argv`, makes one request with an HTTPRequest node in its own SceneTree,
 * writes the body (or `-i` head, or `--json-output`), and returns the exit code. Failures the user can fix
 * throw {@link CliError}; `main.ts` prints them as one line.
 */
export async function run_cli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse_command_line(argv, (text) => io.stdout.write(text));
  if ('exit' in parsed) return parsed.exit;
  const options = parsed.run;

  const url = check_url(options.url);
  check_headers(options.headers);
  const body = build_request_body(options);
  if (options.cacert !== undefined) trust_ca_file(options.cacert);
  const output = options.output === undefined ? undefined : OutputFile.prepare(options.output, options.fail);
  const proxies = choose_proxies(url, options, io.env);

  const http = new HTTPRequest();
  new SceneTree().root.add_child(http);
  configure(http, options, output, proxies);

  const completed = http.request_completed.as_promise();
  const error = http.request_raw(
    options.url,
    [...options.headers, ...body.headers],
    !options.insecure,
    body.method,
    PoolByteArray.wrap(body.bytes),
  );
  if (error === ERR_INVALID_PARAMETER) {
    throw new CliError(
      ExitCode.BAD_URL,
      `the request to '${options.url}' was refused as invalid (check the URL)`,
    );
  }
  if (error !== OK) {
    throw new CliError(ExitCode.INTERNAL, `the request could not start: ${error_name(error) ?? error}`);
  }

  const showProgress =
    io.stderr.isTTY === true && !options.silent && (output !== undefined || io.stdout.isTTY !== true);
  const progress = showProgress
    ? new DownloadProgress(
        { downloaded: () => http.get_downloaded_bytes(), body_size: () => http.get_body_size() },
        io.stderr,
      )
    : undefined;
  const sampler = options.json_output
    ? new TimingSampler(() => ({
        status: http.get_http_client_status(),
        downloaded: http.get_downloaded_bytes(),
      }))
    : undefined;
  progress?.start();

  // Ctrl-C or a kill: cancel (HTTPRequest removes a partial download), say so, and exit 128 + signal.
  let interrupt: (code: number) => void = () => {};
  const interrupted = new Promise<number>((resolve) => (interrupt = resolve));
  const onSigint = (): void => interrupt(ExitCode.INTERRUPTED);
  const onSigterm = (): void => interrupt(128 + 15);
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);

  const outcome = await Promise.race([completed, interrupted]);
  process.removeListener('SIGINT', onSigint);
  process.removeListener('SIGTERM', onSigterm);
  if (typeof outcome === 'number') {
    http.cancel_request();
    progress?.stop(false);
    sampler?.stop();
    await new Promise((resolve) => setTimeout(resolve, CANCEL_CLEANUP_MS));
    output?.settle(false);
    if (!options.silent || options.show_error)
      await write(io.stderr, 'gdhttp: interrupted; nothing was kept\n');
    return outcome;
  }

  const [result, response_code, headers, responseBody] = outcome;
  const completion: Completion = {
    result,
    response_code,
    headers,
    body: responseBody,
    downloaded_bytes: http.get_downloaded_bytes(),
    timings: sampler?.stop(),
  };
  progress?.stop(result === Result.RESULT_SUCCESS);
  http.queue_free();
  return finish(options, url, body.method, output, completion, io);
}

async function finish(
  options: CliOptions,
  url: URL,
  method: number,
  output: OutputFile | undefined,
  done: Completion,
  io: CliIo,
): Promise<number> {
  const succeeded = done.result === Result.RESULT_SUCCESS;
  const httpFailed = options.fail && succeeded && done.response_code >= 400;
  output?.settle(succeeded && !httpFailed);
  const exitCode = !succeeded ? exit_code_for_result(done.result) : httpFailed ? ExitCode.HTTP_ERROR : 0;

  if (options.json_output) {
    const report = {
      url: options.url,
      method: METHOD_NAMES[method] ?? String(method),
      result: done.result,
      result_name: result_name(done.result) ?? null,
      response_code: done.response_code,
      headers: done.headers,
      body_size: output !== undefined ? (succeeded && !httpFailed ? output.size() : 0) : done.body.length,
      downloaded_bytes: done.downloaded_bytes,
      download_file: output?.path ?? null,
      exit_code: exitCode,
      error: succeeded ? (httpFailed ? `HTTP ${done.response_code}` : null) : describe_result(done.result),
      timings: done.timings ?? null,
    };
    await write(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
  } else {
    if (options.include && done.response_code > 0) {
      await write(io.stdout, response_head(done.response_code, done.headers));
    }
    if (succeeded && !httpFailed && output === undefined && done.body.length > 0) {
      await write(io.stdout, done.body);
    }
  }

  if (exitCode !== 0 && (!options.silent || options.show_error)) {
    const why = httpFailed
      ? `the server answered ${done.response_code} ${STATUS_CODES[done.response_code] ?? ''}`.trimEnd() +
        ' (--fail)'
      : `${describe_result(done.result)} [${result_name(done.result) ?? done.result}]`;
    await write(io.stderr, `gdhttp: ${url.href}: ${why}\n`);
  }
  return exitCode;
}
