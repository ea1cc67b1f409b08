// curl, spawned: the native reference. One curl process runs the whole timed workload (like a shell script
// would): URLs from a config file, one connection reused for sequential runs, --parallel for concurrent ones.
// Each transfer's status, wire size and Content-Encoding come back through -w on stderr and are checked.
// Bodies "into memory" go to /dev/null (curl has no memory target); decoded gzip bodies go to one file whose
// size is checked. Its peak RSS is curl's own (VmHWM, sampled from /proc while it runs).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { setInterval, clearInterval } from 'node:timers';

function vmHwmKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export default {
  name: 'curl',
  async open(ctx) {
    return {
      /**
       * job: { url, n, conc, gzip, mode: 'memory' | 'file', file, expectWire, expectBytes }
       * returns { requests, bytes, peakRssMB }
       */
      async batch(job) {
        const cfg = join(ctx.outDir, `curl-${process.pid}.cfg`);
        const decodedOut = join(ctx.outDir, `curl-${process.pid}.out`);
        const target = job.mode === 'file' ? job.file : job.gzip ? null : '/dev/null';
        const lines = [];
        for (let i = 0; i < job.n; i++) {
          lines.push(`url = "${job.url}"`);
          if (target) lines.push(`output = "${target}"`);
        }
        writeFileSync(cfg, `${lines.join('\n')}\n`);
        const args = [
          '-sS',
          '--no-progress-meter',
          '--http1.1',
          '-K',
          cfg,
          '-w',
          '%{stderr}%{http_code} %{size_download} %header{content-encoding}\\n',
        ];
        if (job.conc > 1) args.push('--parallel', '--parallel-max', String(job.conc), '--parallel-immediate');
        if (job.gzip) args.push('--compressed');
        if (job.url.startsWith('https:')) args.push('--cacert', ctx.caPath);
        const outFd = job.gzip && !target ? openSync(decodedOut, 'w') : 'ignore';
        let peak = 0;
        let stderr = '';
        try {
          await new Promise((resolve, reject) => {
            const child = spawn('curl', args, { stdio: ['ignore', outFd, 'pipe'] });
            const timer = setInterval(() => (peak = Math.max(peak, vmHwmKiB(child.pid))), 10);
            child.stderr.setEncoding('utf8');
            child.stderr.on('data', (d) => {
              peak = Math.max(peak, vmHwmKiB(child.pid));
              stderr += d;
            });
            child.once('error', reject);
            child.once('exit', (code) => {
              clearInterval(timer);
              if (code === 0) resolve();
              else reject(new Error(`curl exited with ${code}: ${stderr.slice(-500)}`));
            });
          });
        } finally {
          if (typeof outFd === 'number') closeSync(outFd);
          rmSync(cfg, { force: true });
        }
        const results = stderr.trim().split('\n');
        if (results.length !== job.n)
          throw new Error(`curl reported ${results.length} transfers, expected ${job.n}`);
        let gzipped = 0;
        for (const line of results) {
          const [code, size, enc] = line.split(' ');
          if (code !== '200') throw new Error(`curl: status ${code} (${line})`);
          if (Number(size) !== job.expectWire)
            throw new Error(`curl: ${size} bytes on the wire, expected ${job.expectWire}`);
          if (enc === 'gzip') gzipped++;
        }
        let bytes = job.n * job.expectWire;
        if (job.gzip) {
          const got = statSync(decodedOut).size;
          rmSync(decodedOut, { force: true });
          if (got !== job.n * job.expectBytes)
            throw new Error(`curl: ${got} decoded bytes, expected ${job.n * job.expectBytes}`);
          bytes = got;
        }
        return { requests: job.n, bytes, gzipped, peakRssMB: peak / 1024 };
      },
      async close() {},
    };
  },
};
