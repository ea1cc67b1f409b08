import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { largePatternBytes, seededBytes, startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { describe_run, run_gdhttp } from './run-gdhttp.js';

interface Echo {
  headers: Record<string, string>;
  data: string;
  json: unknown;
  method: string;
  form: Record<string, string>;
}

function echo(stdout: Buffer): Echo {
  return JSON.parse(stdout.toString()) as Echo;
}

describe('gdhttp: requests and output', { concurrency: 2 }, () => {
  let bin: Httpbin;
  let dir: string;

  before(async () => {
    bin = await startHttpbin();
    dir = await mkdtemp(join(tmpdir(), 'gdhttp-cli-'));
  });
  after(async () => {
    await bin.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('writes the exact body bytes to stdout, nothing on stderr, and exits 0', async () => {
    const run = await run_gdhttp([`${bin.url}/bytes/70000?seed=7`]);
    assert.equal(run.code, 0, describe_run(run));
    assert.ok(run.stdout.equals(seededBytes(70000, 7)), 'body bytes differ');
    assert.equal(run.stderr, '');
  });

  test('-i prints the status line and headers before the body; a 404 still exits 0 without --fail', async () => {
    const run = await run_gdhttp(['-i', `${bin.url}/status/404`]);
    assert.equal(run.code, 0, describe_run(run));
    const text = run.stdout.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(text, /\r\nContent-Length: 0\r\n/);
    assert.ok(text.endsWith('\r\n\r\n'));
  });

  test('-X, repeated -H and the default User-Agent reach the server', async () => {
    const run = await run_gdhttp(['-X', 'put', '-H', 'X-One: 1', '-H', 'X-Two: two', `${bin.url}/anything`]);
    assert.equal(run.code, 0, describe_run(run));
    const got = echo(run.stdout);
    assert.equal(got.method, 'PUT');
    assert.equal(got.headers['X-One'], '1');
    assert.equal(got.headers['X-Two'], 'two');
    assert.match(got.headers['User-Agent'] ?? '', /^gdhttp\//);
  });

  test('-d sends a form POST (repeated -d joined with &, @file without newlines)', async () => {
    const file = join(dir, 'form.txt');
    await writeFile(file, 'c=3\n');
    const run = await run_gdhttp(['-d', 'a=1', '-d', 'b=2', '-d', `@${file}`, `${bin.url}/post`]);
    assert.equal(run.code, 0, describe_run(run));
    const got = echo(run.stdout);
    assert.equal(got.method, 'POST');
    assert.equal(got.data, 'a=1&b=2&c=3');
    assert.equal(got.headers['Content-Type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(got.form, { a: '1', b: '2', c: '3' });
  });

  test('--data-binary @file sends the file byte for byte; @- reads stdin', async () => {
    const bytes = seededBytes(5000, 3);
    const file = join(dir, 'payload.bin');
    await writeFile(file, bytes);
    const fromFile = await run_gdhttp([
      '--data-binary',
      `@${file}`,
      '-H',
      'Content-Type: application/octet-stream',
      `${bin.url}/post`,
    ]);
    assert.equal(fromFile.code, 0, describe_run(fromFile));
    assert.ok(
      bin.requests.some((r) => r.body.equals(bytes)),
      'the server did not get the file bytes',
    );
    const fromStdin = await run_gdhttp(['--data-binary', '@-', `${bin.url}/post`], { input: 'from stdin\n' });
    assert.equal(echo(fromStdin.stdout).data, 'from stdin\n');
  });

  test('--json sends JSON with Content-Type and Accept: application/json', async () => {
    const run = await run_gdhttp(['--json', '{"name":"Godette"}', `${bin.url}/post`]);
    assert.equal(run.code, 0, describe_run(run));
    const got = echo(run.stdout);
    assert.deepEqual(got.json, { name: 'Godette' });
    assert.equal(got.headers['Content-Type'], 'application/json');
    assert.equal(got.headers['Accept'], 'application/json');
  });

  test('-o writes the body to a file (download_file), nothing to stdout, no temporary file left', async () => {
    const target = join(dir, 'large.bin');
    const run = await run_gdhttp(['-o', target, '--chunk-size', '4K', `${bin.url}/large/300000`]);
    assert.equal(run.code, 0, describe_run(run));
    assert.equal(run.stdout.length, 0);
    assert.ok((await readFile(target)).equals(largePatternBytes(300000)));
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes('gdhttp')),
      [],
    );
  });

  test('--threads runs the request in a worker and gives the same bytes', async () => {
    const run = await run_gdhttp(['--threads', `${bin.url}/bytes/20000?seed=9`]);
    assert.equal(run.code, 0, describe_run(run));
    assert.ok(run.stdout.equals(seededBytes(20000, 9)));
  });

  test('gzip is decoded by default; --no-compressed sends no Accept-Encoding', async () => {
    const decoded = await run_gdhttp([`${bin.url}/gzip`]);
    assert.equal((JSON.parse(decoded.stdout.toString()) as { gzipped: boolean }).gzipped, true);
    const raw = await run_gdhttp(['--no-compressed', `${bin.url}/headers`]);
    const headers = (JSON.parse(raw.stdout.toString()) as { headers: Record<string, string> }).headers;
    assert.equal(headers['Accept-Encoding'], undefined);
    // With an explicit Accept-Encoding and --no-compressed the gzip bytes arrive untouched.
    const gz = await run_gdhttp(['--no-compressed', '-H', 'Accept-Encoding: gzip', `${bin.url}/gzip`]);
    assert.equal((JSON.parse(gunzipSync(gz.stdout).toString()) as { gzipped: boolean }).gzipped, true);
  });

  test('redirects are followed; --max-redirects 1 stops a chain of 3 with exit 47', async () => {
    const followed = await run_gdhttp([`${bin.url}/redirect/3`]);
    assert.equal(followed.code, 0, describe_run(followed));
    assert.equal(echo(followed.stdout).method, 'GET');
    const stopped = await run_gdhttp(['--max-redirects', '1', `${bin.url}/redirect/3`]);
    assert.equal(stopped.code, 47, describe_run(stopped));
    assert.equal(stopped.stdout.length, 0);
    assert.match(stopped.stderr, /^gdhttp: .*too many redirects.*RESULT_REDIRECT_LIMIT_REACHED/);
  });

  test('--max-size over the Content-Length exits 63 and writes no file', async () => {
    const target = join(dir, 'limited.bin');
    const run = await run_gdhttp(['--max-size', '1K', '-o', target, `${bin.url}/bytes/5000`]);
    assert.equal(run.code, 63, describe_run(run));
    await assert.rejects(readFile(target), { code: 'ENOENT' });
  });

  test('--timeout exits 28 after about the given time', async () => {
    const run = await run_gdhttp(['--timeout', '0.5', `${bin.url}/delay/10`]);
    assert.equal(run.code, 28, describe_run(run));
    assert.match(run.stderr, /timed out/);
    assert.equal(run.timed_out, false);
  });

  test('--fail: status >= 400 exits 22 with no body on stdout and no output file', async () => {
    const piped = await run_gdhttp(['--fail', `${bin.url}/status/500`]);
    assert.equal(piped.code, 22, describe_run(piped));
    assert.equal(piped.stdout.length, 0);
    assert.equal(
      piped.stderr,
      `gdhttp: ${bin.url}/status/500: the server answered 500 Internal Server Error (--fail)\n`,
    );
    const target = join(dir, 'failed.html');
    const toFile = await run_gdhttp(['--fail', '-o', target, `${bin.url}/status/404`]);
    assert.equal(toFile.code, 22);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes('failed')),
      [],
    );
    const ok = await run_gdhttp(['--fail', '-o', join(dir, 'ok.json'), `${bin.url}/get`]);
    assert.equal(ok.code, 0, describe_run(ok));
    assert.equal(echo(await readFile(join(dir, 'ok.json'))).method, 'GET');
  });

  test('--json-output prints one JSON object with result, code, headers, size, path and timings', async () => {
    const target = join(dir, 'report.bin');
    const run = await run_gdhttp(['--json-output', '-o', target, `${bin.url}/bytes/1234`]);
    assert.equal(run.code, 0, describe_run(run));
    const report = JSON.parse(run.stdout.toString()) as Record<string, unknown>;
    assert.equal(report['result'], 0);
    assert.equal(report['result_name'], 'RESULT_SUCCESS');
    assert.equal(report['response_code'], 200);
    assert.ok((report['headers'] as string[]).includes('Content-Length: 1234'));
    assert.equal(report['body_size'], 1234);
    assert.equal(report['download_file'], target);
    assert.equal(report['exit_code'], 0);
    assert.equal(typeof (report['timings'] as { total: unknown }).total, 'number');
    const failed = await run_gdhttp(['--json-output', '--max-redirects', '0', `${bin.url}/redirect/1`]);
    assert.equal(failed.code, 47);
    const failure = JSON.parse(failed.stdout.toString()) as Record<string, unknown>;
    assert.equal(failure['result_name'], 'RESULT_REDIRECT_LIMIT_REACHED');
    assert.equal(failure['response_code'], 302);
  });

  test('--help and --version print to stdout and exit 0', async () => {
    const help = await run_gdhttp(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout.toString(), /Usage: gdhttp URL \[options\]/);
    assert.match(help.stdout.toString(), /--max-redirects <n>/);
    assert.match(help.stdout.toString(), /28 timeout/);
    const version = await run_gdhttp(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.match(version.stdout.toString(), new RegExp(`^gdhttp ${pkg.version.replace(/\./g, '\\.')} `));
  });
});
