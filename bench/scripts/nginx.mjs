#!/usr/bin/env node
// The benchmark's web server: a private nginx on 127.0.0.1, started and stopped by PID.
//
//   node bench/scripts/nginx.mjs [--quick]   install if missing, generate the files, start nginx, print the
//                                            ports, and hold it until Ctrl-C (then stop it by its PID)
//
// bench/run.mjs imports ensureNginx / prepareFiles / startNginx from here.
//
// Nothing here touches the system nginx service: nginx runs with its own config, prefix and pid file in a
// private temporary folder (`nginx -c <dir>/nginx.conf -p <dir>`), in the foreground (daemon off) as a child of
// this process, and is stopped by the PID it was started with, also on error and on SIGINT/SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import console from 'node:console';
import { setTimeout as sleep } from 'node:timers/promises';
import { setInterval } from 'node:timers';
import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = '/dev/shm/gdhttp-bench';
export const WWW_DIR = join(DATA_DIR, 'www');
export const OUT_DIR = join(DATA_DIR, 'out');

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Files served under / (name -> size). The big ones depend on the mode. */
export function fileSet({ quick }) {
  const files = {
    json1k: { name: 'small.json', size: KiB },
    text1m: { name: 'text-1m.txt', size: MiB },
    rand1m: { name: 'rand-1m.bin', size: MiB },
    rand100m: { name: 'rand-100m.bin', size: 100 * MiB },
  };
  if (quick) {
    files.big = { name: 'rand-64m.bin', size: 64 * MiB };
    files.frame = files.big;
  } else {
    files.big = { name: 'rand-1g.bin', size: GiB };
    files.frame = { name: 'rand-256m.bin', size: 256 * MiB };
  }
  return files;
}

function log(msg) {
  process.stderr.write(`[nginx] ${msg}\n`);
}

function findNginx() {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(p)) return p;
  }
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}

