import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import { displayUrl, joinUrl, parseBaseUrl } from '../src/url.js';

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
    ['items%2f..%2fadmin', /climbs above/],
    ['.%2E/admin', /climbs above/],
    ['.\t./admin', /resolves outside the base URL/],
    ['.\n./admin', /resolves outside the base URL/],
    ['%2e\t%2e/admin', /resolves outside the base URL/],
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

describe('displayUrl', () => {
  it('drops the query string and the fragment', () => {
    expect(displayUrl(new URL('https://h/a/b?key=secret#frag'))).toBe('https://h/a/b');
  });
});
