import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { displayUrl, joinUrl, parseAllowedOrigins, parseBaseUrl } from '../../src/core/url.js';

describe('parseBaseUrl', () => {
  it.each([
    ['https://h/api/v1', 'https://h/api/v1/'],
    ['https://h/api/v1/', 'https://h/api/v1/'],
    ['https://h', 'https://h/'],
    ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080/x/'],
  ])('%s → %s', (input, href) => {
    expect(parseBaseUrl(input).href).toBe(href);
  });

  it.each([
    ['', /baseUrl is empty/],
    ['   ', /baseUrl is empty/],
    ['/api/v1', /not an absolute URL: start it with http/],
    ['api.example.com', /not an absolute URL/],
    ['ftp://h/x', /must use http: or https:, not ftp:/],
    ['javascript:alert(1)', /must use http: or https:, not javascript:/],
    ['file:///etc/passwd', /must use http: or https:/],
    ['https://user:hunter2@h/x', /must not hold credentials/],
    ['https://h/x?key=1', /must not have a query string/],
    ['https://h/x#top', /must not have a query string or a fragment/],
  ])('refuses %j', (input, message) => {
    expect(() => parseBaseUrl(input)).toThrow(ConfigurationError);
    expect(() => parseBaseUrl(input)).toThrow(message);
  });

  it('never echoes credentials or a query in its message', () => {
    for (const input of ['https://user:hunter2@h/x', 'https://h/x?key=hunter2', 'not a url?key=hunter2', 'x@hunter2']) {
      expect(() => parseBaseUrl(input)).toThrow(ConfigurationError);
      try {
        parseBaseUrl(input);
      } catch (error) {
        expect(String((error as Error).message)).not.toContain('hunter2');
      }
    }
  });
});

describe('joinUrl', () => {
  const base = parseBaseUrl('https://h/api/v1');

  it.each([
    ['/items', undefined, 'https://h/api/v1/items'],
    ['items', undefined, 'https://h/api/v1/items'],
    ['items/', undefined, 'https://h/api/v1/items/'],
    ['', undefined, 'https://h/api/v1/'],
    ['/', undefined, 'https://h/api/v1/'],
    ['items/42/parts', undefined, 'https://h/api/v1/items/42/parts'],
    ['items', { q: 'a b', page: 2 }, 'https://h/api/v1/items?q=a+b&page=2'],
    ['items', { tag: ['a', 'b'] }, 'https://h/api/v1/items?tag=a&tag=b'],
    ['items', { a: undefined, b: null, c: 'x' }, 'https://h/api/v1/items?c=x'],
    ['items', { flag: true, n: 0, big: 10n }, 'https://h/api/v1/items?flag=true&n=0&big=10'],
    ['items', { tag: ['a', undefined, 'b'] }, 'https://h/api/v1/items?tag=a&tag=b'],
    ['items', { amp: 'a&b=c', unicode: 'é' }, 'https://h/api/v1/items?amp=a%26b%3Dc&unicode=%C3%A9'],
    ['items?sort=asc', { page: 1 }, 'https://h/api/v1/items?sort=asc&page=1'],
    ['items', new URLSearchParams([['a', '1'], ['a', '2']]), 'https://h/api/v1/items?a=1&a=2'],
    ['items', {}, 'https://h/api/v1/items'],
    ['a..b/c', undefined, 'https://h/api/v1/a..b/c'],
    ['items?next=../x', undefined, 'https://h/api/v1/items?next=../x'],
    ['files:upload', undefined, 'https://h/api/v1/files:upload'],
    ['/files:upload', undefined, 'https://h/api/v1/files:upload'],
    ['projects/p1:run', undefined, 'https://h/api/v1/projects/p1:run'],
    ['javascript:alert(1)', undefined, 'https://h/api/v1/javascript:alert(1)'],
    ['?only=query', undefined, 'https://h/api/v1/?only=query'],
    // A ".." that stays under the base is no climb, written or encoded.
    ['items/../x', undefined, 'https://h/api/v1/x'],
    ['items%2f..%2fadmin', undefined, 'https://h/api/v1/items%2f..%2fadmin'],
    ['a/b/..%3fq', undefined, 'https://h/api/v1/a/b/..%3fq'],
    ['items/what%3F', undefined, 'https://h/api/v1/items/what%3F'],
  ])('joins %j (case %#)', (endpoint, params, href) => {
    expect(joinUrl(base, endpoint, params).href).toBe(href);
  });

  it.each([
    ['https://evil.test/x', /is an absolute URL/],
    ['http://h/api/v1/x', /is an absolute URL/],
    ['//evil.test/x', /is an absolute URL/],
    ['\\\\evil.test/x', /is an absolute URL/],
    ['HTTPS://evil.test/x', /is an absolute URL/],
    ['http:evil.test/x', /is an absolute URL/],
    ['ws://evil.test/x', /is an absolute URL/],
    ['/\\evil.test/x', /is an absolute URL/],
    ['../admin', /climbs above the base URL/],
    ['items/../../admin', /climbs above/],
    ['..', /climbs above/],
    ['%2e%2e/admin', /climbs above/],
    ['..%2f..%2fadmin', /climbs above/],
    ['items%2f..%2f..%2fadmin', /climbs above/],
    ['.%2E/admin', /climbs above/],
    // Decoded once, each of these is ".." followed by what ends a path segment for a URL parser ("?", "#"),
    // or by a tab or line break, which it drops: a server that decodes the path and parses it again climbs.
    ['..%3f', /climbs above/],
    ['..%3Fx=1', /climbs above/],
    ['..%23', /climbs above/],
    ['..%09', /climbs above/],
    ['..%0a/admin', /climbs above/],
    ['..%0D%0A', /climbs above/],
    ['.%2e%3f/admin', /climbs above/],
    ['items/..%2f..%3f', /climbs above/],
    ['..%20', /climbs above/],
    // A server that strips ";" path parameters from each segment sees ".." in these.
    ['..;/admin', /climbs above/],
    ['items/..;x/..;y/admin', /climbs above/],
    ['%2e%2e%3B/admin', /climbs above/],
    ['.\t./admin', /climbs above/],
    ['.\n./admin', /climbs above/],
    ['%2e\t%2e/admin', /climbs above/],
    // The URL parser drops the tab and the trailing space: "..%2F" and ".%2F.." climb on a server that decodes the path once.
    ['..\t%2F', /climbs above/],
    ['.%2F.. ', /climbs above/],
    ['https://h/api/v1/..\t%2Fadmin', /climbs above/],
    ['https://h/api/v1/..%3f', /climbs above/],
  ])('refuses %j', (endpoint, message) => {
    expect(() => joinUrl(base, endpoint)).toThrow(ConfigurationError);
    expect(() => joinUrl(base, endpoint)).toThrow(message);
  });

  it.each([
    [{ o: { a: 1 } }, /params.o is an object/],
    [{ f: () => 1 }, /params.f is a function/],
    [{ s: [Symbol('x')] }, /params.s is a symbol/],
  ])('refuses params %#', (params, message) => {
    expect(() => joinUrl(base, 'x', params as never)).toThrow(message);
  });
});

