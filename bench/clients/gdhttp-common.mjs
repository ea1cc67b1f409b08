// Loads gdhttp (bench/node_modules/gdhttp -> the repository root, its dist/ build) with a clear message when it is
// not there yet, and the HTTPRequest-node session used by gdhttp-request and gdhttp-request-threads.
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { headerFromLines } from '../lib/util.mjs';

export async function loadGdhttp(names = ['SceneTree', 'HTTPRequest', 'HTTPClient', 'OK']) {
  let g;
  try {
    // BENCH_GDHTTP_MODULE: another module with gdhttp's API (bench/lib/fake-gdhttp.mjs tests the harness)
    const override = process.env.BENCH_GDHTTP_MODULE;
    g = await import(override ? pathToFileURL(resolve(override)).href : 'gdhttp');
  } catch (e) {
    const first = String(e?.message ?? e).split('\n')[0];
    throw new Error(
      `gdhttp cannot be imported (${first}). Build it with \`npm run build\` at the root, then \`npm --prefix bench ci\`.`,
    );
  }
  const missing = names.filter((k) => g[k] === undefined);
  if (missing.length > 0) throw new Error(`gdhttp does not export ${missing.join(', ')} yet`);
  return g;
}

/** Starts the scene tree's main loop when gdhttp has one to start (tree.run()), and returns a stopper. */
export function runTree(tree) {
  let running = null;
  if (typeof tree.run === 'function') {
    running = Promise.resolve()
      .then(() => tree.run())
      .catch((e) => {
        process.stderr.write(`tree.run() failed: ${e?.stack ?? e}\n`);
      });
  }
  return async () => {
    if (typeof tree.quit === 'function') tree.quit();
    if (running) await Promise.race([running, sleep(2000)]);
  };
}

/** An HTTPRequest-node session: one node per lane, all in one SceneTree. */
export async function openRequestSession({ useThreads }) {
  const g = await loadGdhttp();
  const tree = new g.SceneTree();
  const stopTree = runTree(tree);

  async function perform(node, url, file) {
    node.download_file = file ?? '';
    const done = node.request_completed.as_promise();
    const err = node.request(url, [], true, g.HTTPClient.METHOD_GET, '');
    if (err !== g.OK) throw new Error(`HTTPRequest.request() returned Error ${err}`);
    const [result, code, headers, body] = await done;
    if (result !== 0)
      throw new Error(`request_completed with result ${result} (HTTPRequest.Result), code ${code}`);
    return { status: code, encoding: headerFromLines(headers, 'content-encoding'), body };
  }

  function newNode() {
    const node = new g.HTTPRequest();
    tree.root.add_child(node);
    node.use_threads = useThreads;
    return node;
  }

  return {
    gdhttp: g,
    tree,
    lane() {
      const node = newNode();
      return {
        get: (url) => perform(node, url, ''),
        async toFile(url, file) {
          const r = await perform(node, url, file);
          node.download_file = '';
          return r;
        },
      };
    },
    /** frame-rate: one download with the tree at `fps` frames/s (0 = unlimited), counting _process calls. */
    async frameRun(url, fps) {
      if (g.Node === undefined) throw new Error('gdhttp does not export Node yet');
      class Ticker extends g.Node {
        frames = 0;
        _process() {
          this.frames++;
        }
      }
      const ticker = new Ticker();
      tree.root.add_child(ticker);
      ticker.set_process(true);
      const node = newNode();
      tree.target_fps = fps;
      const f0 = ticker.frames;
      const t0 = performance.now();
      const r = await perform(node, url, '');
      const ms = performance.now() - t0;
      const frames = ticker.frames - f0;
      tree.target_fps = 0;
      tree.root.remove_child(ticker);
      tree.root.remove_child(node);
      return { ...r, ms, frames };
    },
    async close() {
      await stopTree();
    },
  };
}
