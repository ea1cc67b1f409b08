import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import {
  closeWithoutReply,
  contentLengthCutShort,
  reply,
  replyAndKeep,
  responseBytes,
  startRawServer,
  truncatedChunked,
  type RawHandler,
  type RawServer,
} from '../servers/raw-server.js';
import { getTlsFixtures, type TlsFixtures } from '../servers/tls-fixtures.js';
import { CliError } from '../../src/cli/cli-error.js';
import { run_cli, type CliIo } from '../../src/cli/run.js';
import { describe_run, run_gdhttp, type CliRun } from './run-gdhttp.js';

/** Streams for in-process runs that must fail before writing anything. */
const NULL_IO: CliIo = { stdout: process.stdout, stderr: process.stderr, env: {} };

/** A port nothing listens on: bound, then closed. */
async function closed_port(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Exactly one `gdhttp: ...` line on stderr, and no stack trace. */
function assert_one_line(run: CliRun, pattern: RegExp): void {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `expected one stderr line:\n${run.stderr}`);
  assert.match(lines[0] ?? '', /^gdhttp: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

/** One raw server answering by request path with handlers node:http could not produce. */
const ROUTES: Record<string, RawHandler> = {
  '/empty-reply': closeWithoutReply(),
  '/cut-short': reply(contentLengthCutShort(100, 'only this')),
  '/chunked-cut': reply(truncatedChunked(['hello'])),
  '/bad-gzip': reply(responseBytes({ headers: [['Content-Encoding', 'gzip']], body: 'this is not gzip' })),
  // Asks the client to keep the connection for 10 minutes: the command must exit anyway.
  '/long-keep-alive': replyAndKeep(
    responseBytes({
      headers: [
        ['Connection', 'keep-alive'],
        ['Keep-Alive', 'timeout=600'],
      ],
      body: 'kept',
    }),
  ),
};

const route: RawHandler = (socket, head, ctx) => {
  const path = /^[A-Z]+ (\S+)/.exec(head.toString('latin1'))?.[1] ?? '';
  return (ROUTES[path] ?? reply(responseBytes({ status: 404 })))(socket, head, ctx);
};

describe('gdhttp: failures, exit codes and bad input', { concurrency: 2 }, () => {
  let bin: Httpbin;
  let raw: RawServer;
  let tls: Httpbin;
  let fx: TlsFixtures;
  let dir: string;

  before(async () => {
    fx = await getTlsFixtures();
    [bin, raw, tls] = await Promise.all([
      startHttpbin(),
      startRawServer(route),
      startHttpbin({ tls: fx.selfSigned }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'gdhttp-cli-errors-'));
  });
  after(async () => {
    await Promise.all([bin.close(), raw.close(), tls.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  test('exits at once even when the server asks to keep the connection alive for 10 minutes', async () => {
    const run = await run_gdhttp([`${raw.url}/long-keep-alive`], { limit_ms: 30_000 });
    assert.equal(run.timed_out, false, 'the process lingered on the keep-alive connection');
    assert.equal(run.code, 0, describe_run(run));
    assert.equal(run.stdout.toString(), 'kept');
  });

  const results: [string, () => string, number, RegExp][] = [
    ['CANT_CONNECT: a closed port exits 7', () => 'http://127.0.0.1:PORT/', 7, /RESULT_CANT_CONNECT/],
    ['CANT_RESOLVE: a .invalid host exits 6', () => 'http://no-such-host.invalid/', 6, /RESULT_CANT_RESOLVE/],
    ['NO_RESPONSE: an empty reply exits 52', () => `${raw.url}/empty-reply`, 52, /RESULT_NO_RESPONSE/],
    [
      'CONNECTION_ERROR: a body cut short exits 56',
      () => `${raw.url}/cut-short`,
      56,
      /RESULT_CONNECTION_ERROR/,
    ],
    [
      'CHUNKED_BODY_SIZE_MISMATCH: a chunked body without its last chunk exits 18',
      () => `${raw.url}/chunked-cut`,
      18,
      /RESULT_CHUNKED_BODY_SIZE_MISMATCH/,
    ],
    [
      'BODY_DECOMPRESS_FAILED: a corrupt gzip body exits 61',
      () => `${raw.url}/bad-gzip`,
      61,
      /RESULT_BODY_DECOMPRESS_FAILED/,
    ],
    [
      'SSL_HANDSHAKE_ERROR: a self-signed certificate exits 35',
      () => `${tls.url}/get`,
      35,
      /RESULT_SSL_HANDSHAKE_ERROR/,
    ],
  ];
  for (const [name, url, code, pattern] of results) {
    test(`${name}, one line on stderr, nothing on stdout`, async () => {
      const target = url().replace('PORT', String(await closed_port()));
      const run = await run_gdhttp([target]);
      assert.equal(run.code, code, describe_run(run));
      assert.equal(run.stdout.length, 0);
      assert_one_line(run, pattern);
    });
  }

  test('-s hides the error line, -s -S shows it, and the exit code stays', async () => {
    const quiet = await run_gdhttp(['-s', `${raw.url}/empty-reply`]);
    assert.equal(quiet.code, 52);
    assert.equal(quiet.stderr, '');
    const shown = await run_gdhttp(['-sS', `${raw.url}/empty-reply`]);
    assert.equal(shown.code, 52);
    assert_one_line(shown, /RESULT_NO_RESPONSE/);
  });

  test('TLS: -k accepts the self-signed certificate; --cacert trusts a CA; a bad --cacert exits 77', async () => {
    const insecure = await run_gdhttp(['-k', `${tls.url}/get`]);
    assert.equal(insecure.code, 0, describe_run(insecure));
    const trusted = await startHttpbin({ tls: fx.valid });
    try {
      const url = `${trusted.url.replace('127.0.0.1', 'localhost')}/get`;
      const withCa = await run_gdhttp(['--cacert', fx.caFile, url]);
      assert.equal(withCa.code, 0, describe_run(withCa));
      const withoutCa = await run_gdhttp([url]);
      assert.equal(withoutCa.code, 35);
    } finally {
      await trusted.close();
    }
    const notPem = join(dir, 'not-a-cert.pem');
    await writeFile(notPem, 'hello');
    const bad = await run_gdhttp(['--cacert', notPem, `${bin.url}/get`]);
    assert.equal(bad.code, 77);
    assert_one_line(bad, /--cacert: .*holds no PEM certificate/);
    const missing = await run_gdhttp(['--cacert', join(dir, 'missing.pem'), `${bin.url}/get`]);
    assert.equal(missing.code, 77);
    assert_one_line(missing, /no such file/);
  });

  const usage: [string, string[], number, RegExp][] = [
    ['an unknown option', ['--frobnicate', 'http://127.0.0.1/'], 2, /unknown option '--frobnicate'/],
    ['a missing URL', [], 2, /missing required argument 'url'/],
    ['two URLs', ['http://127.0.0.1/a', 'http://127.0.0.1/b'], 2, /too many arguments/],
    [
      'a bad number',
      ['--timeout', 'soon', 'http://127.0.0.1/'],
      2,
      /--timeout <seconds>' argument 'soon' is invalid/,
    ],
    ['a negative size', ['--max-size', '-5', 'http://127.0.0.1/'], 2, /--max-size/],
    [
      'a chunk size out of range',
      ['--chunk-size', '100', 'http://127.0.0.1/'],
      2,
      /between 256 and 16777216/,
    ],
    ['an unknown method', ['-X', 'FETCH', 'http://127.0.0.1/'], 2, /Use one of GET, HEAD, POST/],
    ['a header without a name', ['-H', 'no colon here', 'http://127.0.0.1/'], 2, /a header must look like/],
    ['a bad proxy port', ['--proxy', '127.0.0.1:99999', 'http://127.0.0.1/'], 2, /the port must be 1-65535/],
    ['--json with -d', ['--json', '{}', '-d', 'a=1', 'http://127.0.0.1/'], 2, /--json cannot be combined/],
    ['a URL without a scheme', ['example.com/path'], 3, /invalid URL 'example.com\/path'/],
    ['an ftp:// URL', ['ftp://example.com/'], 3, /only http:\/\/ and https:\/\//],
    ['a URL with a bad port', ['http://127.0.0.1:70000/'], 3, /invalid URL/],
  ];
  for (const [name, args, code, pattern] of usage) {
    test(`bad input: ${name} is refused with exit ${code} and a one-line message`, async () => {
      await assert.rejects(run_cli(args, NULL_IO), (error: unknown) => {
        assert.ok(error instanceof CliError, String(error));
        assert.equal(error.exit_code, code);
        assert.match(error.message, pattern);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  }

  test('bad input from a shell: one line on stderr, nothing on stdout, no stack trace', async () => {
    for (const [args, code, pattern] of [
      [['--frobnicate', bin.url], 2, /unknown option '--frobnicate'/],
      [['--max-redirects', 'many', bin.url], 2, /--max-redirects <n>' argument 'many' is invalid/],
      [['example.com/path'], 3, /invalid URL 'example.com\/path'/],
    ] as const) {
      const run = await run_gdhttp(args);
      assert.equal(run.code, code, describe_run(run));
      assert.equal(run.stdout.length, 0);
      assert_one_line(run, pattern);
    }
  });

  test('an unreadable @file exits 26 before anything is sent', async () => {
    const url = `${bin.url}/post?unreadable-file`;
    const run = await run_gdhttp(['--data-binary', `@${join(dir, 'nope.bin')}`, url]);
    assert.equal(run.code, 26, describe_run(run));
    assert_one_line(run, /--data-binary: can't read '.*nope\.bin': no such file or directory/);
    const folder = await run_gdhttp(['-d', `@${dir}`, url]);
    assert.equal(folder.code, 26);
    assert_one_line(folder, /it is a directory/);
    assert.ok(!bin.requests.some((r) => r.url === '/post?unreadable-file'), 'a request was sent');
  });

  test('an output path that cannot be created exits 24 before anything is sent; nothing is left behind', async () => {
    const url = `${bin.url}/get?unusable-output`;
    const missing = await run_gdhttp(['-o', join(dir, 'no-folder', 'x.bin'), url]);
    assert.equal(missing.code, 24, describe_run(missing));
    assert_one_line(missing, /can't write the output file .*the folder .* does not exist/);
    await mkdir(join(dir, 'a-folder'));
    const folder = await run_gdhttp(['-o', join(dir, 'a-folder'), url]);
    assert.equal(folder.code, 24);
    assert_one_line(folder, /it is a directory/);
    assert.ok(!bin.requests.some((r) => r.url === '/get?unusable-output'), 'a request was sent');
    assert.deepEqual(await readdir(join(dir, 'a-folder')), []);
  });

  test(
    'a folder without write permission exits 24',
    { skip: process.getuid?.() === 0 ? 'running as root: permissions are not enforced' : false },
    async () => {
      const locked = join(dir, 'locked');
      await mkdir(locked, { mode: 0o500 });
      const run = await run_gdhttp(['-o', join(locked, 'x.bin'), `${bin.url}/get`]);
      assert.equal(run.code, 24, describe_run(run));
      assert_one_line(run, /no permission/);
    },
  );

  test('a write error (/dev/full) exits 23', async () => {
    const run = await run_gdhttp(['-o', '/dev/full', `${bin.url}/bytes/200000`]);
    assert.equal(run.code, 23, describe_run(run));
    assert_one_line(run, /RESULT_DOWNLOAD_FILE_WRITE_ERROR/);
  });

  test('a failed download keeps the old file and leaves no temporary file', async () => {
    const target = join(dir, 'keep.txt');
    await writeFile(target, 'old contents');
    const run = await run_gdhttp(['--max-size', '100', '-o', target, `${bin.url}/stream-bytes/5000`]);
    assert.equal(run.code, 63, describe_run(run));
    assert.equal(await readFile(target, 'utf8'), 'old contents');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.keep')),
      [],
    );
  });
});
