/**
 * Issue 7 point 5 as a property (the fixed vectors are catalogue B15–B20 in test/trust/b-injection.test.ts):
 * CR, LF, NUL and the other control bytes in the URL (path, query, host, user info), the method, header names
 * and values, and the proxy host are refused with ERR_INVALID_PARAMETER by `request()` — and the recording
 * raw server never sees a connection.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { HTTPRequest, OK, SceneTree, close_worker_pool } from '../../src/index.js';
import { replyAndKeep, responseBytes, startRawServer } from '../servers/raw-server.js';
import { ERR_INVALID_PARAMETER } from '../trust/harness.js';
import { budgetMs, SEED, SHARE } from './budget.js';

after(() => close_worker_pool());

const vector = fc.oneof(
  fc.constantFrom('\r', '\n', '\u0000', '\r\n', '\r\n\r\nGET /smuggled HTTP/1.1\r\nX: ', '\u007f'),
  fc
    .integer({ min: 0, max: 0x1f })
    .filter((c) => c !== 0x09)
    .map((c) => String.fromCharCode(c)),
);
const entry = fc.constantFrom(
  'path',
  'query',
  'host',
  'userinfo',
  'header-name',
  'header-value',
  'proxy-host',
  'https-proxy-host',
  'method',
);

test('control bytes at every entry point are refused before any byte is sent', async (t) => {
  const server = await startRawServer(replyAndKeep(responseBytes({ body: 'ok' })));
  const tree = new SceneTree();
  try {
    const base = `127.0.0.1:${server.port}`;
    const details = fc.check(
      fc.property(entry, vector, fc.nat(), fc.boolean(), (where, bad, at, use_threads) => {
        const node = new HTTPRequest();
        tree.root.add_child(node);
        node.use_threads = use_threads;
        node.timeout = 2;
        const cut = (s: string): string => {
          const i = at % (s.length + 1);
          return s.slice(0, i) + bad + s.slice(i);
        };
        let url = `http://${base}/path?q=1`;
        const headers = ['X-Test: value'];
        let method = 0;
        if (where === 'path') url = `http://${base}/${cut('some/path')}`;
        else if (where === 'query') url = `http://${base}/p?${cut('a=b&c=d')}`;
        else if (where === 'host') url = `http://${cut('127.0.0.1')}:${server.port}/`;
        else if (where === 'userinfo') url = `http://${cut('user:pass')}@${base}/`;
        else if (where === 'header-name') headers[0] = `${cut('X-Test')}: value`;
        else if (where === 'header-value') headers[0] = `X-Test: ${cut('value')}`;
        else if (where === 'proxy-host') node.set_http_proxy(cut('127.0.0.1'), server.port);
        else if (where === 'https-proxy-host') {
          node.set_https_proxy(cut('127.0.0.1'), server.port);
          url = `https://${base}/`;
        } else method = [-1, 9, 10, 1.5, Number.NaN, 2 ** 31][at % 6] as number;
        const error = node.request(url, headers, true, method);
        if (error === OK) node.cancel_request();
        node.queue_free();
        assert.equal(error, ERR_INVALID_PARAMETER, `${where}: ${JSON.stringify(bad)} at ${at} was accepted`);
      }),
      {
        seed: SEED,
        numRuns: 1_000_000,
        interruptAfterTimeLimit: budgetMs(SHARE.injection),
        markInterruptAsFailure: false,
      },
    );
    t.diagnostic(`${details.numRuns} executions (seed ${SEED})`);
    if (details.failed) assert.fail(fc.defaultReportMessage(details) ?? 'property failed');
    // Let anything wrongly started reach the server before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.connectionCount(), 0, 'no connection reached the server');
  } finally {
    await server.close();
  }
});
