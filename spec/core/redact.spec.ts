import { describe, expect, it } from 'vitest';
import { isSensitiveHeader, REDACTED, redactHeaders } from '../../src/core/redact.js';

describe('isSensitiveHeader', () => {
  it.each([
    ['Authorization', true],
    ['proxy-authorization', true],
    ['Cookie', true],
    ['Set-Cookie', true],
    ['X-API-Key', true],
    ['X-Goog-Api-Key', true],
    ['X-Auth-Token', true],
    ['X-Csrf-Token', true],
    ['X-Session-Id', true],
    ['X-Client-Secret', true],
    ['X-Amz-Signature', true],
    ['X-Tenant', true], // came from authHeaders: see authNames below
    ['Accept', false],
    ['Content-Type', false],
    ['X-Trace', false],
    ['User-Agent', false],
  ])('%s → %s', (name, sensitive) => {
    expect(isSensitiveHeader(name, new Set(['x-tenant']))).toBe(sensitive);
  });
});

describe('redactHeaders', () => {
  it('replaces sensitive values and keeps the rest, from a record', () => {
    expect(redactHeaders({ Authorization: 'Bearer t', 'x-tenant': 'acme-secret', accept: 'application/json' }, new Set(['x-tenant']))).toEqual({
      authorization: REDACTED,
      'x-tenant': REDACTED,
      accept: 'application/json',
    });
  });

  it.each([
    ['location', 'https://app.test/cb?code=SECRET-CODE&state=s', 'https://app.test/cb'],
    ['location', 'https://app.test/cb#access_token=SECRET', 'https://app.test/cb'],
    ['content-location', '/items/1?sig=abc#x', '/items/1'],
    ['referer', 'https://app.test/page?token=t', 'https://app.test/page'],
    // Any header that holds a URL, not a list of names: every URL in the value loses its query.
    ['link', '</v1/items?page=2&api_key=SECRET>; rel="next"', '</v1/items>; rel="next"'],
    [
      'link',
      '<https://h.test/v1/items?api_key=SECRET&page=2>; rel="next", <https://h.test/v1/items?page=9;key=SECRET>; rel="last"',
      '<https://h.test/v1/items>; rel="next", <https://h.test/v1/items>; rel="last"',
    ],
    ['refresh', '0; url=https://app.test/cb?code=SECRET', '0; url=https://app.test/cb'],
    ['x-next-page', 'https://h.test/v1/items?cursor=c,SECRET', 'https://h.test/v1/items'],
    ['content-security-policy', "report-uri https://r.test/csp?key=SECRET; default-src 'self'", "report-uri https://r.test/csp default-src 'self'"],
    ['warning', '299 - "see https://docs.test/?ref=SECRET#part"', '299 - "see https://docs.test/"'],
  ])('shows the %s header without the query of any URL in it (case %#)', (name, value, shown) => {
    expect(redactHeaders({ [name]: value }, new Set())).toEqual({ [name]: shown });
    expect(redactHeaders(new Headers({ [name]: value }), new Set())).toEqual({ [name]: shown });
  });

  it('leaves values without a URL query as they are', () => {
    const plain = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=60, public', etag: 'W/"abc"', date: 'Tue, 01 Jul 2025 10:00:00 GMT' };
    expect(redactHeaders(plain, new Set())).toEqual(plain);
  });

  it('reads a Headers object, Set-Cookie included', () => {
    const headers = new Headers([
      ['content-type', 'text/plain'],
      ['set-cookie', 'sid=abc; HttpOnly'],
    ]);
    expect(redactHeaders(headers, new Set())).toEqual({ 'content-type': 'text/plain', 'set-cookie': REDACTED });
  });
});
