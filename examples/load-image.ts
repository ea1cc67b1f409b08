/**
 * The class reference's second HTTPRequest example ("loading and displaying an image"), ported line by line
 * from GDScript. Godot's `Image.load_png_from_buffer()` becomes the pngjs decoder; there is no screen, so the
 * TextureRect below only holds the image, and the example prints its width and height.
 *
 * Run: node --import tsx examples/load-image.ts http://127.0.0.1:8080   (requests BASE/image/png)
 */
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import {
  HTTPRequest,
  Node,
  OK,
  SceneTree,
  print,
  push_error,
  type PoolByteArray,
  type PoolStringArray,
} from '../src/index.js';
import { base_url_from } from './rest-request.js';

/** Stands in for Godot's TextureRect: a node that holds the decoded image. */
export class TextureRect extends Node {
  texture: PNG | null = null;
}

export class Main extends Node {
  /** The TextureRect added once the image is loaded (for examples/main-job.ts). */
  texture_rect: TextureRect | null = null;

  constructor(readonly base_url: string) {
    super();
  }

  override _ready(): void {
    // Create an HTTP request node and connect its completion signal.
    const http_request = new HTTPRequest();
    this.add_child(http_request);
    http_request.connect('request_completed', this, '_http_request_completed');

    // Perform the HTTP request. The URL below returns a PNG image as of writing.
    const error = http_request.request(`${this.base_url}/image/png`);
    if (error !== OK) {
      push_error('An error occurred in the HTTP request.');
    }
  }

  // Called when the HTTP request is completed.
  _http_request_completed(
    _result: number,
    _response_code: number,
    _headers: PoolStringArray,
    body: PoolByteArray,
  ): void {
    let image: PNG;
    try {
      image = PNG.sync.read(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    } catch {
      push_error("Couldn't load the image.");
      return;
    }

    // Display the image in a TextureRect node (here: keep it, and print its size).
    const texture_rect = new TextureRect();
    this.add_child(texture_rect);
    texture_rect.texture = image;
    this.texture_rect = texture_rect;
    print('Loaded a PNG image of ', image.width, ' x ', image.height, ' pixels.');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const tree = new SceneTree();
  tree.root.add_child(new Main(base_url_from(process.argv, process.env))); // _ready(): the request starts.
  // Nothing more to do: Node.js exits by itself once the request has completed and the tree is idle.
}
