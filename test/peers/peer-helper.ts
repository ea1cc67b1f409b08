/**
 * Starts one real peer (scripts/peers/peers.mjs) for a test file. Outside CI a peer that is missing or cannot
 * start makes the file's tests skip with the reason; under `CI=true` it is a failure. The peer is stopped
 * (by its PID) in the file's `after()`.
 */
import { after } from 'node:test';
import {
  ensureInstalled,
  startHttpbinPeer,
  startNginx,
  startSquid,
  startTinyproxy,
  type HttpbinPeer,
  type NginxPeer,
  type PeerHandle,
  type PeerName,
  type SquidPeer,
  type TinyproxyPeer,
} from '../../scripts/peers/peers.mjs';

const IN_CI = process.env['CI'] === 'true';

/** A started peer, or the reason its tests are skipped. */
export type PeerOrSkip<T> = { peer: T; skip: false } | { peer: undefined; skip: string };

async function startOne<T extends PeerHandle>(
  name: PeerName,
  start: () => Promise<T>,
): Promise<PeerOrSkip<T>> {
  const missing = ensureInstalled(name);
  if (missing !== undefined) {
    if (IN_CI) throw new Error(`CI=true and ${name} is not installed: ${missing}`);
    return { peer: undefined, skip: `${name} not installed: ${missing}` };
  }
  let peer: T;
  try {
    peer = await start();
  } catch (error) {
    if (IN_CI) throw error;
    return { peer: undefined, skip: `${name} could not start: ${String(error).slice(0, 300)}` };
  }
  after(() => peer.stop());
  return { peer, skip: false };
}

export const useNginx = (): Promise<PeerOrSkip<NginxPeer>> => startOne('nginx', startNginx);
export const useSquid = (): Promise<PeerOrSkip<SquidPeer>> => startOne('squid', startSquid);
export const useHttpbin = (): Promise<PeerOrSkip<HttpbinPeer>> => startOne('httpbin', startHttpbinPeer);
export const useTinyproxy = (auth: boolean): Promise<PeerOrSkip<TinyproxyPeer>> =>
  startOne('tinyproxy', () => startTinyproxy({ auth }));

/** Both `use_threads` settings: every peer test runs once per mode. */
export const THREAD_MODES = [false, true] as const;
