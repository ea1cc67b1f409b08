#!/usr/bin/env node
// Real peers for the `npm run test:peers` suite: nginx, squid, tinyproxy and httpbin (Debian's python3-httpbin
// under gunicorn), installed with apt-get when missing and started on 127.0.0.1 only, each with a private
// config, logs and pid file in its own temporary folder. Every start-up wait is bounded; every peer is stopped
// by the PID this module spawned (never by name).
//
// CLI:  node scripts/peers/peers.mjs install [peer...]     install what is missing (apt-get, as root)
//       node scripts/peers/peers.mjs start <peer> [--auth] start in the foreground; prints its JSON; Ctrl-C stops
//       node scripts/peers/peers.mjs check                 prints which peers are installed
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const APT_TIMEOUT_MS = 300_000;

/** Each peer: the Debian packages it needs and how to tell it is installed. */
export const PEERS = {
  nginx: { packages: ['nginx'], present: () => existsSync('/usr/sbin/nginx') },
  squid: {
    packages: ['squid'],
    present: () => existsSync('/usr/sbin/squid') && existsSync('/usr/lib/squid/basic_ncsa_auth'),
  },
  tinyproxy: { packages: ['tinyproxy'], present: () => existsSync('/usr/bin/tinyproxy') },
  httpbin: {
    packages: ['python3-httpbin', 'python3-gunicorn'],
    present: () =>
      spawnSync('/usr/bin/python3', ['-c', 'import httpbin, gunicorn'], { stdio: 'ignore', timeout: 20_000 })
        .status === 0,
  },
};

export const PROXY_USER = 'gdhttp';
export const PROXY_PASS = 'peer-secret';

let aptUpdated = false;

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function run(command, args, timeout = APT_TIMEOUT_MS) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * Makes sure `name` is installed: returns `undefined` when it is, or the reason it is not (not root, apt
 * failed). apt-get update runs at most once per process.
 */
export function ensureInstalled(name) {
  const peer = PEERS[name];
  if (peer === undefined) return `unknown peer ${name}`;
  if (peer.present()) return undefined;
  if (!isRoot()) return `${name} not installed and not root (install: ${peer.packages.join(' ')})`;
  if (!existsSync('/usr/bin/apt-get')) return `${name} not installed and apt-get missing`;
  if (!aptUpdated) {
    const update = run('apt-get', ['update']);
    if (!update.ok) return `${name} not installed: apt-get update failed: ${update.output.slice(-300)}`;
    aptUpdated = true;
  }
  const install = run('apt-get', ['install', '-y', '--no-install-recommends', ...peer.packages]);
  if (!install.ok) return `${name} not installed: apt-get install failed: ${install.output.slice(-300)}`;
  return peer.present() ? undefined : `${name} still missing after apt-get install`;
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function makeDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `gdhttp-peer-${name}-`));
  // Workers of nginx/squid/tinyproxy drop root privileges and must read (and for squid/tinyproxy write) here.
  chmodSync(dir, 0o755);
  return dir;
}

function chownTo(path, user) {
  if (!isRoot()) return;
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (id.status === 0 && gid.status === 0) chownSync(path, Number(id.stdout), Number(gid.stdout));
}

/**
 * Spawns `command` and waits until every port in `ports` accepts a connection (bounded). Returns a handle whose
 * `stop()` ends the process by its PID (SIGTERM, then SIGKILL after a bounded wait) and removes the folder.
 */
async function launch(name, dir, command, args, ports, extra = {}) {
  const logFile = join(dir, 'stdout.log');
  const out = [];
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const collect = (chunk) => {
    out.push(chunk.toString());
    if (out.length > 200) out.shift();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  const exitPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  child.once('error', (error) => {
    out.push(String(error));
    exited = true;
  });
  const pidFile = join(dir, `${name}.launch.pid`);
  if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const timer = delay(STOP_TIMEOUT_MS).then(() => 'timeout');
      if ((await Promise.race([exitPromise, timer])) === 'timeout' && !exited) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await Promise.race([exitPromise, delay(STOP_TIMEOUT_MS)]);
      }
    }
    writeFileSync(logFile, out.join(''));
    if (process.env['GDHTTP_KEEP_PEER_DIRS'] !== '1') rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${name} exited during start-up: ${out.join('').slice(-800)}`);
    }
    const ready = await Promise.all(ports.map((port) => canConnect(port)));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms: ${out.join('').slice(-800)}`);
    }
    await delay(100);
  }
  return { name, dir, pid: child.pid, stop, log: () => out.join(''), ...extra };
}

