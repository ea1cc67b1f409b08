/**
 * Issue 7 point 4: property-based tests (fast-check) of the pure parts gdhttp trusts with caller and server
 * input — URL parsing, header validation, `query_string_from_dict`, redirect resolution. Each property runs
 * for its share of the fuzz budget (budget.ts); the number of executions is printed as a diagnostic.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { http_escape, query_string_from_dict, type QueryValue } from '../../src/index.js';
import { METHOD_NAMES } from '../../src/net/http-client-constants.js';
import { followRedirect } from '../../src/net/redirect.js';
import { parseHeaderLines } from '../../src/net/request-validation.js';
import { parseRequestUrl } from '../../src/net/url.js';
import { budgetMs, SEED, SHARE } from './budget.js';

/** Runs `property` for its time share (at most `maxRuns`), fails with fast-check's report, logs the count. */
function runProperty<Ts>(t: TestContext, property: fc.IPropertyWithHooks<Ts>, maxRuns = 1_000_000): void {
  const details = fc.check(property, {
    seed: SEED,
    numRuns: maxRuns,
    interruptAfterTimeLimit: budgetMs(SHARE.property),
    markInterruptAsFailure: false,
  });
  t.diagnostic(`${details.numRuns} executions (seed ${SEED})`);
  if (details.failed) assert.fail(fc.defaultReportMessage(details) ?? 'property failed');
  assert.ok(details.numRuns > 0);
}

/* eslint-disable no-control-regex -- control bytes are the subject */
const CONTROL = /[\u0000-\u001f\u007f]/;
const CR_LF_NUL = /[\r\n\u0000]/;
/* eslint-enable no-control-regex */

const controlChar = fc.oneof(
  fc.constantFrom('\r', '\n', '\u0000', '\r\n', '\t', '\u007f'),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

/** Inserts `piece` into `text` at `at` (modulo its length + 1). */
function insertAt(text: string, at: number, piece: string): string {
  const i = at % (text.length + 1);
  return text.slice(0, i) + piece + text.slice(i);
}

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const segment = fc
  .array(
    fc.oneof(
      fc.constantFrom(...UNRESERVED.split('')),
      fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).toUpperCase().padStart(2, '0')}`),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  // "." and ".." segments (also as %2E) are normalised away by the WHATWG parser, by design.
  .filter((s) => !/^(?:\.|%2E)+$/i.test(s));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/).filter((l) => !l.startsWith('xn--'));
const domainHost = fc
  .tuple(fc.array(label, { minLength: 0, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const hostArb = fc.oneof(
  domainHost.map((h) => ({ text: h, host: h })),
  fc.ipV4().map((h) => ({ text: h, host: h })),
  fc.constantFrom(
    { text: '[::1]', host: '::1' },
    { text: '[2001:db8::1]', host: '2001:db8::1' },
    { text: 'LOCALHOST', host: 'localhost' },
    { text: 'Example.COM', host: 'example.com' },
  ),
);
const urlArb = fc.record({
  tls: fc.boolean(),
  upperScheme: fc.boolean(),
  host: hostArb,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  segments: fc.array(segment, { maxLength: 5 }),
  trailingSlash: fc.boolean(),
  query: fc.option(fc.array(fc.tuple(segment, segment), { maxLength: 3 }), { nil: undefined }),
});
type UrlParts = typeof urlArb extends fc.Arbitrary<infer U> ? U : never;

function buildUrl(u: UrlParts): { text: string; path: string; port: number } {
  const scheme = u.tls ? 'https' : 'http';
  let path = `/${u.segments.join('/')}`;
  if (u.trailingSlash && u.segments.length > 0) path += '/';
  const search =
    // An empty `?` is dropped by the WHATWG parser (its `search` is ''), so it is not generated.
    u.query === undefined || u.query.length === 0 ? '' : `?${u.query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  const port = u.port ?? (u.tls ? 443 : 80);
  const text = `${u.upperScheme ? scheme.toUpperCase() : scheme}://${u.host.text}${u.port === undefined ? '' : `:${u.port}`}${path}${search}`;
  return { text, path: `${path}${search}`, port };
}

test('URL parsing never throws and every accepted URL is well-formed', (t) => {
  runProperty(
    t,
    fc.property(anyText, (text) => {
      const parsed = parseRequestUrl(text);
      if (parsed === undefined) return;
      assert.ok(/^https?:\/\//.test(parsed.href), parsed.href);
      assert.ok(parsed.host.length > 0);
      assert.ok(Number.isInteger(parsed.port) && parsed.port >= 1 && parsed.port <= 65535);
      assert.ok(parsed.path.startsWith('/'));
      assert.ok(!CONTROL.test(parsed.path) && !parsed.path.includes(' '), parsed.path);
      assert.ok(!CONTROL.test(parsed.host), parsed.host);
    }),
  );
});

test('URL parsing refuses a control byte anywhere', (t) => {
  runProperty(
    t,
    fc.property(
      fc.oneof(
        urlArb.map((u) => buildUrl(u).text),
        anyText,
      ),
      fc.nat(),
      controlChar,
      (text, at, c) => {
        assert.equal(parseRequestUrl(insertAt(text, at, c)), undefined);
      },
    ),
  );
});

test('valid http(s) URLs are accepted and round-trip host, port and path', (t) => {
  runProperty(
    t,
    fc.property(urlArb, (u) => {
      const { text, path, port } = buildUrl(u);
      const parsed = parseRequestUrl(text);
      assert.ok(parsed !== undefined, `refused ${text}`);
      assert.equal(parsed.tls, u.tls);
      assert.equal(parsed.host, u.host.host);
      assert.equal(parsed.port, port);
      assert.equal(parsed.path, path);
      assert.equal(parsed.authorization, undefined);
    }),
  );
});

const tokenName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);
const safeValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((v) => v.trim());
const headerLine = fc.tuple(tokenName, safeValue).map(([n, v]) => `${n}: ${v}`);

test('header validation: CR, LF or NUL anywhere in any line is never accepted', (t) => {
  runProperty(
    t,
    fc.property(
      fc.array(headerLine, { minLength: 1, maxLength: 6 }),
      fc.nat(),
      fc.nat(),
      fc.constantFrom('\r', '\n', '\u0000', '\r\n', '\r\n\r\n'),
      (lines, which, at, bad) => {
        const index = which % lines.length;
        const poisoned = lines.map((l, i) => (i === index ? insertAt(l, at, bad) : l));
        assert.equal(parseHeaderLines(poisoned), undefined, JSON.stringify(poisoned));
        assert.ok(parseHeaderLines(lines) !== undefined, JSON.stringify(lines));
      },
    ),
  );
});

test('header validation never throws; accepted fields have token names and no control bytes but HTAB', (t) => {
  runProperty(
    t,
    fc.property(fc.array(fc.oneof(anyText, headerLine), { maxLength: 6 }), (lines) => {
      const fields = parseHeaderLines(lines);
      if (fields === undefined) return;
      for (const { name, value } of fields) {
        assert.ok(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name), name);
        assert.ok(!CR_LF_NUL.test(value) && !CONTROL.test(value.replace(/\t/g, '')), JSON.stringify(value));
      }
    }),
  );
});

const queryScalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

function expectedText(value: Exclude<QueryValue, readonly QueryValue[]>): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

test('query_string_from_dict: only unreserved characters and %XX, and it decodes back to the input', (t) => {
  runProperty(
    t,
    fc.property(
      fc.uniqueArray(
        fc.tuple(
          fc.string({ unit: 'binary', maxLength: 20 }),
          fc.oneof(
            queryScalar,
            fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.integer()), { maxLength: 4 }),
          ),
        ),
        { selector: ([k]) => k, maxLength: 6 },
      ),
      (entries) => {
        const dict = new Map<string, QueryValue>(entries);
        const query = query_string_from_dict(dict);
        assert.ok(/^(?:[A-Za-z0-9\-_.~=&]|%[0-9A-F]{2})*$/.test(query), query);
        const expected: [string, string | null][] = [];
        for (const [key, value] of entries) {
          if (Array.isArray(value)) for (const item of value) expected.push([key, String(item)]);
          else if (value === null) expected.push([key, null]);
          else expected.push([key, expectedText(value)]);
        }
        const decoded: [string, string | null][] =
          query === ''
            ? []
            : query.split('&').map((part) => {
                const eq = part.indexOf('=');
                return eq === -1
                  ? [decodeURIComponent(part), null]
                  : [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))];
              });
        // An empty key with a null value gives an empty part, which split('&') cannot tell apart.
        if (!expected.some(([k, v]) => k === '' && v === null)) assert.deepEqual(decoded, expected);
        for (const [key] of entries) assert.equal(decodeURIComponent(http_escape(key)), key);
      },
    ),
  );
});

