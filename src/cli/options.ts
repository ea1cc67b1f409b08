import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Method, VERSION } from '../index.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { parse_proxy, type ProxyAddress } from './proxy.js';

/** The command line, parsed and checked: every number is a number, every method a Godot method. */
export interface CliOptions {
  readonly url: string;
  /** `HTTPClient.METHOD_*`, or undefined for the default (GET, or POST when a body is given). */
  readonly method: number | undefined;
  readonly headers: readonly string[];
  readonly data: readonly string[];
  readonly data_binary: string | undefined;
  readonly json: string | undefined;
  readonly output: string | undefined;
  readonly max_redirects: number | undefined;
  readonly timeout: number | undefined;
  readonly max_size: number | undefined;
  readonly chunk_size: number | undefined;
  readonly threads: boolean;
  readonly proxy: ProxyAddress | undefined;
  readonly https_proxy: ProxyAddress | undefined;
  readonly insecure: boolean;
  readonly cacert: string | undefined;
  readonly compressed: boolean;
  readonly include: boolean;
  readonly silent: boolean;
  readonly show_error: boolean;
  readonly fail: boolean;
  readonly json_output: boolean;
}

/** What parsing decided: run a request, or stop (after `--help` / `--version` printed their text). */
export type ParseOutcome = { readonly run: CliOptions } | { readonly exit: number };

/** HTTPRequest's chunk-size range (its setter refuses anything else). */
const MIN_CHUNK_SIZE = 256;
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

/** The wire names of `HTTPClient.METHOD_*`, indexed by value (`METHOD_POST` → `POST`). */
export const METHOD_NAMES: readonly string[] = Object.entries(Method)
  .filter(([name]) => name !== 'METHOD_MAX')
  .sort(([, a], [, b]) => a - b)
  .map(([name]) => name.slice('METHOD_'.length));

function parse_method(value: string): number {
  const name = value.toUpperCase();
  if (!METHOD_NAMES.includes(name)) {
    throw new InvalidArgumentError(`Use one of ${METHOD_NAMES.join(', ')}.`);
  }
  return Method[`METHOD_${name}` as keyof typeof Method];
}

function parse_integer(minimum: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('Expected a whole number.');
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < minimum) {
      throw new InvalidArgumentError(`Expected a whole number of at least ${minimum}.`);
    }
    return number;
  };
}

function parse_seconds(value: string): number {
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(value.trim())) {
    throw new InvalidArgumentError('Expected a number of seconds, such as 10 or 2.5.');
  }
  return Number(value);
}

const SIZE_SUFFIXES: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte count, with curl's optional K, M or G suffix (powers of 1024). */
function parse_bytes(minimum: number, maximum = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const match = /^(\d+)([kmg]?)$/i.exec(value.trim());
    const bytes =
      match === null ? NaN : Number(match[1]) * (SIZE_SUFFIXES[match[2]?.toLowerCase() ?? ''] ?? NaN);
    if (!Number.isSafeInteger(bytes)) {
      throw new InvalidArgumentError('Expected a number of bytes, such as 65536, 64K, 10M or 1G.');
    }
    if (bytes < minimum || bytes > maximum) {
      throw new InvalidArgumentError(`Expected between ${minimum} and ${maximum} bytes.`);
    }
    return bytes;
  };
}

