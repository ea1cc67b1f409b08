/**
 * The committed allow-list of T3 *laxer* items (differential.ts): corpus items where gdhttp's HTTPRequest reports
 * SUCCESS while `node:http` and/or Node's `fetch` reject, or where both accept but with another status or body.
 * Each entry names the peers it is laxer than and says, in one line, why accepting is right. A laxer item that
 * is not listed here fails differential.test.ts; a truncated or ambiguous body accepted as SUCCESS is a gdhttp
 * bug and never belongs here.
 */
import type { PeerName } from './differential.js';

export interface LaxerEntry {
  readonly peers: readonly PeerName[];
  /** One line: why gdhttp's SUCCESS (with its body) is acceptable where the peer refuses. */
  readonly why: string;
}

/** Bytes after a complete Content-Length-framed response. */
const AFTER_CL =
  'RFC 9112 §6.3: Content-Length frames the body, and a user agent MAY discard data left after a complete ' +
  'final response (it MUST NOT be taken as another response); node:http fails because llhttp parses the ' +
  'stray bytes as a next response (HPE_INVALID_CONSTANT); fetch returns the same status and body as gdhttp';

/** Bytes after a response that has no body by definition. */
const AFTER_NO_BODY = (what: string): string =>
  `RFC 9112 §6.3 rule 1: ${what} ends at the blank line whatever Content-Length or Transfer-Encoding say, so ` +
  'the stray bytes are not its body and may be discarded (gdhttp closes the connection); node:http fails ' +
  'because llhttp parses them as a next response (HPE_INVALID_CONSTANT); fetch agrees with gdhttp';

export const LAXER: Readonly<Record<string, LaxerEntry>> = {
  'header/reason-100k': {
    peers: ['node:http'],
    why:
      'waived C34 (docs/trust.md): undici does not count the status line toward its header cap, so a 100 KiB ' +
      'reason phrase passes; the reason is dropped, the body is exactly the 2 Content-Length bytes and memory ' +
      'stays bounded; node:http counts it (HPE_HEADER_OVERFLOW), fetch (undici 6) accepts it like gdhttp',
  },
  'cl/0': { peers: ['node:http'], why: AFTER_CL },
  'cl/3-extra-bytes': { peers: ['node:http'], why: AFTER_CL },
  'cl/extra-keep': { peers: ['node:http'], why: AFTER_CL },
  'head/cl-with-body-fin': { peers: ['node:http'], why: AFTER_NO_BODY('a response to HEAD') },
  'head/chunked-with-body-fin': { peers: ['node:http'], why: AFTER_NO_BODY('a response to HEAD') },
  'nobody/204-body-fin': { peers: ['node:http'], why: AFTER_NO_BODY('a 204 response') },
  'nobody/304-body-fin': { peers: ['node:http'], why: AFTER_NO_BODY('a 304 response') },
  'nobody/204-cl-body-keep': { peers: ['node:http'], why: AFTER_NO_BODY('a 204 response') },
};
