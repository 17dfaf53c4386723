import { describe, expect, it } from 'vitest';
import { headersAfterRedirect, redirectDecision } from '../../src/core/redirect.js';

const A = 'http://127.0.0.1:1000';
const B = 'http://127.0.0.1:2000';

describe('redirectDecision (the Fetch standard, table)', () => {
  it.each([
    // status, method, from, to, decision
    [301, 'GET', `${A}/x`, `${A}/y`, { action: 'follow', method: 'GET', dropBody: false, crossOrigin: false }],
    [302, 'GET', `${A}/x`, `${B}/y`, { action: 'follow', method: 'GET', dropBody: false, crossOrigin: true }],
    [301, 'POST', `${A}/x`, `${A}/y`, { action: 'follow', method: 'GET', dropBody: true, crossOrigin: false }],
    [302, 'POST', `${A}/x`, `${A}/y`, { action: 'follow', method: 'GET', dropBody: true, crossOrigin: false }],
    [302, 'PUT', `${A}/x`, `${A}/y`, { action: 'follow', method: 'PUT', dropBody: false, crossOrigin: false }],
    [301, 'DELETE', `${A}/x`, `${A}/y`, { action: 'follow', method: 'DELETE', dropBody: false, crossOrigin: false }],
    [303, 'POST', `${A}/x`, `${B}/y`, { action: 'follow', method: 'GET', dropBody: true, crossOrigin: true }],
    [303, 'PUT', `${A}/x`, `${A}/y`, { action: 'follow', method: 'GET', dropBody: true, crossOrigin: false }],
    [303, 'PATCH', `${A}/x`, `${A}/y`, { action: 'follow', method: 'GET', dropBody: true, crossOrigin: false }],
    [303, 'GET', `${A}/x`, `${A}/y`, { action: 'follow', method: 'GET', dropBody: false, crossOrigin: false }],
    [303, 'HEAD', `${A}/x`, `${A}/y`, { action: 'follow', method: 'HEAD', dropBody: false, crossOrigin: false }],
    [307, 'POST', `${A}/x`, `${B}/y`, { action: 'follow', method: 'POST', dropBody: false, crossOrigin: true }],
    [308, 'PUT', `${A}/x`, `${A}/y`, { action: 'follow', method: 'PUT', dropBody: false, crossOrigin: false }],
    // A scheme or port change is another origin.
    [302, 'GET', 'https://h.test/x', 'http://h.test/x', { action: 'follow', method: 'GET', dropBody: false, crossOrigin: true }],
    [302, 'GET', 'https://h.test/x', 'https://h.test:8443/x', { action: 'follow', method: 'GET', dropBody: false, crossOrigin: true }],
    [302, 'GET', 'https://h.test/x', 'https://h.test:443/y', { action: 'follow', method: 'GET', dropBody: false, crossOrigin: false }],
    // Not redirects, or not followable.
    [200, 'GET', `${A}/x`, `${A}/y`, { action: 'stop' }],
    [300, 'GET', `${A}/x`, `${A}/y`, { action: 'stop' }],
    [304, 'GET', `${A}/x`, `${A}/y`, { action: 'stop' }],
    [305, 'GET', `${A}/x`, `${A}/y`, { action: 'stop' }],
    [404, 'GET', `${A}/x`, `${A}/y`, { action: 'stop' }],
    [302, 'GET', `${A}/x`, undefined, { action: 'stop' }],
  ] as const)('%i %s %s → %s', (status, method, from, to, decision) => {
    expect(redirectDecision(status, method, new URL(from), to === undefined ? undefined : new URL(to))).toEqual(decision);
  });

  it.each([
    ['javascript:alert(1)', /to a javascript: URL; only http: and https: are followed/],
    ['file:///etc/passwd', /to a file: URL/],
    ['ftp://h.test/x', /to a ftp: URL/],
    ['http://user:hunter2@h.test/x', /holds credentials/],
  ])('refuses a redirect to %s', (to, reason) => {
    const decision = redirectDecision(302, 'GET', new URL(`${A}/x`), new URL(to));
    expect(decision.action).toBe('refuse');
    expect(decision.action === 'refuse' && decision.reason).toMatch(reason);
    expect(decision.action === 'refuse' && decision.reason).not.toContain('hunter2');
  });
});

describe('headersAfterRedirect', () => {
  const headers = {
    authorization: 'Bearer t',
    'x-tenant-key': 'k',
    'x-api-key': 'k2',
    cookie: 'sid=1',
    'proxy-authorization': 'Basic p',
    'x-trace': 'trace-1',
    accept: 'application/json',
    'content-type': 'application/json',
    'content-language': 'fr',
  };
  const authNames = new Set(['authorization', 'x-tenant-key']);

  it.each([
    [
      'same origin, same method: everything is kept',
      { dropBody: false, crossOrigin: false },
      Object.keys(headers),
      [],
    ],
    [
      'cross origin: auth headers whatever their name, Cookie, Proxy-Authorization and X-API-Key are dropped',
      { dropBody: false, crossOrigin: true },
      ['x-trace', 'accept', 'content-type', 'content-language'],
      ['authorization', 'x-tenant-key', 'x-api-key', 'cookie', 'proxy-authorization'],
    ],
    [
      'same origin, now a GET: only the body headers go',
      { dropBody: true, crossOrigin: false },
      ['authorization', 'x-tenant-key', 'x-api-key', 'cookie', 'proxy-authorization', 'x-trace', 'accept'],
      ['content-type', 'content-language'],
    ],
    [
      'cross origin and a GET: both',
      { dropBody: true, crossOrigin: true },
      ['x-trace', 'accept'],
      ['authorization', 'x-tenant-key', 'x-api-key', 'cookie', 'proxy-authorization', 'content-type', 'content-language'],
    ],
  ])('%s', (_name, decision, kept, dropped) => {
    const next = headersAfterRedirect(headers, decision, authNames);
    expect(Object.keys(next.headers)).toEqual(kept);
    expect(next.dropped).toEqual(dropped);
    for (const name of kept) expect(next.headers[name]).toBe(headers[name as keyof typeof headers]);
  });

  it('cross origin: drops what the events redact too (x-auth-token, x-csrf-token, x-session-id...), whoever set it', () => {
    const next = headersAfterRedirect(
      { 'x-auth-token': 'a', 'x-csrf-token': 'c', 'x-session-id': 's', 'x-request-signature': 'g', 'x-trace': 't' },
      { dropBody: false, crossOrigin: true },
      new Set(),
    );
    expect(next.headers).toEqual({ 'x-trace': 't' });
    expect(next.dropped).toEqual(['x-auth-token', 'x-csrf-token', 'x-session-id', 'x-request-signature']);
  });

  it('drops a header that came from auth under any name, even one that looks harmless', () => {
    const next = headersAfterRedirect({ 'x-tenant': 'secret-tenant', 'x-other': 'o' }, { dropBody: false, crossOrigin: true }, new Set(['x-tenant']));
    expect(next.headers).toEqual({ 'x-other': 'o' });
  });
});