test('query_string_from_dict and http_escape never throw, even on a lone surrogate', (t) => {
  runProperty(
    t,
    fc.property(
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.nat(),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      (s, at, unit) => {
        const text = insertAt(s, at, String.fromCharCode(unit));
        assert.doesNotThrow(() => query_string_from_dict({ k: text }));
      },
    ),
    200,
  );
});

const ORIGIN_BOUND = ['authorization', 'cookie', 'proxy-authorization'];
const headerFields = fc.subarray([
  { name: 'Authorization', value: 'Bearer x' },
  { name: 'Cookie', value: 'a=b' },
  { name: 'Proxy-Authorization', value: 'Basic eA==' },
  { name: 'Content-Type', value: 'text/plain' },
  { name: 'Content-Length', value: '3' },
  { name: 'X-Other', value: '1' },
]);
const location = fc.oneof(
  urlArb.map((u) => buildUrl(u).text),
  fc.webUrl({
    withQueryParameters: true,
    withFragments: true,
    validSchemes: ['http', 'https', 'ftp', 'file', 'javascript', 'data'],
  }),
  fc.array(segment, { maxLength: 4 }).map((s) => s.join('/')),
  fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`),
  fc.array(segment, { maxLength: 4 }).map((s) => `../${s.join('/')}`),
  hostArb.map((h) => `//${h.text}/p`),
  fc.constantFrom(
    '',
    ' ',
    '#frag',
    '?q=1',
    'javascript:alert(1)',
    'mailto:a@b',
    'http://u:p@127.0.0.9/x',
    '//user@h/x',
    'HTTP://X/',
  ),
  anyText,
);

test('redirect resolution: always http(s); credentials dropped across origins; method rules', (t) => {
  runProperty(
    t,
    fc.property(
      urlArb,
      fc.option(fc.constantFrom('u:p@', 'user@', 'a%20b:c@'), { nil: undefined }),
      fc.constantFrom(300, 301, 302, 303, 304, 305, 306, 307, 308, 200, 404),
      fc.option(location, { nil: undefined }),
      fc.constantFrom(...METHOD_NAMES.filter((m) => m !== 'CONNECT')),
      headerFields,
      fc.boolean(),
      (u, userinfo, status, loc, method, headers, withBody) => {
        const built = buildUrl(u).text;
        const currentText = userinfo === undefined ? built : built.replace('://', `://${userinfo}`);
        const current = parseRequestUrl(currentText);
        assert.ok(current !== undefined, currentText);
        const body = withBody ? new Uint8Array([1, 2, 3]) : null;
        const hop = followRedirect(current, status, loc, method, headers, body);
        if (![301, 302, 303, 307, 308].includes(status) || loc === undefined || loc.trim() === '') {
          assert.equal(hop, undefined);
          return;
        }
        if (hop === undefined) return; // not http(s), or unparsable: the 3xx is the final response
        assert.ok(/^https?:\/\//.test(hop.url.href), hop.url.href);
        assert.equal(hop.url.tls, hop.url.href.startsWith('https:'));
        assert.ok(!hop.url.href.includes('#'));
        const sameOrigin =
          hop.url.tls === current.tls && hop.url.host === current.host && hop.url.port === current.port;
        const target = new URL(loc.trim(), current.href);
        const targetHasUserinfo = target.username !== '' || target.password !== '';
        if (!sameOrigin) {
          assert.deepEqual(
            hop.headers.filter((h) => ORIGIN_BOUND.includes(h.name.toLowerCase())),
            [],
            'origin-bound headers dropped',
          );
          if (!targetHasUserinfo) assert.equal(hop.url.authorization, undefined, 'URL credentials dropped');
        } else {
          assert.deepEqual(
            hop.headers.filter((h) => ORIGIN_BOUND.includes(h.name.toLowerCase())),
            headers.filter((h) => ORIGIN_BOUND.includes(h.name.toLowerCase())),
          );
          if (!targetHasUserinfo) assert.equal(hop.url.authorization, current.authorization);
        }
        const dropBody =
          (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
        assert.equal(hop.method, dropBody ? 'GET' : method);
        assert.equal(hop.body, dropBody ? null : body);
        if (dropBody) assert.ok(!hop.headers.some((h) => h.name.toLowerCase().startsWith('content-')));
        if (status === 307 || status === 308) {
          assert.equal(hop.method, method);
          assert.equal(hop.body, body);
        }
        assert.ok(
          hop.headers.every((h) => headers.includes(h)),
          'no header invented',
        );
      },
    ),
  );
});