/** Returns the nginx binary, installing it from Debian (apt-get update once, then nginx-light or nginx). */
export function ensureNginx() {
  let bin = findNginx();
  if (bin) return bin;
  if (!existsSync('/usr/bin/apt-get')) throw new Error('nginx is not installed and apt-get is not available');
  log('nginx not found: installing it from Debian (apt-get update, apt-get install nginx-light)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (run(['update']).status !== 0) throw new Error('apt-get update failed');
  if (run(['install', '-y', '--no-install-recommends', 'nginx-light']).status !== 0) {
    log('nginx-light is not available: installing nginx');
    if (run(['install', '-y', '--no-install-recommends', 'nginx']).status !== 0) {
      throw new Error('apt-get install nginx failed');
    }
  }
  bin = findNginx();
  if (!bin) throw new Error('nginx still not found after apt-get install');
  return bin;
}

export function nginxVersion(bin) {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  const m = /nginx\/(\S+)/.exec(`${r.stderr}${r.stdout}`);
  return m ? m[1] : 'unknown';
}

/** Deterministic English-like text, so gzip sees a realistic ratio (about 3:1). */
function makeText(size) {
  const words = (
    'the of and to in is was for that on as with by he at from his an were are which this be has or had ' +
    'not but first one their its new after who they have her she two been other when there all during into ' +
    'school time may years more most only over city some world would where later up such used many can ' +
    'state about national out known university united then made game engine node request signal frame ' +
    'scene tree thread download body header chunk buffer client server response status connection'
  ).split(' ');
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const parts = [];
  let len = 0;
  let sentence = 0;
  while (len < size) {
    let w = words[Math.floor(rand() * words.length)];
    if (sentence === 0) w = w[0].toUpperCase() + w.slice(1);
    sentence++;
    const end = sentence > 8 && rand() < 0.12;
    if (end) sentence = 0;
    const piece = w + (end ? (rand() < 0.2 ? '.\n' : '. ') : ' ');
    parts.push(piece);
    len += piece.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

function makeJson(size) {
  const base = { id: 42, name: 'gdhttp-bench', ok: true, tags: ['godot', 'http', 'bench'], pad: '' };
  const empty = Buffer.byteLength(JSON.stringify(base)) + 1; // + trailing newline
  base.pad = 'x'.repeat(size - empty);
  const out = Buffer.from(`${JSON.stringify(base)}\n`);
  if (out.length !== size) throw new Error('json size mismatch');
  return out;
}

function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function writeRandom(path, size) {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const block = Buffer.allocUnsafe(Math.min(size, 16 * MiB));
    for (let left = size; left > 0;) {
      const n = Math.min(left, block.length);
      randomFillSync(block, 0, n);
      let off = 0;
      while (off < n) off += writeSync(fd, block, off, n - off);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Creates (or reuses, when present with the right size) the served files in /dev/shm.
 * Returns { files, textGzSize }.
 */
export function prepareFiles({ quick }) {
  mkdirSync(WWW_DIR, { recursive: true, mode: 0o755 });
  mkdirSync(OUT_DIR, { recursive: true });
  const files = fileSet({ quick });
  const wanted = new Map();
  for (const f of Object.values(files)) wanted.set(f.name, f.size);
  for (const [name, size] of wanted) {
    const path = join(WWW_DIR, name);
    if (sizeOf(path) === size) continue;
    const t0 = Date.now();
    if (name.endsWith('.json')) writeFileSync(path, makeJson(size));
    else if (name.endsWith('.txt')) writeFileSync(path, makeText(size));
    else writeRandom(path, size);
    log(`generated ${path} (${size} bytes) in ${Date.now() - t0} ms`);
  }
  // The pre-compressed copy of the text, served by gzip_static for /gz/ (see the config). Rebuilt each run: cheap.
  const gzDir = join(WWW_DIR, 'gz');
  mkdirSync(gzDir, { recursive: true, mode: 0o755 });
  const text = readFileSync(join(WWW_DIR, files.text1m.name));
  const gz = gzipSync(text, { level: 6 });
  writeFileSync(join(gzDir, `${files.text1m.name}.gz`), gz);
  // gzip_static needs the uncompressed file to exist too (it is never served from /gz/: "always").
  writeFileSync(join(gzDir, files.text1m.name), text);
  // Clean stale outputs of killed runs.
  for (const e of readdirSync(OUT_DIR)) rmSync(join(OUT_DIR, e), { force: true, recursive: true });
  return { files, textGzSize: gz.length };
}

async function freePort() {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function canConnect(port) {
  return await new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A private CA and a server certificate for 127.0.0.1 / localhost signed by it. */
function makeCertificates(dir) {
  writeFileSync(
    join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '7',
      '-subj',
      '/CN=gdhttp bench CA',
    ],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '7',
      '-extfile',
      'server.ext',
      '-out',
      'server.pem',
    ],
    dir,
  );
}

function config({ dir, httpPort, httpsPort }) {
  return `# gdhttp bench: private nginx, generated by bench/scripts/nginx.mjs
worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 300s;
    server_tokens off;
    open_file_cache max=64 inactive=600s;

    types {
        application/json json;
        text/plain txt;
        application/octet-stream bin;
    }
    default_type application/octet-stream;

    # gzip for text types only (never the random .bin files); below 4 KiB it is not worth it, so the 1 KiB
    # JSON of small-seq/small-conc is the same bytes for every client whatever Accept-Encoding it sends.
    gzip on;
    gzip_types text/plain application/json;
    gzip_min_length 4096;
    gzip_vary on;

    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;

    server {
        listen 127.0.0.1:${httpPort};
        root ${WWW_DIR};
        location / {
        }
        # gzip-seq: the text pre-compressed once (the client's decoding is measured, not nginx's compressor),
        # and always sent gzip-encoded, so a client that does not decode fails the byte-count check.
        location /gz/ {
            gzip_static always;
        }
    }

    server {
        listen 127.0.0.1:${httpsPort} ssl;
        ssl_certificate ${dir}/server.pem;
        ssl_certificate_key ${dir}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:1m;
        root ${WWW_DIR};
        location / {
        }
        location /gz/ {
            gzip_static always;
        }
    }
}
`;
}

/** Child PIDs of a process, read from /proc (to clean nginx's worker if its master had to be killed). */
function childPids(pid) {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Starts a private nginx. Returns { pid, httpPort, httpsPort, caPath, dir, version, stop() }.
 * stop() is idempotent and also runs on process exit and SIGINT/SIGTERM (when hookSignals).
 */
export async function startNginx({ bin = ensureNginx(), hookSignals = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gdhttp-bench-nginx-'));
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  makeCertificates(dir);
  const httpPort = await freePort();
  let httpsPort = await freePort();
  while (httpsPort === httpPort) httpsPort = await freePort();
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, config({ dir, httpPort, httpsPort }));
  const test = spawnSync(bin, ['-t', '-q', '-e', join(dir, 'error.log'), '-c', confPath, '-p', dir], {
    encoding: 'utf8',
  });
  if (test.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx -t failed:\n${test.stderr}`);
  }
  const child = spawn(bin, ['-e', join(dir, 'error.log'), '-c', confPath, '-p', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let exited = false;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  const pid = child.pid;

  let stopped = false;
  const onExit = () => {
    // process is exiting: only synchronous work is possible
    if (!stopped && !exited) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  const onSignal = (sig) => {
    void stop().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('exit', onExit);
  if (hookSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!exited) {
      const workers = childPids(pid);
      try {
        process.kill(pid, 'SIGTERM'); // fast shutdown of master and worker
      } catch {
        // gone
      }
      const done = await Promise.race([exitPromise, sleep(5000).then(() => null)]);
      if (done === null) {
        log(`nginx ${pid} did not stop within 5 s: SIGKILL`);
        for (const p of [pid, ...workers]) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
        }
        await exitPromise;
      }
      // the worker exits with the master on SIGTERM; make sure
      for (const w of workers) {
        for (let i = 0; i < 50; i++) {
          try {
            process.kill(w, 0);
          } catch {
            break;
          }
          await sleep(20);
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }

  // Wait (bounded) for both ports.
  const deadline = Date.now() + 10000;
  for (;;) {
    if (exited) {
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      await stop();
      throw new Error(`nginx exited at start: ${stderr}${log}`);
    }
    if ((await canConnect(httpPort)) && (await canConnect(httpsPort))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('nginx did not open its ports within 10 s');
    }
    await sleep(50);
  }
  const caPath = join(dir, 'ca.pem');
  return { pid, httpPort, httpsPort, caPath, dir, confPath, version: nginxVersion(bin), stop };
}

// CLI: start and hold until Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const bin = ensureNginx();
  const { files } = prepareFiles({ quick });
  const ng = await startNginx({ bin });
  console.log(
    JSON.stringify({
      pid: ng.pid,
      conf: ng.confPath,
      http: `http://127.0.0.1:${ng.httpPort}/`,
      https: `https://127.0.0.1:${ng.httpsPort}/`,
      ca: ng.caPath,
      nginx: ng.version,
      files: Object.fromEntries(Object.values(files).map((f) => [f.name, f.size])),
    }),
  );
  log(`running (pid ${ng.pid}); Ctrl-C stops it`);
  if (process.argv.includes('--check')) {
    await ng.stop();
  } else {
    await new Promise(() => {
      setInterval(() => {}, 1 << 30);
    });
  }
}
