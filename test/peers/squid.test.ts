// HTTP proxying, CONNECT, Basic proxy auth (basic_ncsa_auth) and 407 against a real squid.
import { after, before, describe } from 'node:test';
import { add_trusted_ca, close_worker_pool } from '../../src/index.js';
import { startHttpbin, type Httpbin } from '../servers/httpbin.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';
import { THREAD_MODES, useSquid } from './peer-helper.js';
import { proxyTests } from './proxy-cases.js';

const started = await useSquid();
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
  describe(`squid peer (use_threads ${use_threads})`, { skip: started.skip }, () => {
    proxyTests(
      use_threads,
      {
        open: () => ['127.0.0.1', started.peer?.port ?? 0],
        authed: () => ({
          port: started.peer?.authPort ?? 0,
          user: started.peer?.user ?? '',
          pass: started.peer?.pass ?? '',
        }),
      },
      () => ({ http: http as Httpbin, https: https as Httpbin }),
    );
  });
}