function openssl(args, cwd) {
  const result = spawnSync('/usr/bin/openssl', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** A test CA and a leaf for localhost/127.0.0.1/::1 signed by it, made with openssl in `dir`. */
export function makeTestPki(dir) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
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
      '3650',
      '-subj',
      '/CN=gdhttp peers test CA',
    ],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
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
      '-out',
      'server.pem',
      '-days',
      '825',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  );
  for (const file of ['ca.pem', 'server.pem', 'server.key']) chmodSync(join(dir, file), 0o644);
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/** Deterministic bytes: byte i = (i * 7 + 3) % 256. */
export function patternBytes(length) {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) buffer[i] = (i * 7 + 3) % 256;
  return buffer;
}

/** Compressible text of `length` bytes. */
export function patternText(length) {
  const line = 'gdhttp nginx peer: the quick brown fox jumps over the lazy dog 0123456789\n';
  return line.repeat(Math.ceil(length / line.length)).slice(0, length);
}

/**
 * nginx with static files (`/hello.txt`, `/big.bin` 1 MiB, `/text.txt` 256 KiB compressible), Range, gzip
 * (`gzip on` turns a compressible file into a chunked response of unknown length), keep-alive, and an HTTPS
 * server with a test-CA certificate. `/redirect` 302s to `/hello.txt`. The access log (`accessLog`) has one
 * line per request: `<connection serial> <request number on it> "<request line>" <status> <body bytes>`.
 */
export async function startNginx() {
  const dir = makeDir('nginx');
  const pki = makeTestPki(dir);
  const www = join(dir, 'www');
  spawnSync('mkdir', ['-p', www]);
  chmodSync(www, 0o755);
  writeFileSync(join(www, 'hello.txt'), 'hello from nginx\n');
  writeFileSync(join(www, 'big.bin'), patternBytes(1024 * 1024));
  writeFileSync(join(www, 'text.txt'), patternText(256 * 1024));
  for (const file of ['hello.txt', 'big.bin', 'text.txt']) chmodSync(join(www, file), 0o644);
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const user = isRoot() ? 'user nobody nogroup;' : '';
  const conf = `${user}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  log_format peer '$connection $connection_requests "$request" $status $body_bytes_sent';
  access_log ${dir}/access.log peer;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  keepalive_timeout 5s;
  keepalive_requests 1000;
  gzip on;
  gzip_types text/plain;
  gzip_min_length 1000;
  gzip_comp_level 6;
  server {
    listen 127.0.0.1:${httpPort};
    root ${www};
    location = /redirect { return 302 /hello.txt; }
  }
  server {
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${pki.certFile};
    ssl_certificate_key ${pki.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${www};
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  return launch(
    'nginx',
    dir,
    '/usr/sbin/nginx',
    ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    [httpPort, httpsPort],
    {
      url: `http://127.0.0.1:${httpPort}`,
      httpsUrl: `https://localhost:${httpsPort}`,
      httpPort,
      httpsPort,
      caFile: pki.caFile,
      accessLog: join(dir, 'access.log'),
    },
  );
}

/** A Basic htpasswd line for basic_ncsa_auth, hashed with `openssl passwd -1` (MD5-crypt). */
function htpasswdLine(user, pass) {
  return `${user}:${openssl(['passwd', '-1', pass]).trim()}\n`;
}

/**
 * squid with two ports: `port` (open to localhost: absolute-form proxying and CONNECT to any port) and
 * `authPort` (Basic proxy auth via basic_ncsa_auth; credentials {@link PROXY_USER}/{@link PROXY_PASS}).
 */
