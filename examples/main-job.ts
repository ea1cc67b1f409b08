/**
 * What `npm start` runs: a guided tour of gdhttp on this machine, with no Internet needed.
 *
 * 1. Starts the embedded httpbin-like test server on 127.0.0.1.
 * 2. Runs the class reference's two HTTPRequest examples through SceneTree nodes: the REST GET (printing the
 *    User-Agent the server saw; the POST on the busy node is refused with ERR_BUSY, as the reference warns),
 *    then that POST again once the node is free (printing the JSON the server echoed), then the image download
 *    (printing the decoded PNG's width and height).
 * 3. Downloads a generated 64 MiB body with the `gdhttp` command and its progress bar, and checks the file.
 *
 * Exits 0 when every step worked. Run: npm start (builds dist/ first), or node --import tsx examples/main-job.ts
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HTTPClient,
  HTTPRequest,
  OK,
  SceneTree,
  error_name,
  print,
  result_name,
  to_json,
} from '../src/index.js';
import { startHttpbin, type Httpbin } from '../test/servers/httpbin.js';
import { Main as LoadImage } from './load-image.js';
import { Main as RestRequest } from './rest-request.js';

const DOWNLOAD_BYTES = 64 * 1024 * 1024;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function say(text: string): void {
  print('');
  print(text);
}

function fail(text: string): never {
  throw new Error(text);
}

async function rest_example(tree: SceneTree, server: Httpbin): Promise<void> {
  say(`Step 2. The reference's first example: a GET to ${server.url}/get, then a POST on the same node.`);
  const main = new RestRequest(server.url);
  tree.root.add_child(main); // _ready(): the GET starts; the POST is refused because the node is busy.
  const http = main.http_request ?? fail('the example made no HTTPRequest node');
  const [result, code] = await http.request_completed.as_promise();
  if (result !== HTTPRequest.RESULT_SUCCESS) fail(`the GET failed: ${result_name(result) ?? result}`);
  print(
    `  -> The GET finished with HTTP ${code}. The server saw this User-Agent: ${main.response?.headers['User-Agent']}`,
  );
  if (main.post_error !== OK) {
    print(
      `  -> The POST made during the GET got ${error_name(main.post_error) ?? main.post_error}, as the reference warns` +
        ' (the two ERROR lines on stderr are the messages Godot prints for it).',
    );
  }

  say('Step 3. The POST again, now that the node is free (the right way: one request at a time per node).');
  const error = http.request(
    `${server.url}/post`,
    ['Content-Type: application/json'],
    true,
    HTTPClient.METHOD_POST,
    to_json({ name: 'Godette' }),
  );
  if (error !== OK) fail(`request() refused the POST: ${error_name(error) ?? error}`);
  const [postResult, postCode] = await http.request_completed.as_promise();
  if (postResult !== HTTPRequest.RESULT_SUCCESS)
    fail(`the POST failed: ${result_name(postResult) ?? postResult}`);
  print(
    `  -> The POST finished with HTTP ${postCode}. The server echoed the JSON it received: ${to_json(main.response?.json)}`,
  );
  main.queue_free();
}

async function image_example(tree: SceneTree, server: Httpbin): Promise<void> {
  say(`Step 4. The reference's second example: download ${server.url}/image/png and decode it.`);
  const main = new LoadImage(server.url);
  tree.root.add_child(main);
  const http = main.get_child(0);
  if (!(http instanceof HTTPRequest)) fail('the example made no HTTPRequest node');
  await http.request_completed.as_promise();
  const image = main.texture_rect?.texture ?? fail('the image was not decoded');
  print(`  -> Decoded with pngjs: ${image.width} pixels wide and ${image.height} pixels high.`);
  main.queue_free();
}

/** The command to run `gdhttp`: the built one from dist/, or (before a build) its TypeScript source. */
function gdhttp_command(): { args: string[]; note: string } {
  const built = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(built)) return { args: [built], note: 'node dist/cli/main.js' };
  return {
    args: ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')],
    note: 'node --import tsx src/cli/main.ts (dist/ is not built yet; `npm start` builds it)',
  };
}

/** Checks the downloaded file: right size, and byte i is i % 251 (the server's pattern) at a few places. */
async function check_download(path: string): Promise<void> {
  const size = (await stat(path)).size;
  if (size !== DOWNLOAD_BYTES) fail(`the file has ${size} bytes, expected ${DOWNLOAD_BYTES}`);
  const file = await open(path, 'r');
  try {
    for (const offset of [0, 1, 250, 251, 12_345_678, DOWNLOAD_BYTES - 1]) {
      const { buffer } = await file.read(Buffer.alloc(1), 0, 1, offset);
      if (buffer[0] !== offset % 251) fail(`byte ${offset} of the file is wrong`);
    }
  } finally {
    await file.close();
  }
}

async function cli_download(server: Httpbin): Promise<void> {
  const url = `${server.url}/large/${DOWNLOAD_BYTES}`;
  const folder = await mkdtemp(join(tmpdir(), 'gdhttp-main-job-'));
  const target = join(folder, 'large.bin');
  const { args, note } = gdhttp_command();
  say(`Step 5. The gdhttp command downloads 64 MiB into a temporary file: gdhttp ${url} -o ${target}`);
  print(`  (running it as: ${note})`);
  if (process.stderr.isTTY !== true) print('  (the progress bar appears only when stderr is a terminal)');
  try {
    const started = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...args, url, '-o', target], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve(exitCode));
    });
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) fail(`gdhttp exited with code ${code}`);
    await check_download(target);
    const rate = DOWNLOAD_BYTES / 1024 / 1024 / seconds;
    print(
      `  -> gdhttp exited with 0 after ${seconds.toFixed(1)} s (${rate.toFixed(0)} MiB/s); the file has the right size and bytes.`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  print("gdhttp: a tour of Godot's HTTPRequest node running on Node.js, against a server on this machine.");
  say('Step 1. Starting the local test server (an httpbin.org look-alike) on 127.0.0.1.');
  const server = await startHttpbin();
  print(`  -> It is listening at ${server.url}.`);
  const tree = new SceneTree();
  try {
    await rest_example(tree, server);
    await image_example(tree, server);
    await cli_download(server);
  } finally {
    tree.free();
    await server.close();
  }
  say('All done: both examples ran and the gdhttp command worked. Try it yourself: npx gdhttp --help');
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`\nThe tour stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
