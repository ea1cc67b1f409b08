// A stand-in for gdhttp, for testing the HARNESS ONLY (BENCH_GDHTTP_MODULE=bench/lib/fake-gdhttp.mjs): the slice of
// gdhttp's API the gdhttp-* clients use, written naively on undici. Its figures mean nothing about gdhttp; a report
// made with it says so in its header.
import { Buffer } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { setImmediate } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { createGunzip } from 'node:zlib';
import { Client, request } from 'undici';
import { collect } from './util.mjs';

export const OK = 0;
export const FAKE = true;

class Signal {
  fns = [];
  connect(fn) {
    this.fns.push(fn);
    return OK;
  }
  emit(...args) {
    for (const f of [...this.fns]) f(...args);
  }
  as_promise() {
    return new Promise((resolve) => {
      const f = (...args) => {
        this.fns = this.fns.filter((x) => x !== f);
        resolve(args);
      };
      this.fns.push(f);
    });
  }
}

export class Node {
  children = [];
  tree = null;
  processing = false;
  set_process(on) {
    this.processing = on;
  }
  add_child(child) {
    this.children.push(child);
    child.tree = this.tree;
  }
  remove_child(child) {
    this.children = this.children.filter((c) => c !== child);
    child.tree = null;
  }
}

export class SceneTree {
  root = new Node();
  target_fps = 0;
  quitting = false;
  constructor() {
    this.root.tree = this;
  }
  async run() {
    let last = performance.now();
    while (!this.quitting) {
      const now = performance.now();
      for (const c of this.root.children) if (c.processing && c._process) c._process((now - last) / 1000);
      last = now;
      if (this.target_fps > 0) await sleep(1000 / this.target_fps);
      else await new Promise((r) => setImmediate(r));
    }
  }
  quit() {
    this.quitting = true;
  }
}

export class HTTPClient {
  static METHOD_GET = 0;
  static STATUS_DISCONNECTED = 0;
  static STATUS_RESOLVING = 1;
  static STATUS_CONNECTING = 3;
  static STATUS_CONNECTED = 5;
  static STATUS_REQUESTING = 6;
  static STATUS_BODY = 7;
  static STATUS_CONNECTION_ERROR = 8;
  status = 0;
  client = null;
  connect_to_host(host, port, ssl) {
    this.client = new Client(`${ssl ? 'https' : 'http'}://${host}:${port}`);
    this.status = HTTPClient.STATUS_CONNECTING;
    return OK;
  }
  get_status() {
    return this.status;
  }
  request(_method, path, headers) {
    const h = {};
    for (const line of headers) {
      const i = line.indexOf(':');
      h[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    this.status = HTTPClient.STATUS_REQUESTING;
    this.pending = this.client.request({ method: 'GET', path, headers: h });
    return OK;
  }
  async poll() {
    if (this.status === HTTPClient.STATUS_CONNECTING) this.status = HTTPClient.STATUS_CONNECTED;
    else if (this.status === HTTPClient.STATUS_REQUESTING) {
      this.res = await this.pending;
      this.iter = this.res.body[Symbol.asyncIterator]();
      this.status = HTTPClient.STATUS_BODY;
    } else if (this.status === HTTPClient.STATUS_BODY && !this.chunk) {
      const { value, done } = await this.iter.next();
      if (done) this.status = HTTPClient.STATUS_CONNECTED;
      else this.chunk = value;
    }
  }
  has_response() {
    return !!this.res;
  }
  get_response_code() {
    return this.res.statusCode;
  }
  get_response_headers() {
    return Object.entries(this.res.headers).map(([k, v]) => `${k}: ${v}`);
  }
  get_response_body_length() {
    const l = this.res.headers['content-length'];
    return l === undefined ? -1 : Number(l);
  }
  read_response_body_chunk() {
    const c = this.chunk ?? Buffer.alloc(0);
    this.chunk = null;
    return c;
  }
  close() {
    void this.client?.close();
    this.client = null;
    this.status = HTTPClient.STATUS_DISCONNECTED;
  }
}

export class HTTPRequest extends Node {
  request_completed = new Signal();
  download_file = '';
  use_threads = false;
  accept_gzip = true;
  request(url) {
    if (!this.tree) return 3;
    const u = new URL(url);
    void (async () => {
      try {
        const res = await request(u, { headers: this.accept_gzip ? { 'accept-encoding': 'gzip' } : {} });
        const lines = Object.entries(res.headers).map(([k, v]) => `${k}: ${v}`);
        const src = res.headers['content-encoding'] === 'gzip' ? res.body.pipe(createGunzip()) : res.body;
        let body = new Uint8Array(0);
        if (this.download_file) await pipeline(src, createWriteStream(this.download_file));
        else body = await collect(src);
        setImmediate(() => this.request_completed.emit(0, res.statusCode, lines, body));
      } catch {
        setImmediate(() => this.request_completed.emit(4, 0, [], new Uint8Array(0)));
      }
    })();
    return OK;
  }
}