describe('joinUrl with absolute endpoints', () => {
  const base = parseBaseUrl('https://h/api/v1');
  const allowed = parseAllowedOrigins(['https://cdn.test', 'http://127.0.0.1:8080']);

  it.each([
    ['https://h/api/v1/items', 'https://h/api/v1/items'],
    ['https://h:443/api/v1/items?x=1', 'https://h/api/v1/items?x=1'],
    ['//h/api/v1/items', 'https://h/api/v1/items'],
    ['https://cdn.test/files/a.png', 'https://cdn.test/files/a.png'],
    ['//cdn.test/a', 'https://cdn.test/a'],
    ['HTTPS://CDN.TEST/a', 'https://cdn.test/a'],
    ['http://127.0.0.1:8080/anywhere', 'http://127.0.0.1:8080/anywhere'],
  ])('sends %j to %s', (endpoint, href) => {
    expect(joinUrl(base, endpoint, undefined, allowed).href).toBe(href);
  });

  it.each([
    ['https://evil.test/x', /is an absolute URL to another origin \(https:\/\/evil\.test\) than the base URL https:\/\/h\/api\/v1\/: nothing was sent/],
    ['http://cdn.test/a', /another origin \(http:\/\/cdn\.test\)/],
    ['https://cdn.test:8443/a', /another origin \(https:\/\/cdn\.test:8443\)/],
    ['http://127.0.0.1:8081/x', /another origin \(http:\/\/127\.0\.0\.1:8081\)/],
    ['//evil.test/x', /list https:\/\/evil\.test in allowedOrigins/],
    ['https://h/admin', /resolves outside the base URL/],
    ['https://h/api/v1/../../admin', /resolves outside the base URL/],
    ['https://cdn.test/..%23', /climbs above/],
    ['https://cdn.test/a/..%2f..%2fb', /climbs above/],
    ['https://user:hunter2@cdn.test/a', /holds credentials/],
    ['ws://cdn.test/a', /with ws:; only http: and https: are sent/],
    ['http://[::1/x', /cannot be parsed/],
  ])('refuses %j', (endpoint, message) => {
    expect(() => joinUrl(base, endpoint, undefined, allowed)).toThrow(ConfigurationError);
    expect(() => joinUrl(base, endpoint, undefined, allowed)).toThrow(message);
  });

  it('never echoes credentials or a query of an absolute endpoint', () => {
    for (const endpoint of ['https://user:hunter2@evil.test/x', 'https://evil.test/x?key=hunter2']) {
      expect(() => joinUrl(base, endpoint)).toThrow(ConfigurationError);
      expect(() => joinUrl(base, endpoint)).not.toThrow(/hunter2/);
    }
  });
});

describe('parseAllowedOrigins', () => {
  it('normalises origins', () => {
    expect(parseAllowedOrigins(['https://A.test/', 'https://b.test:443', 'http://127.0.0.1:8080'])).toEqual(
      new Set(['https://a.test', 'https://b.test', 'http://127.0.0.1:8080']),
    );
    expect(parseAllowedOrigins(undefined)).toEqual(new Set());
  });

  it.each([['https://a.test/path'], ['https://a.test?x=1'], ['https://a.test#f'], ['ftp://a.test'], ['a.test'], [''], ['https://u:p@a.test'], [42]])(
    'refuses %j',
    (origin) => {
      expect(() => parseAllowedOrigins([origin as string])).toThrow(/allowedOrigins: .* is not an http\(s\) origin/);
    },
  );
});

describe('displayUrl', () => {
  it('drops the query string and the fragment', () => {
    expect(displayUrl(new URL('https://h/a/b?key=secret#frag'))).toBe('https://h/a/b');
  });
});
