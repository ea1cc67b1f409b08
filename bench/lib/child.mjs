// One measurement: runs one (scenario, client, round) in this fresh process and prints one JSON line.
// Every response is checked (status 200 and the exact byte count, and for the big bodies the first and last
// 64 KiB against the served file): a wrong answer makes the line ok:false instead of producing a figure.
//
//   node bench/lib/child.mjs '<json spec>'     (spawned by bench/run.mjs)
import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { CLIENTS, SCENARIOS } from './scenarios.mjs';
import { byteLengthOf, bytesOf } from './util.mjs';

const spec = JSON.parse(process.argv[2]);
const { scenario, client, round, files } = spec;
const MiB = 1024 * 1024;
const url = (path, https = false) => `${https ? spec.base.https : spec.base.http}${path}`;

function check(r, expect, what) {
  if (r.status !== 200) throw new Error(`${what}: status ${r.status}, expected 200`);
  const n = byteLengthOf(r.body);
  if (n !== expect) throw new Error(`${what}: body of ${n} bytes, expected ${expect}`);
  return n;
}

/** Compares the first and last 64 KiB of a body (or of a file) with the served file. */
function checkEdges(name, size, readAt) {
  const src = openSync(join(spec.wwwDir, name), 'r');
  try {
    const len = Math.min(65536, size);
    for (const pos of [0, size - len]) {
      const want = Buffer.alloc(len);
      readSync(src, want, 0, len, pos);
      const have = readAt(pos, len);
      if (!want.equals(have)) throw new Error(`content differs from ${name} at offset ${pos}`);
    }
  } finally {
    closeSync(src);
  }
}

function checkFile(file, name, size) {
  const got = statSync(file).size;
  if (got !== size) throw new Error(`file of ${got} bytes, expected ${size}`);
  const fd = openSync(file, 'r');
  try {
    checkEdges(name, size, (pos, len) => {
      const b = Buffer.alloc(len);
      readSync(fd, b, 0, len, pos);
      return b;
    });
  } finally {
    closeSync(fd);
  }
}

const rssMB = () => process.memoryUsage().rss / MiB;
const peakMB = () => process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB

/** Many requests of one URL over `conc` lanes (a lane = one connection / one HTTPRequest node). */
async function countRun(session, { path, n, conc, warm, gzip, expect, expectWire, https = false }) {
  const u = url(path, https);
  if (session.batch) {
    const t0 = performance.now();
    const r = await session.batch({ url: u, n, conc, gzip, mode: 'memory', expectBytes: expect, expectWire });
    return {
      ms: performance.now() - t0,
      bytes: r.bytes,
      requests: r.requests,
      gzipped: r.gzipped,
      peakRssMB: r.peakRssMB,
    };
  }
  const lanes = Array.from({ length: conc }, () => session.lane());
  await Promise.all(
    lanes.map(async (lane) => {
      for (let i = 0; i < warm; i++) check(await lane.get(u, { gzip }), expect, 'warm-up');
    }),
  );
  let next = 0;
  let bytes = 0;
  let gzipped = 0;
  const rssStartMB = rssMB();
  const t0 = performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      while (next < n) {
        next++;
        const r = await lane.get(u, { gzip });
        bytes += check(r, expect, path);
        if (r.encoding === 'gzip') gzipped++;
      }
    }),
  );
  return { ms: performance.now() - t0, bytes, requests: n, gzipped, rssStartMB };
}

async function warmUp(session, https) {
  if (session.batch) return;
  const lane = session.lane();
  check(await lane.get(url(files.rand1m.name, https)), files.rand1m.size, 'warm-up');
  return lane;
}

async function bigMem(session, https) {
  const { name, size } = files.big;
  if (session.batch) {
    const t0 = performance.now();
    const r = await session.batch({ url: url(name, https), n: 1, conc: 1, mode: 'memory', expectWire: size });
    return {
      ms: performance.now() - t0,
      bytes: r.bytes,
      requests: 1,
      peakRssMB: r.peakRssMB,
      note: 'discarded',
    };
  }
  const lane = await warmUp(session, https);
  const rssStartMB = rssMB();
  const t0 = performance.now();
  const r = await lane.get(url(name, https));
  const ms = performance.now() - t0;
  const bytes = check(r, size, name);
  const view = bytesOf(r.body);
  checkEdges(name, size, (pos, len) => Buffer.from(view.buffer, view.byteOffset + pos, len));
  return { ms, bytes, requests: 1, rssStartMB };
}

