/**
 * DOWNLOAD_FILE_CANT_OPEN for a folder the process may not write to. Root may write anywhere, so under root
 * (as in CI) the download runs in a child process as the unprivileged user `nobody`; otherwise the folder is
 * made read-only for the current user.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startHttpbin, type Httpbin } from '../../servers/httpbin.js';

const run = promisify(execFile);
const NOBODY = 65534;
let bin: Httpbin;
let dir: string;
before(async () => {
  bin = await startHttpbin();
  dir = mkdtempSync(join(tmpdir(), 'gdhttp-readonly-'));
  chmodSync(dir, 0o555);
});
after(async () => {
  await bin.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const mode of ['main-thread', 'threads']) {
  test(`DOWNLOAD_FILE_CANT_OPEN without permission to write the folder (${mode})`, async () => {
    const target = join(dir, 'denied.bin');
    const child = join(import.meta.dirname, 'fixtures', 'download-child.mjs');
    const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
    const { stdout } = await run(process.execPath, [child, `${bin.url}/bytes/100`, target, mode], {
      timeout: 30_000,
      ...asNobody,
    });
    const report = JSON.parse(stdout.trim()) as { result: number };
    assert.equal(report.result, 9 /* RESULT_DOWNLOAD_FILE_CANT_OPEN */);
    assert.equal(existsSync(target), false);
    assert.deepEqual(readdirSync(dir), []);
  });
}
