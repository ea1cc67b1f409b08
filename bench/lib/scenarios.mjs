// The scenarios and clients, shared by run.mjs (scheduling, report) and child.mjs (execution).

/** client name -> module in bench/clients/ (the order is the report's order). */
export const CLIENTS = {
  'gdhttp-request': 'gdhttp-request.mjs',
  'gdhttp-request-threads': 'gdhttp-request-threads.mjs',
  'gdhttp-client': 'gdhttp-client.mjs',
  'undici.request': 'undici-request.mjs',
  'undici.stream': 'undici-stream.mjs',
  fetch: 'fetch.mjs',
  'node:http': 'node-http.mjs',
  axios: 'axios.mjs',
  got: 'got.mjs',
  'node-fetch': 'node-fetch.mjs',
  ky: 'ky.mjs',
  curl: 'curl.mjs',
};

export const BASELINE = 'undici.request';

const GDHTTP_NODES = ['gdhttp-request', 'gdhttp-request-threads'];

/**
 * kind: 'count' (many small requests: req/s), 'big' (one large body: MiB/s), 'frame' or 'lag' (own tables).
 * only: the clients the scenario applies to (default: all).
 */
export const SCENARIOS = {
  'small-seq': {
    kind: 'count',
    title:
      '2,000 sequential GETs of a 1 KiB JSON on one keep-alive connection, after 1,000 warm-up requests (so every client runs JIT-compiled code)',
  },
  'small-conc': {
    kind: 'count',
    title: '10,000 GETs of the 1 KiB JSON, 50 in flight (50 lanes: 50 HTTPRequest nodes, 50 HTTPClients)',
  },
  'gzip-seq': {
    kind: 'count',
    title: '200 sequential GETs of a 1 MiB text served gzip-encoded (about 290 KiB on the wire), decoded',
  },
  'big-mem': { kind: 'big', title: 'one GET of {big} of random bytes into memory' },
  'big-file': { kind: 'big', title: 'one GET of {big} of random bytes to a file in /dev/shm' },
  'big-mem-https': {
    kind: 'big',
    title: 'one GET of {big} of random bytes into memory over HTTPS (TLS 1.3)',
  },
  'frame-rate': {
    kind: 'frame',
    title: 'one GET of {frame} into memory with the SceneTree at 10 frames/s vs unlimited (same process)',
    only: GDHTTP_NODES,
  },
  'main-loop-lag': {
    kind: 'lag',
    title:
      'p99 event-loop delay of the main thread (monitorEventLoopDelay, 1 ms resolution) while {big} downloads over HTTPS to a file',
    only: [...GDHTTP_NODES, BASELINE],
  },
};

export function appliesTo(scenario, client) {
  const only = SCENARIOS[scenario].only;
  return !only || only.includes(client);
}
