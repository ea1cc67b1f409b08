// Types for peers.mjs (used by test/peers/).

export interface PeerHandle {
  readonly name: string;
  readonly dir: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  log(): string;
}
export interface NginxPeer extends PeerHandle {
  readonly url: string;
  readonly httpsUrl: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly caFile: string;
  readonly accessLog: string;
}
export interface SquidPeer extends PeerHandle {
  readonly port: number;
  readonly authPort: number;
  readonly user: string;
  readonly pass: string;
}
export interface TinyproxyPeer extends PeerHandle {
  readonly port: number;
  readonly auth: boolean;
  readonly user: string;
  readonly pass: string;
}
export interface HttpbinPeer extends PeerHandle {
  readonly port: number;
  readonly url: string;
}
export type PeerName = 'nginx' | 'squid' | 'tinyproxy' | 'httpbin';

export const PEERS: Record<PeerName, { packages: string[]; present(): boolean }>;
export const PROXY_USER: string;
export const PROXY_PASS: string;
export function ensureInstalled(name: PeerName): string | undefined;
export function freePort(): Promise<number>;
export function makeTestPki(dir: string): { caFile: string; certFile: string; keyFile: string };
export function patternBytes(length: number): Buffer;
export function patternText(length: number): string;
export function startNginx(): Promise<NginxPeer>;
export function startSquid(): Promise<SquidPeer>;
export function startTinyproxy(options?: { auth?: boolean }): Promise<TinyproxyPeer>;
export function startHttpbinPeer(): Promise<HttpbinPeer>;
export function startPeer(name: PeerName, options?: { auth?: boolean }): Promise<PeerHandle>;
