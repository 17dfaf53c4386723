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
    ['content-location', '/items/1?sig=abc#x', '/items/1'],
    ['referer', 'https://app.test/page?token=t', 'https://app.test/page'],
    ['link', '</v1/items?page=2>; rel="next"', '</v1/items?page=2>; rel="next"'],
  ])('shows the %s header without its query', (name, value, shown) => {
    expect(redactHeaders({ [name]: value }, new Set())).toEqual({ [name]: shown });
  });

  it('reads a Headers object, Set-Cookie included', () => {
    const headers = new Headers([
      ['content-type', 'text/plain'],
      ['set-cookie', 'sid=abc; HttpOnly'],
    ]);
    expect(redactHeaders(headers, new Set())).toEqual({ 'content-type': 'text/plain', 'set-cookie': REDACTED });
  });
});
