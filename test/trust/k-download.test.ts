// Catalogue group K: download to file (cases 87–89): right result, original file intact, no temp file left.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Result } from '../../src/index.js';
import {
  contentLengthCutShort,
  reply,
  replyAndKeep,
  responseBytes,
  truncatedChunked,
} from '../servers/raw-server.js';
import { get, runCases, withRaw, type TrustCase } from './harness.js';

const ORIGINAL = 'original content that must survive\n';

async function inDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gdhttp-trust-k-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases: TrustCase[] = [
  {
    id: 'K87',
    title: 'unusable target path (a folder, missing parent, parent is a file) is DOWNLOAD_FILE_CANT_OPEN',
    run: (use_threads) =>
      inDir((dir) =>
        withRaw(replyAndKeep(responseBytes({ body: 'data' })), async (server) => {
          mkdirSync(join(dir, 'afolder'));
          writeFileSync(join(dir, 'afile'), 'x');
          for (const target of [
            join(dir, 'afolder'),
            join(dir, 'nope', 'sub', 'f'),
            join(dir, 'afile', 'child'),
          ]) {
            const r = await get(`${server.url}/`, use_threads, { download_file: target });
            assert.equal(r.result, Result.RESULT_DOWNLOAD_FILE_CANT_OPEN, target);
            assert.equal(r.response_code, 200);
          }
          assert.deepEqual(readdirSync(dir).sort(), ['afile', 'afolder']);
          assert.deepEqual(readdirSync(join(dir, 'afolder')), []);
        }),
      ),
  },
  {
    id: 'K88',
    title: 'disk full (/dev/full) is DOWNLOAD_FILE_WRITE_ERROR',
    run: (use_threads) =>
      withRaw(replyAndKeep(responseBytes({ body: Buffer.alloc(1024 * 1024, 7) })), async (server) => {
        const r = await get(`${server.url}/`, use_threads, { download_file: '/dev/full' });
        assert.equal(r.result, Result.RESULT_DOWNLOAD_FILE_WRITE_ERROR);
      }),
  },
  {
    id: 'K89',
    title:
      'a failed download (cut short, truncated chunked, size limit) leaves the original file intact and no temp file',
    run: (use_threads) =>
      inDir(async (dir) => {
        const target = join(dir, 'save.bin');
        const faults: [Buffer, number, number][] = [
          [contentLengthCutShort(100_000, 'x'.repeat(40_000)), Result.RESULT_CONNECTION_ERROR, -1],
          [truncatedChunked(['x'.repeat(40_000)]), Result.RESULT_CHUNKED_BODY_SIZE_MISMATCH, -1],
          [
            responseBytes({
              body: 'y'.repeat(100_000),
              contentLength: false,
              headers: [['Connection', 'close']],
            }),
            Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED,
            1000,
          ],
        ];
        for (const [bytes, expected, limit] of faults) {
          writeFileSync(target, ORIGINAL);
          await withRaw(reply(bytes), async (server) => {
            const r = await get(`${server.url}/`, use_threads, {
              download_file: target,
              body_size_limit: limit,
            });
            assert.equal(r.result, expected);
          });
          assert.equal(readFileSync(target, 'utf8'), ORIGINAL);
          assert.deepEqual(readdirSync(dir), ['save.bin']);
        }
      }),
  },
];

runCases('K download to file', cases);
