// HTTP proxying, CONNECT and BasicAuth against real tinyproxy instances (one open, one with BasicAuth).
import { after, before, describe } from 'node:test';
import { add_trusted_ca, close_worker_pool } from '../../src/index.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';
import { THREAD_MODES, useTinyproxy } from './peer-helper.js';
import { proxyTests } from './proxy-cases.js';

const open = await useTinyproxy(false);
const authed = open.skip === false ? await useTinyproxy(true) : open;
const skip = open.skip !== false ? open.skip : authed.skip;
let http: Httpbin | undefined;
let https: Httpbin | undefined;
before(async () => {
  const fx = await getTlsFixtures();
  add_trusted_ca(fx.ca);
  http = await startHttpbin();
  https = await startHttpbin({ tls: fx.valid });
});
after(async () => {
  await http?.close();
  await https?.close();
  await close_worker_pool();
});

for (const use_threads of THREAD_MODES) {
  describe(`tinyproxy peer (use_threads ${use_threads})`, { skip }, () => {
    proxyTests(
      use_threads,
      {
        open: () => ['127.0.0.1', open.peer?.port ?? 0],
        authed: () => ({
          port: authed.peer?.port ?? 0,
          user: authed.peer?.user ?? '',
          pass: authed.peer?.pass ?? '',
        }),
      },
      () => ({ http: http as Httpbin, https: https as Httpbin }),
    );
  });
}