export async function startSquid() {
  const dir = makeDir('squid');
  const port = await freePort();
  const authPort = await freePort();
  writeFileSync(join(dir, 'htpasswd'), htpasswdLine(PROXY_USER, PROXY_PASS));
  chmodSync(join(dir, 'htpasswd'), 0o644);
  const conf = `http_port 127.0.0.1:${port} name=open
http_port 127.0.0.1:${authPort} name=auth
visible_hostname gdhttp-peer-squid
pid_filename ${dir}/squid.pid
cache_log ${dir}/cache.log
access_log stdio:${dir}/access.log
cache_store_log none
coredump_dir ${dir}
cache deny all
shutdown_lifetime 0 seconds
dns_v4_first on
auth_param basic program /usr/lib/squid/basic_ncsa_auth ${dir}/htpasswd
auth_param basic realm gdhttp-peer
auth_param basic children 2
acl authport myportname auth
acl authed proxy_auth REQUIRED
acl localsrc src 127.0.0.1/32 ::1
http_access deny authport !authed
http_access allow localsrc
http_access deny all
`;
  writeFileSync(join(dir, 'squid.conf'), conf);
  chownTo(dir, 'proxy');
  return launch('squid', dir, '/usr/sbin/squid', ['-N', '-f', join(dir, 'squid.conf')], [port, authPort], {
    port,
    authPort,
    user: PROXY_USER,
    pass: PROXY_PASS,
  });
}

/** tinyproxy on 127.0.0.1, optionally with `BasicAuth` ({@link PROXY_USER}/{@link PROXY_PASS}). */
export async function startTinyproxy(options = {}) {
  const dir = makeDir('tinyproxy');
  const port = await freePort();
  const runAs = isRoot() ? 'User nobody\nGroup nogroup\n' : '';
  const conf = `${runAs}Port ${port}
Listen 127.0.0.1
Timeout 30
PidFile "${dir}/tinyproxy.pid"
LogFile "${dir}/tinyproxy.log"
LogLevel Info
MaxClients 50
Allow 127.0.0.1
DisableViaHeader Yes
${options.auth === true ? `BasicAuth ${PROXY_USER} ${PROXY_PASS}\n` : ''}`;
  writeFileSync(join(dir, 'tinyproxy.conf'), conf);
  chownTo(dir, 'nobody');
  return launch('tinyproxy', dir, '/usr/bin/tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], [port], {
    port,
    auth: options.auth === true,
    user: PROXY_USER,
    pass: PROXY_PASS,
  });
}

/** Debian's httpbin (Flask app) under gunicorn on 127.0.0.1. */
export async function startHttpbinPeer() {
  const dir = makeDir('httpbin');
  const port = await freePort();
  return launch(
    'httpbin',
    dir,
    '/usr/bin/python3',
    [
      '-m',
      'gunicorn',
      '--bind',
      `127.0.0.1:${port}`,
      '--workers',
      '1',
      '--threads',
      '8',
      '--timeout',
      '30',
      'httpbin:app',
    ],
    [port],
    { port, url: `http://127.0.0.1:${port}` },
  );
}

/** Starts a peer by name. */
export function startPeer(name, options = {}) {
  switch (name) {
    case 'nginx':
      return startNginx();
    case 'squid':
      return startSquid();
    case 'tinyproxy':
      return startTinyproxy(options);
    case 'httpbin':
      return startHttpbinPeer();
    default:
      return Promise.reject(new Error(`unknown peer ${name}`));
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  const names = rest.filter((arg) => !arg.startsWith('--'));
  if (command === 'check') {
    for (const [name, peer] of Object.entries(PEERS))
      console.log(`${name}: ${peer.present() ? 'installed' : 'missing'}`);
    return 0;
  }
  if (command === 'install') {
    let failed = 0;
    for (const name of names.length > 0 ? names : Object.keys(PEERS)) {
      const reason = ensureInstalled(name);
      console.log(reason === undefined ? `${name}: installed` : `${name}: ${reason}`);
      if (reason !== undefined) failed += 1;
    }
    // Outside CI a missing peer only makes its tests skip; under CI it is a failure.
    return failed > 0 && process.env['CI'] === 'true' ? 1 : 0;
  }
  if (command === 'start' && names[0] !== undefined) {
    const peer = await startPeer(names[0], { auth: rest.includes('--auth') });
    const { stop: _stop, log: _log, ...info } = peer;
    console.log(JSON.stringify(info));
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await peer.stop();
    return 0;
  }
  console.error(
    'usage: peers.mjs check | install [peer...] | start <nginx|squid|tinyproxy|httpbin> [--auth]',
  );
  console.error(`(running as ${userInfo().username})`);
  return 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
