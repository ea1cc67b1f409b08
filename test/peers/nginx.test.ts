// Downloads, Range, gzip (chunked, unknown length), keep-alive and TLS against a real nginx.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HTTPRequest, Result, add_trusted_ca, close_worker_pool } from '../../src/index.js';
import { patternBytes, patternText } from '../../scripts/peers/peers.mjs';
import { THREAD_MODES, useNginx } from './peer-helper.js';

const started = await useNginx();
const work = mkdtempSync(join(tmpdir(), 'gdhttp-peers-nginx-test-'));
after(async () => {
  await close_worker_pool();
  rmSync(work, { recursive: true, force: true });
});

const BIG = patternBytes(1024 * 1024);
const TEXT = patternText(256 * 1024);

function accessLines(): string[] {
  const peer = started.peer;
  return peer === undefined ? [] : readFileSync(peer.accessLog, 'utf8').trim().split('\n');
}

describe('nginx peer TLS trust (before the test CA is trusted)', { skip: started.skip }, () => {
  for (const use_threads of THREAD_MODES) {
    test(`untrusted test CA is SSL_HANDSHAKE_ERROR; ssl_validate_domain false connects (use_threads ${use_threads})`, async () => {
      const url = `${started.peer?.httpsUrl ?? ''}/hello.txt`;
      const refused = await HTTPRequest.fetch(url, { use_threads, timeout: 10 });
      assert.equal(refused.result, Result.RESULT_SSL_HANDSHAKE_ERROR);
      const unchecked = await HTTPRequest.fetch(url, {
        use_threads,
        timeout: 10,
        ssl_validate_domain: false,
      });
      assert.equal(unchecked.result, Result.RESULT_SUCCESS);
      assert.equal(Buffer.from(unchecked.body).toString(), 'hello from nginx\n');
    });
  }
});

for (const use_threads of THREAD_MODES) {
  describe(`nginx peer (use_threads ${use_threads})`, { skip: started.skip }, () => {
    const base = (): string => started.peer?.url ?? '';

    test('1 MiB static file into memory is byte-exact', async () => {
      const r = await HTTPRequest.fetch(`${base()}/big.bin`, { use_threads, timeout: 20 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 200);
      assert.ok(Buffer.from(r.body).equals(BIG));
    });

    test('1 MiB static file into download_file is byte-exact, no temporary file left', async () => {
      const target = join(work, `big-${use_threads}.bin`);
      const r = await HTTPRequest.fetch(`${base()}/big.bin`, {
        use_threads,
        timeout: 20,
        download_file: target,
        download_chunk_size: 4096,
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.body.byteLength, 0);
      assert.ok(readFileSync(target).equals(BIG));
      assert.deepEqual(
        readdirSync(work).filter((name) => name.includes(`big-${use_threads}`)),
        [`big-${use_threads}.bin`],
      );
    });

    test('Range: bytes=100-199 gives 206 and exactly those bytes', async () => {
      const r = await HTTPRequest.fetch(`${base()}/big.bin`, {
        use_threads,
        timeout: 10,
        headers: ['Range: bytes=100-199'],
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 206);
      assert.ok(r.headers.some((h) => /^content-range: bytes 100-199\/1048576$/i.test(h)));
      assert.ok(Buffer.from(r.body).equals(BIG.subarray(100, 200)));
    });

    test('unsatisfiable Range is 416', async () => {
      const r = await HTTPRequest.fetch(`${base()}/big.bin`, {
        use_threads,
        timeout: 10,
        headers: ['Range: bytes=2000000-'],
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(r.response_code, 416);
    });

    test('gzip on: a chunked gzip body of unknown length is decoded exactly', async () => {
      const r = await HTTPRequest.fetch(`${base()}/text.txt`, { use_threads, timeout: 10 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.ok(r.headers.some((h) => /^content-encoding: gzip$/i.test(h)));
      assert.ok(r.headers.some((h) => /^transfer-encoding: chunked$/i.test(h)));
      assert.equal(Buffer.from(r.body).toString(), TEXT);
    });

    test('gzip body against body_size_limit counts decoded bytes', async () => {
      const r = await HTTPRequest.fetch(`${base()}/text.txt`, {
        use_threads,
        timeout: 10,
        body_size_limit: 10_000,
      });
      assert.equal(r.result, Result.RESULT_BODY_SIZE_LIMIT_EXCEEDED);
    });

    test('redirect is followed', async () => {
      const r = await HTTPRequest.fetch(`${base()}/redirect`, { use_threads, timeout: 10 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.equal(Buffer.from(r.body).toString(), 'hello from nginx\n');
    });

    test('keep-alive: consecutive requests share one nginx connection', async () => {
      const marker = `ka-${use_threads}-${Date.now()}`;
      for (let i = 0; i < 3; i += 1) {
        const r = await HTTPRequest.fetch(`${base()}/hello.txt?${marker}=${i}`, { use_threads, timeout: 10 });
        assert.equal(r.result, Result.RESULT_SUCCESS);
      }
      const lines = accessLines().filter((line) => line.includes(marker));
      assert.equal(lines.length, 3);
      const connections = new Set(lines.map((line) => line.split(' ')[0]));
      assert.equal(connections.size, 1, lines.join('\n'));
    });

    test('TLS with the test CA trusted: byte-exact download over https', async () => {
      const peer = started.peer;
      assert.ok(peer !== undefined);
      add_trusted_ca(readFileSync(peer.caFile, 'utf8'));
      const r = await HTTPRequest.fetch(`${peer.httpsUrl}/big.bin`, { use_threads, timeout: 20 });
      assert.equal(r.result, Result.RESULT_SUCCESS);
      assert.ok(Buffer.from(r.body).equals(BIG));
    });

    test('HTTPS by IP literal 127.0.0.1 matches the IP SAN', async () => {
      const peer = started.peer;
      assert.ok(peer !== undefined);
      add_trusted_ca(readFileSync(peer.caFile, 'utf8'));
      const r = await HTTPRequest.fetch(`https://127.0.0.1:${peer.httpsPort}/hello.txt`, {
        use_threads,
        timeout: 10,
      });
      assert.equal(r.result, Result.RESULT_SUCCESS);
    });
  });
}
