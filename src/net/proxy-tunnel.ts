import type { Socket } from 'node:net';
import { Client, type Dispatcher } from 'undici';
import { Status } from './http-client-constants.js';
import { TransportError } from './transport-error.js';

/**
 * Asks an HTTP proxy for a CONNECT tunnel to `host:port` over the already-open `proxySocket`, and returns
 * the tunnelled socket (RFC 9110 §9.3.6). undici parses the proxy's answer; any answer but 2xx — 407, 403,
 * 502 — is a refused tunnel and fails with CANT_CONNECT, as does a proxy that closes without answering.
 */
export function openTunnel(
  proxySocket: Socket,
  host: string,
  port: number,
  authorization: string | undefined,
  signal?: AbortSignal,
): Promise<Socket> {
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = new Client('http://proxy.invalid', {
    connect: (_options, callback) => queueMicrotask(() => callback(null, proxySocket)),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const headers: string[] = ['host', authority];
  if (authorization !== undefined) headers.push('proxy-authorization', authorization);
  return new Promise<Socket>((resolvePromise, reject) => {
    const fail = (message: string, cause?: unknown): void => {
      proxySocket.destroy();
      void client.destroy();
      reject(new TransportError(Status.STATUS_CANT_CONNECT, message, { cause }));
    };
    const onAbort = (): void => fail('Proxy tunnel cancelled', signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(statusCode) {
        signal?.removeEventListener('abort', onAbort);
        fail(`Proxy refused the tunnel to ${authority} with status ${statusCode}`);
        return false;
      },
      onData() {
        return false;
      },
      onComplete() {},
      onUpgrade(statusCode, _headers, socket) {
        signal?.removeEventListener('abort', onAbort);
        if (statusCode < 200 || statusCode > 299) {
          socket.destroy();
          fail(`Proxy refused the tunnel to ${authority} with status ${statusCode}`);
          return;
        }
        // The tunnel now belongs to the caller; closing the client must not close it.
        void client.close();
        resolvePromise(socket as Socket);
      },
      onError(error) {
        signal?.removeEventListener('abort', onAbort);
        fail(`Proxy tunnel to ${authority} failed: ${error.message}`, error);
      },
    };
    client.dispatch({ method: 'CONNECT', path: authority, headers }, handler);
  });
}
