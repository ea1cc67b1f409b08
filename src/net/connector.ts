import { lookup } from 'node:dns/promises';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Status } from './http-client-constants.js';
import { TransportError } from './transport-error.js';
import { trusted_secure_context } from './trust-store.js';
import { openTunnel } from './proxy-tunnel.js';
import { check_host_identity } from './host-identity.js';

/** A proxy to go through: plain HTTP requests are sent to it in absolute form, HTTPS ones through CONNECT. */
export interface ProxyEndpoint {
  readonly host: string;
  readonly port: number;
  /** `Basic ...` credentials for `Proxy-Authorization`, sent to the proxy only. */
  readonly authorization?: string | undefined;
}

/** Where and how to connect. `host` is bare (an IPv6 literal without brackets). */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Check the certificate chain and host name (Godot's `verify_host` / `ssl_validate_domain`). */
  readonly verify: boolean;
  readonly proxy?: ProxyEndpoint | undefined;
}

/** Told each time the connection enters a new phase (RESOLVING, CONNECTING). */
export type PhaseListener = (status: Status) => void;

/**
 * Opens a connection in Godot's phases — resolve, TCP connect, proxy tunnel, TLS — reporting each phase and
 * failing with a {@link TransportError} whose status names the phase that failed.
 *
 * The socket is handed to undici afterwards, so undici does the HTTP while every phase before it stays
 * observable (undici's own connector reports them all as one step).
 */
export async function openConnection(
  target: ConnectTarget,
  onPhase: PhaseListener,
  signal?: AbortSignal,
): Promise<Socket | TLSSocket> {
  const hop = target.proxy ?? target;
  onPhase(Status.STATUS_RESOLVING);
  const addresses = await resolve(hop.host);
  signal?.throwIfAborted();
  onPhase(Status.STATUS_CONNECTING);
  let socket = await connectFirst(addresses, hop.port, signal);
  try {
    if (target.proxy !== undefined && target.tls) {
      socket = await openTunnel(socket, target.host, target.port, target.proxy.authorization, signal);
    }
    if (target.tls) return await handshake(socket, target, signal);
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** Resolves `host` to its addresses, in the order the system gives them. */
async function resolve(host: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  // RFC 6761 §6.4: `.invalid` names never resolve; answering at once avoids a resolver round trip.
  if (/\.invalid\.?$/i.test(host) || host.toLowerCase() === 'invalid') {
    throw new TransportError(Status.STATUS_CANT_RESOLVE, `Can't resolve "${host}"`);
  }
  try {
    const found = await lookup(host, { all: true });
    if (found.length === 0) throw new TransportError(Status.STATUS_CANT_RESOLVE, `"${host}" has no address`);
    return found.map((entry) => entry.address);
  } catch (error) {
    if (error instanceof TransportError) throw error;
    throw new TransportError(Status.STATUS_CANT_RESOLVE, `Can't resolve "${host}"`, { cause: error });
  }
}

/** Connects to the first address that accepts, trying them in order (e.g. `localhost` → ::1, then 127.0.0.1). */
async function connectFirst(addresses: string[], port: number, signal?: AbortSignal): Promise<Socket> {
  let lastError: unknown;
  for (const address of addresses) {
    try {
      return await connectTcp(address, port, signal);
    } catch (error) {
      if (signal?.aborted === true) throw error;
      lastError = error;
    }
  }
  throw new TransportError(Status.STATUS_CANT_CONNECT, `Can't connect to port ${port}`, { cause: lastError });
}

function connectTcp(address: string, port: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = tcpConnect({ host: address, port, noDelay: true });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      settleErrors(socket, onError);
      resolvePromise(socket);
    });
  });
}

function handshake(socket: Socket, target: ConnectTarget, signal?: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolvePromise, reject) => {
    const context = target.verify ? trusted_secure_context() : undefined;
    const secure = tlsConnect({
      socket,
      // SNI carries host names only (RFC 6066 §3): never an IP literal.
      ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
      host: target.host,
      rejectUnauthorized: target.verify,
      checkServerIdentity: check_host_identity,
      ALPNProtocols: ['http/1.1'],
      ...(context !== undefined ? { secureContext: context } : {}),
    });
    const onAbort = (): void => {
      secure.destroy();
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      secure.destroy();
      reject(
        new TransportError(Status.STATUS_SSL_HANDSHAKE_ERROR, `TLS handshake failed: ${error.message}`, {
          cause: error,
        }),
      );
    };
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      signal?.removeEventListener('abort', onAbort);
      settleErrors(secure, onError);
      resolvePromise(secure);
    });
  });
}

function ignoreError(): void {}

/**
 * Swaps the connect-phase error listener for a silent one: the socket now belongs to the next layer (undici
 * attaches its own listeners), and an error between two layers must not crash the process.
 */
function settleErrors(socket: Socket, phaseListener: (error: Error) => void): void {
  socket.removeListener('error', phaseListener);
  socket.on('error', ignoreError);
}