function parse_proxy_option(flag: string): (value: string) => ProxyAddress {
  return (value) => {
    try {
      return parse_proxy(value, flag);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message.replace(/^[^:]*: /, ''));
    }
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const EXIT_CODE_HELP = `
Exit codes (curl's numbers where curl has the same error):
   0 success, whatever the HTTP status       23 output file write error
   2 bad command line                        24 output file can't be created
   3 invalid URL                             26 a @file can't be read
   6 can't resolve the host                  28 timeout (--timeout)
   7 can't connect                           35 TLS handshake or certificate error
  18 malformed or cut-short chunked body     47 too many redirects (--max-redirects)
  22 HTTP status >= 400 with --fail          52 the server closed without replying
  55 request failed                          56 connection error during the response
  61 Content-Encoding can't be decoded       63 body larger than --max-size
  77 bad --cacert file                      130 interrupted (Ctrl-C)

Proxies are also read from http_proxy, https_proxy and no_proxy (lower case first,
then upper case), as curl reads them.
Full documentation: the "gdhttp command" section of README.md, and docs/cli.md.`;

function build_program(): Command {
  return new Command()
    .name('gdhttp')
    .usage('URL [options]')
    .description(
      "Make an HTTP(S) request with gdhttp's HTTPRequest node (Godot's API on Node.js) and write the body to " +
        'standard output, or to a file with -o.',
    )
    .argument('<url>', 'the http:// or https:// URL to request')
    .addOption(
      new Option('-X, --method <method>', 'request method (default GET, or POST with a body)').argParser(
        parse_method,
      ),
    )
    .option('-H, --header <line>', 'add a request header "Name: value" (repeatable)', collect)
    .option(
      '-d, --data <data>',
      'send text as the body; @file reads a file (repeatable, joined with &)',
      collect,
    )
    .option('--data-binary <data>', 'send the body byte for byte; @file reads a file, @- standard input')
    .option('--json <data>', 'send JSON (or @file) with Content-Type and Accept: application/json')
    .option('-o, --output <file>', 'write the body to a file (download_file) instead of standard output')
    .addOption(
      new Option(
        '--max-redirects <n>',
        'redirects to follow; 0 follows none, -1 no limit (default 8)',
      ).argParser(parse_integer(-1)),
    )
    .addOption(
      new Option(
        '--timeout <seconds>',
        'give up after this many seconds in all (default: no limit)',
      ).argParser(parse_seconds),
    )
    .addOption(
      new Option(
        '--max-size <bytes>',
        'largest body accepted, after decompression (body_size_limit)',
      ).argParser(parse_bytes(0)),
    )
    .addOption(
      new Option(
        '--chunk-size <bytes>',
        'read and write size, 256 to 16M (download_chunk_size, default 64K)',
      ).argParser(parse_bytes(MIN_CHUNK_SIZE, MAX_CHUNK_SIZE)),
    )
    .option('--threads', 'run the request in a worker thread (use_threads)')
    .addOption(
      new Option('--proxy <host:port>', 'HTTP proxy for http:// and https:// URLs').argParser(
        parse_proxy_option('--proxy'),
      ),
    )
    .addOption(
      new Option('--https-proxy <host:port>', 'HTTP proxy for https:// URLs only (CONNECT tunnel)').argParser(
        parse_proxy_option('--https-proxy'),
      ),
    )
    .option('-k, --insecure', "don't verify the server's certificate (ssl_validate_domain false)")
    .option('--cacert <file>', 'also trust the CA certificate(s) in this PEM file')
    .option('--no-compressed', "don't ask for gzip/deflate/br bodies (accept_gzip false)")
    .option('-i, --include', 'print the status line and response headers before the body')
    .option('-s, --silent', 'no progress bar and no error messages')
    .option('-S, --show-error', 'with -s, still print the error message')
    .option('--fail', 'exit with 22 when the HTTP status is 400 or more, writing no body')
    .option('--json-output', 'print one JSON object describing the result instead of the body')
    .version(`gdhttp ${VERSION} (Node.js ${process.versions.node})`, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXIT_CODE_HELP)
    .showSuggestionAfterError(true)
    .exitOverride();
}

interface RawOptions {
  method?: number;
  header?: string[];
  data?: string[];
  dataBinary?: string;
  json?: string;
  output?: string;
  maxRedirects?: number;
  timeout?: number;
  maxSize?: number;
  chunkSize?: number;
  threads?: boolean;
  proxy?: ProxyAddress;
  httpsProxy?: ProxyAddress;
  insecure?: boolean;
  cacert?: string;
  compressed: boolean;
  include?: boolean;
  silent?: boolean;
  showError?: boolean;
  fail?: boolean;
  jsonOutput?: boolean;
}

/**
 * Parses `argv` (the arguments after the command name) with commander. Help and version are written to
 * `stdout`; every mistake becomes one usage {@link CliError} line.
 */
export function parse_command_line(argv: readonly string[], stdout: (text: string) => void): ParseOutcome {
  const program = build_program().configureOutput({
    writeOut: stdout,
    writeErr: () => {},
    outputError: () => {},
  });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { exit: 0 };
    const line = error.message
      .replace(/^error: /, '')
      .split('\n')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .join(' ');
    throw new CliError(ExitCode.USAGE, `${line} (see gdhttp --help)`);
  }
  const raw = program.opts<RawOptions>();
  const url = program.args[0] ?? '';
  const data = raw.data ?? [];
  if (raw.json !== undefined && (data.length > 0 || raw.dataBinary !== undefined)) {
    throw new CliError(ExitCode.USAGE, '--json cannot be combined with -d/--data or --data-binary');
  }
  return {
    run: {
      url,
      method: raw.method,
      headers: raw.header ?? [],
      data,
      data_binary: raw.dataBinary,
      json: raw.json,
      output: raw.output,
      max_redirects: raw.maxRedirects,
      timeout: raw.timeout,
      max_size: raw.maxSize,
      chunk_size: raw.chunkSize,
      threads: raw.threads === true,
      proxy: raw.proxy,
      https_proxy: raw.httpsProxy,
      insecure: raw.insecure === true,
      cacert: raw.cacert,
      compressed: raw.compressed,
      include: raw.include === true,
      silent: raw.silent === true,
      show_error: raw.showError === true,
      fail: raw.fail === true,
      json_output: raw.jsonOutput === true,
    },
  };
}
