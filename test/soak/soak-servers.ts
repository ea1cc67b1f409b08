/**
 * The soak's fault servers, in their own process so that what they record (the raw server keeps every
 * connection and byte it saw) counts neither in the soak's heap nor in its fds. Prints one line
 * `SERVERS {"reset":port,...}` and runs until stdin closes, then closes every server and exits.
 */
import net from 'node:net';
import {
  drip,
  malformedStatusLine,
  reply,
  resetAfter,
  responseBytes,
  stall,
  startRawServer,
  type RawServer,
} from '../servers/raw-server.js';
import { getTlsFixtures } from '../servers/tls-fixtures.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const fx = await getTlsFixtures();
const servers: Record<string, RawServer> = {
  reset: await startRawServer(resetAfter('', 0)),
  malformed: await startRawServer(reply(malformedStatusLine('HTTP/1.1 OK 200'))),
  tls_failure: await startRawServer(reply(responseBytes({ body: 'never' })), { tls: fx.selfSigned }),
  timeout: await startRawServer(stall('')),
  size_limit: await startRawServer(reply(responseBytes({ body: 'x'.repeat(1000) }))),
  drip: await startRawServer(drip(responseBytes({ body: 'y'.repeat(64) }), 2, { bytesPerTick: 4 })),
};
const ports: Record<string, number> = { refused: await freePort() };
for (const [name, server] of Object.entries(servers)) ports[name] = server.port;
process.stdout.write(`SERVERS ${JSON.stringify(ports)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void Promise.all(Object.values(servers).map((s) => s.close())).then(() => process.exit(0));
});