async function bigFile(session, { https = false, lag = false } = {}) {
  const { name, size } = files.big;
  const file = join(spec.outDir, `${client.replace(/[^a-z0-9.-]/gi, '_')}-${process.pid}.bin`);
  try {
    if (session.batch) {
      const t0 = performance.now();
      const r = await session.batch({
        url: url(name, https),
        n: 1,
        conc: 1,
        mode: 'file',
        file,
        expectWire: size,
      });
      const ms = performance.now() - t0;
      checkFile(file, name, size);
      return { ms, bytes: size, requests: 1, peakRssMB: r.peakRssMB };
    }
    const lane = await warmUp(session, https);
    const h = lag ? monitorEventLoopDelay({ resolution: 1 }) : null;
    const rssStartMB = rssMB();
    h?.enable();
    const t0 = performance.now();
    const r = await lane.toFile(url(name, https), file);
    const ms = performance.now() - t0;
    h?.disable();
    if (r.status !== 200) throw new Error(`${name}: status ${r.status}`);
    checkFile(file, name, size);
    const out = { ms, bytes: size, requests: 1, rssStartMB };
    if (h) {
      out.lagP99 = h.percentile(99) / 1e6;
      out.lagP50 = h.percentile(50) / 1e6;
      out.lagMax = h.max / 1e6;
      out.lagMean = h.mean / 1e6;
    }
    return out;
  } finally {
    rmSync(file, { force: true });
  }
}

async function frameRate(session) {
  if (!session.frameRun) throw new Error(`${client} has no scene tree to run frame-rate with`);
  const { name, size } = files.frame;
  await warmUp(session, false);
  // alternate which goes first by round, so neither always runs on a cold process
  const order = round % 2 === 0 ? [0, 10] : [10, 0];
  const runs = {};
  for (const fps of order) {
    const r = await session.frameRun(url(name), fps);
    check(r, size, `${name} at ${fps || 'unlimited'} fps`);
    runs[fps] = r;
  }
  const ms = runs[10].ms;
  const msUnlimited = runs[0].ms;
  return {
    ms,
    msUnlimited,
    slowdownPct: (ms / msUnlimited - 1) * 100,
    fps10Observed: runs[10].frames / (ms / 1000),
    framesUnlimited: runs[0].frames,
    bytes: size * 2,
    requests: 2,
  };
}

const RUNNERS = {
  'small-seq': (s) =>
    countRun(s, {
      path: files.json1k.name,
      n: 2000,
      conc: 1,
      warm: 1000,
      expect: files.json1k.size,
      expectWire: files.json1k.size,
    }),
  'small-conc': (s) =>
    countRun(s, {
      path: files.json1k.name,
      n: 10000,
      conc: 50,
      warm: 4,
      expect: files.json1k.size,
      expectWire: files.json1k.size,
    }),
  'gzip-seq': (s) =>
    countRun(s, {
      path: `gz/${files.text1m.name}`,
      n: 200,
      conc: 1,
      warm: 5,
      gzip: true,
      expect: files.text1m.size,
      expectWire: spec.textGzSize,
    }),
  'big-mem': (s) => bigMem(s, false),
  'big-file': (s) => bigFile(s),
  'big-mem-https': (s) => bigMem(s, true),
  'frame-rate': (s) => frameRate(s),
  'main-loop-lag': (s) => bigFile(s, { https: true, lag: true }),
};

async function main() {
  if (!SCENARIOS[scenario] || !RUNNERS[scenario]) throw new Error(`unknown scenario ${scenario}`);
  if (!CLIENTS[client]) throw new Error(`unknown client ${client}`);
  const mod = (await import(`../clients/${CLIENTS[client]}`)).default;
  const session = await mod.open({ caPath: spec.caPath, outDir: spec.outDir });
  try {
    return await RUNNERS[scenario](session);
  } finally {
    await session.close();
  }
}

let line;
let code = 0;
try {
  const r = await main();
  line = { scenario, client, round, ok: true, ...r };
  line.peakRssMB ??= peakMB();
  line.harnessPeakRssMB = peakMB();
} catch (e) {
  code = 1;
  line = { scenario, client, round, ok: false, error: String(e?.message ?? e).slice(0, 600) };
  if (process.env.BENCH_DEBUG) process.stderr.write(`${e?.stack ?? e}\n`);
}
for (const k of Object.keys(line))
  if (typeof line[k] === 'number') line[k] = Math.round(line[k] * 1000) / 1000;
process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(code));
