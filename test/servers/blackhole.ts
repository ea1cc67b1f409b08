/**
 * A loopback port where connect() stays pending (catalogue H5): a listener that never accepts and whose
 * accept queue is already full, so a further SYN is dropped. Node cannot refuse to accept, so a tiny
 * Python helper process holds it; it is stopped (and awaited) when `body` ends.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const SCRIPT = [
  'import socket, sys',
  's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
  'port = s.getsockname()[1]; fill = []',
  'for i in range(4):',
  '    c = socket.socket(); c.setblocking(False)',
  '    try: c.connect(("127.0.0.1", port))',
  '    except BlockingIOError: pass',
  '    fill.append(c)',
  'print(port, flush=True)',
  'sys.stdin.read()',
].join('\n');

/** Runs `body` with the port of a blackhole listener on 127.0.0.1. */
export async function withBlackhole<T>(body: (port: number) => Promise<T>): Promise<T> {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const child = spawn(python, ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('blackhole helper did not start in 10 s')), 10_000);
      child.once('error', reject);
      child.stdout.once('data', (data: Buffer) => {
        clearTimeout(timer);
        resolve(Number(data.toString().trim()));
      });
    });
    return await body(port);
  } finally {
    child.stdin.end();
    child.kill();
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}
