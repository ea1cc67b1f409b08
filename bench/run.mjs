#!/usr/bin/env node
// gdhttp benchmark runner. See bench/README.md.
//
//   npm run bench -- [--scenarios a,b] [--clients x,y] [--rounds N] [--quick] [--timeout S] [--out NAME]
//   node bench/run.mjs --list
//   --cpu-prof: each run writes bench/results/prof/<scenario>.<client>.r<round>.cpuprofile
//
// Starts a private nginx (bench/scripts/nginx.mjs), then for each round, each scenario and each client (the
// clients' order rotates from round to round) runs bench/lib/child.mjs in a fresh process, which prints one
// JSON line. Writes bench/results/<out>.jsonl (raw lines) and bench/results/<out>.md (the tables, also printed).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, release, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import console from 'node:console';
import { setTimeout, clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASELINE, CLIENTS, SCENARIOS, appliesTo } from './lib/scenarios.mjs';
import { buildReport } from './lib/report.mjs';
import { ensureNginx, prepareFiles, startNginx, OUT_DIR, WWW_DIR } from './scripts/nginx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
if (process.env.BENCH_GDHTTP_MODULE)
  process.env.BENCH_GDHTTP_MODULE = resolve(process.env.BENCH_GDHTTP_MODULE);
const root = dirname(here);

const { values: opts } = parseArgs({
  options: {
    scenarios: { type: 'string' },
    clients: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '300' },
    out: { type: 'string', default: 'latest' },
    list: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opts.help || opts.list) {
  console.log(
    'usage: npm run bench -- [--scenarios a,b] [--clients x,y] [--rounds N] [--quick] [--timeout S] [--out NAME]\n',
  );
  console.log(`scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
  console.log(`clients:   ${Object.keys(CLIENTS).join(', ')}`);
  process.exit(0);
}

function pick(arg, known, what) {
  if (!arg) return Object.keys(known);
  const list = arg
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((s) => !(s in known));
  if (bad.length) {
    console.error(`unknown ${what}: ${bad.join(', ')} (known: ${Object.keys(known).join(', ')})`);
    process.exit(2);
  }
  return list;
}

const scenarios = pick(opts.scenarios, SCENARIOS, 'scenario');
// keep the report's order whatever order they were given in
const clients = Object.keys(CLIENTS).filter((c) => pick(opts.clients, CLIENTS, 'client').includes(c));
const rounds = Number(opts.rounds);
const timeoutMs = Number(opts.timeout) * 1000;
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('--rounds must be a positive integer');
  process.exit(2);
}
if (!clients.includes(BASELINE)) {
  console.error(`note: ${BASELINE} is not among the clients, so there will be no ratios`);
}

function pkgVersion(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function curlVersion() {
  const r = spawnSync('curl', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(' ')[1] : 'not installed';
}

let current = null; // the running child
let nginx = null;
let interrupted = false;

async function shutdown(sig) {
  if (interrupted) return;
  interrupted = true;
  console.error(`\n${sig}: stopping`);
  if (current) {
    try {
      process.kill(current.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (nginx) await nginx.stop();
  process.exit(sig === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', (s) => void shutdown(s));
process.once('SIGTERM', (s) => void shutdown(s));

function runChild(spec) {
  return new Promise((resolve) => {
    const nodeArgs = opts['cpu-prof']
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${join(here, 'results', 'prof')}`,
          `--cpu-prof-name=${spec.scenario}.${spec.client.replace(/[^a-z0-9.-]/gi, '_')}.r${spec.round}.cpuprofile`,
        ]
      : [];
    if (process.env.BENCH_DEBUG)
      console.error(`node ${nodeArgs.join(' ')} bench/lib/child.mjs '${JSON.stringify(spec)}'`);
    const child = spawn(
      process.execPath,
      [...nodeArgs, join(here, 'lib', 'child.mjs'), JSON.stringify(spec)],
      {
        cwd: here,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: spec.caPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    current = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      current = null;
      const base = { scenario: spec.scenario, client: spec.client, round: spec.round };
      const last = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{"scenario"'));
      let line = null;
      try {
        line = last ? JSON.parse(last) : null;
      } catch {
        line = null;
      }
      if (timedOut) line = { ...base, ok: false, error: `timed out after ${timeoutMs / 1000} s` };
      else if (!line) {
        const why = stderr.trim().split('\n').slice(-3).join(' / ');
        line = { ...base, ok: false, error: `exited with ${code ?? signal} without a result: ${why}` };
      }
      if (!line.ok && stderr.trim() && process.env.BENCH_DEBUG) process.stderr.write(stderr);
      resolve(line);
    });
  });
}

