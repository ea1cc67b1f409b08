/**
 * Godot's HTTPClient tutorial program ("HTTP client class" in the Godot 3 docs), ported line by line: connect,
 * poll until connected, request, poll until the body starts, read chunks until done.
 *
 * The one change is Godot's: `http.poll()` followed by `OS.delay_msec(500)` becomes `await http.poll()`,
 * which settles as soon as something happened (see docs/differences.md).
 *
 * Run: node --import tsx examples/http-client.ts [base-url] [path]
 *   base-url: argv[2], else $GDHTTP_EXAMPLE_URL, else http://www.php.net (the tutorial's host)
 *   path:     argv[3], else $GDHTTP_EXAMPLE_PATH, else /ChangeLog-5.php (the tutorial's page)
 */
import { HTTPClient, OK, PoolByteArray, print } from '../src/index.js';

const base = new URL(process.argv[2] ?? process.env['GDHTTP_EXAMPLE_URL'] ?? 'http://www.php.net');
const path = process.argv[3] ?? process.env['GDHTTP_EXAMPLE_PATH'] ?? '/ChangeLog-5.php';
const useSsl = base.protocol === 'https:';
const port = base.port === '' ? -1 : Number(base.port);

/** Godot's `assert()`: stops the program when the condition is false. */
function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`Assertion failed: ${what}`);
}

async function main(): Promise<void> {
  let err = 0;
  const http = new HTTPClient(); // Create the Client.

  err = http.connect_to_host(base.hostname, port, useSsl); // Connect to host/port.
  check(err === OK, 'connect_to_host() returned OK'); // Make sure connection is OK.

  // Wait until resolved and connected.
  while (
    http.get_status() === HTTPClient.STATUS_CONNECTING ||
    http.get_status() === HTTPClient.STATUS_RESOLVING
  ) {
    await http.poll();
    print('Connecting...');
  }

  check(http.get_status() === HTTPClient.STATUS_CONNECTED, 'connected'); // Check if the connection was made successfully.

  // Some headers
  const headers = ['User-Agent: Pirulo/1.0 (Godot)', 'Accept: */*'];

  err = http.request(HTTPClient.METHOD_GET, path, headers); // Request a page from the site (this one was chunked..)
  check(err === OK, 'request() returned OK'); // Make sure all is OK.

  while (http.get_status() === HTTPClient.STATUS_REQUESTING) {
    // Keep polling for as long as the request is being processed.
    await http.poll();
    print('Requesting...');
  }

  check(
    http.get_status() === HTTPClient.STATUS_BODY || http.get_status() === HTTPClient.STATUS_CONNECTED,
    'request finished well',
  ); // Make sure request finished well.

  print('response? ', http.has_response()); // Site might not have a response.

  if (http.has_response()) {
    // If there is a response...

    const responseHeaders = http.get_response_headers_as_dictionary(); // Get response headers.
    print('code: ', http.get_response_code()); // Show response code.
    print('**headers:\n', responseHeaders); // Show headers.

    // Getting the HTTP Body

    if (http.is_response_chunked()) {
      // Does it use chunks?
      print('Response is Chunked!');
    } else {
      // Or just plain Content-Length
      const bl = http.get_response_body_length();
      print('Response Length: ', bl);
    }

    // This method works for both anyway

    const chunks: Uint8Array[] = []; // Array that will hold the data.

    while (http.get_status() === HTTPClient.STATUS_BODY) {
      // While there is body left to be read
      await http.poll(); // Settles once a chunk has arrived (Godot: poll, then wait a little).
      const chunk = http.read_response_body_chunk(); // Get a chunk.
      if (chunk.size() > 0) chunks.push(chunk); // Append to read buffer.
    }
    // Done!

    const rb = PoolByteArray.from_bytes(Buffer.concat(chunks));
    print('bytes got: ', rb.size());
    const text = rb.get_string_from_ascii();
    print('Text: ', text);
  }

  http.close();
}

await main();
