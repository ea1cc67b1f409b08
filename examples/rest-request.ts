/**
 * The class reference's first HTTPRequest example ("contacting a REST API and printing one of its returned
 * fields"), ported line by line from GDScript. Instead of https://httpbin.org it talks to the base URL given
 * on the command line or in GDHTTP_BASE_URL (`npm start` points it at the local test server).
 *
 * As in Godot, the POST is made while the node is still busy with the GET, so `request()` returns ERR_BUSY:
 * the reference shows that snippet "for reference only" and warns against it. This port prints the refusal.
 *
 * Run: node --import tsx examples/rest-request.ts http://127.0.0.1:8080
 */
import { pathToFileURL } from 'node:url';
import {
  ERR_BUSY,
  HTTPClient,
  HTTPRequest,
  Node,
  OK,
  SceneTree,
  error_name,
  parse_json,
  print,
  push_error,
  to_json,
  type PoolByteArray,
  type PoolStringArray,
} from '../src/index.js';

/** What httpbin's /get and /post echo back (the fields this example reads). */
export interface EchoResponse {
  readonly headers: Record<string, string>;
  readonly json: unknown;
}

export class Main extends Node {
  /** The HTTPRequest child made in `_ready()`. */
  http_request: HTTPRequest | null = null;
  /** What `request()` returned for the POST made while the GET was running. */
  post_error: number = OK;
  /** The last parsed response (for examples/main-job.ts). */
  response: EchoResponse | null = null;

  constructor(readonly base_url: string) {
    super();
  }

  override _ready(): void {
    // Create an HTTP request node and connect its completion signal.
    const http_request = new HTTPRequest();
    this.http_request = http_request;
    this.add_child(http_request);
    http_request.connect('request_completed', this, '_http_request_completed');

    // Perform a GET request. The URL below returns JSON as of writing.
    let error = http_request.request(`${this.base_url}/get`);
    if (error !== OK) {
      push_error('An error occurred in the HTTP request.');
    }

    // Perform a POST request. The URL below returns JSON as of writing.
    // Note: Don't make simultaneous requests using a single HTTPRequest node.
    // The snippet below is provided for reference only.
    const body = to_json({ name: 'Godette' });
    error = http_request.request(`${this.base_url}/post`, [], true, HTTPClient.METHOD_POST, body);
    if (error !== OK) {
      push_error('An error occurred in the HTTP request.');
    }
    // (gdhttp) Say what happened to that POST, as the reference warns: the node was busy with the GET.
    this.post_error = error;
    if (error === ERR_BUSY) {
      print(
        'The POST was refused with ERR_BUSY: the node was still busy with the GET, as the reference warns.',
      );
    } else {
      print('The POST returned ', error_name(error) ?? error, '.');
    }
  }

  // Called when the HTTP request is completed.
  _http_request_completed(
    _result: number,
    _response_code: number,
    _headers: PoolStringArray,
    body: PoolByteArray,
  ): void {
    const response = parse_json(body.get_string_from_utf8()) as EchoResponse;
    this.response = response;

    // Will print the user agent string used by the HTTPRequest node (as recognized by httpbin.org).
    print(response.headers['User-Agent']);
  }
}

/** The base URL from the command line or GDHTTP_BASE_URL, else the reference's httpbin.org. */
export function base_url_from(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  return (argv[2] ?? env['GDHTTP_BASE_URL'] ?? 'https://httpbin.org').replace(/\/+$/, '');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const tree = new SceneTree();
  tree.root.add_child(new Main(base_url_from(process.argv, process.env))); // _ready(): the GET starts.
  // Nothing more to do: Node.js exits by itself once the request has completed and the tree is idle.
}