function describe(l, baseMs) {
  if (!l.ok) return `FAILED: ${l.error}`;
  let s = `${l.ms.toFixed(1)} ms`;
  if (l.lagP99 !== undefined) s += `, p99 lag ${l.lagP99.toFixed(2)} ms`;
  if (l.slowdownPct !== undefined) s += ` at 10 fps (unlimited ${l.msUnlimited.toFixed(1)} ms)`;
  s += `, peak RSS ${l.peakRssMB.toFixed(0)} MB`;
  if (baseMs && l.client !== BASELINE) s += `, ratio ${(baseMs / l.ms).toFixed(2)}`;
  return s;
}

const t0 = Date.now();
const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const jsonlPath = join(resultsDir, `${opts.out}.jsonl`);
const mdPath = join(resultsDir, `${opts.out}.md`);
writeFileSync(jsonlPath, '');
const lines = [];
let exitCode = 0;
try {
  const bin = ensureNginx();
  const { files, textGzSize } = prepareFiles({ quick: opts.quick });
  nginx = await startNginx({ bin, hookSignals: false });
  console.error(
    `nginx ${nginx.version} pid ${nginx.pid} on 127.0.0.1:${nginx.httpPort} (http) and :${nginx.httpsPort} (https), config ${nginx.confPath}`,
  );
  const common = {
    base: { http: `http://127.0.0.1:${nginx.httpPort}/`, https: `https://127.0.0.1:${nginx.httpsPort}/` },
    caPath: nginx.caPath,
    outDir: OUT_DIR,
    wwwDir: WWW_DIR,
    files,
    textGzSize,
  };
  const plan = [];
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      const cs = clients.filter((c) => appliesTo(scenario, c));
      const k = (round - 1) % Math.max(cs.length, 1);
      for (const client of [...cs.slice(k), ...cs.slice(0, k)]) plan.push({ round, scenario, client });
    }
  }
  console.error(
    `${plan.length} runs: ${rounds} round(s) × ${scenarios.join(', ')} × ${clients.length} client(s)`,
  );
  let i = 0;
  for (const step of plan) {
    i++;
    if (step.round === 2 && plan[i - 2].round === 1) {
      const perRound = (Date.now() - t0) / 60000;
      console.error(
        `round 1 took ${perRound.toFixed(1)} min: about ${(perRound * rounds).toFixed(0)} min in all`,
      );
    }
    const line = await runChild({ ...common, ...step });
    lines.push(line);
    appendFileSync(jsonlPath, `${JSON.stringify(line)}\n`);
    const base = lines.find(
      (l) => l.ok && l.client === BASELINE && l.round === step.round && l.scenario === step.scenario,
    );
    const elapsed = ((Date.now() - t0) / 1000).toFixed(0);
    console.error(
      `[${i}/${plan.length} ${elapsed}s] r${step.round} ${step.scenario} ${step.client}: ${describe(line, base?.ms)}`,
    );
  }
  const meta = {
    date: new Date().toISOString(),
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: (totalmem() / 2 ** 30).toFixed(0),
    os: `${platform()} ${release()}`,
    node: process.version,
    fetchUndici: process.versions.undici ?? 'unknown',
    undici: pkgVersion(join(here, 'node_modules', 'undici')),
    gdhttp: pkgVersion(root),
    gdhttpUndici: pkgVersion(join(root, 'node_modules', 'undici')),
    axios: pkgVersion(join(here, 'node_modules', 'axios')),
    got: pkgVersion(join(here, 'node_modules', 'got')),
    nodeFetch: pkgVersion(join(here, 'node_modules', 'node-fetch')),
    ky: pkgVersion(join(here, 'node_modules', 'ky')),
    curl: curlVersion(),
    nginx: nginx.version,
    rounds,
    quick: opts.quick,
    bigSize: files.big.size,
    frameSize: files.frame.size,
    wallMin: ((Date.now() - t0) / 60000).toFixed(1),
    fakeGdhttp: process.env.BENCH_GDHTTP_MODULE ?? null,
  };
  const md = buildReport(lines, meta);
  writeFileSync(mdPath, md);
  console.log(md);
  console.error(`wrote ${mdPath} and ${jsonlPath}`);
  const failed = lines.filter((l) => !l.ok).length;
  if (failed) {
    console.error(`${failed} run(s) failed: see the Failures section`);
    exitCode = 1;
  }
} catch (e) {
  console.error(e?.stack ?? e);
  exitCode = 1;
} finally {
  if (nginx) await nginx.stop();
}
process.exit(exitCode);
