/// <reference types="jasmine" />
// Auth in the browser (headless Chromium through Karma), against the real
// endpoints of spec/support/browser-server.cjs. Every claim about what was
// sent is checked on the server: /api/hits and /api/seen count per key.
import { lastValueFrom, Observable, of } from 'rxjs';
import {
  asyncAuth,
  AsyncAPIClient,
  ConfigurationError,
  TokenRefreshError,
  apiKeyAuth,
  basicAuth,
  bearerTokenAuth,
  withEvents,
  withTokenRefresh,
  type ClientEvent,
  type ClientOptions,
  type Feature,
} from '../src/index';
import { API, errorOf, newClient, serverHits, uniqueKey } from './support/browser';

/** newClient's options (3 attempts 5 ms apart, a 5 s timeout), with features after them. */
const clientWith = (options: Partial<ClientOptions>, ...features: Feature[]) =>
  new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000, ...options }, ...features);

interface Echo {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
}

const hitsOf = async (key: string) => (await serverHits(key)).hits;

/** The Authorization header of every request the server saw for a key (null where there was none). */
async function authorizationsOf(key: string): Promise<(string | null)[]> {
  const res = await fetch(`${API}/seen?key=${encodeURIComponent(key)}`, { cache: 'no-store' });
  return ((await res.json()) as { authorizations: (string | null)[] }).authorizations;
}

describe('auth in the browser', () => {
  it('calls an auth function for every attempt: the retry sends the current token', async () => {
    const key = uniqueKey('per-attempt');
    let version = 0;
    const client = newClient({ authHeaders: asyncAuth(() => Promise.resolve(bearerTokenAuth(`t${(version += 1)}`))) });
    await lastValueFrom(client.getJson('/flaky', { key, fail: 1 }));
    expect(await authorizationsOf(key)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('takes an Observable from an asyncAuth() function', async () => {
    const key = uniqueKey('observable');
    const echo = await lastValueFrom(newClient({ authHeaders: asyncAuth(() => of(bearerTokenAuth('from-observable'))) }).getJson<Echo>('/echo', { key }));
    expect(echo.headers['authorization']).toBe('Bearer from-observable');
  });

  it('concurrent 401s share one token refresh, then each request is replayed once with the new token', async () => {
    const key = uniqueKey('refresh');
    let token = 'stale';
    let refreshes = 0;
    const client = clientWith(
      { authHeaders: () => bearerTokenAuth(token) },
      withTokenRefresh(async () => {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        token = 'fresh';
      }),
    );
    const results = await Promise.all([1, 2, 3].map(() => lastValueFrom(client.getJson<{ ok: boolean }>('/auth', { key }))));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(refreshes).toBe(1);
    const seen = await authorizationsOf(key);
    expect(seen.filter((a) => a === 'Bearer stale').length).toBe(3);
    expect(seen.filter((a) => a === 'Bearer fresh').length).toBe(3);
  });

  it('a failed refresh ends the request with TokenRefreshError, not replayed', async () => {
    const key = uniqueKey('refresh-fails');
    const client = clientWith(
      { authHeaders: () => bearerTokenAuth('stale') },
      withTokenRefresh(() => new Observable((subscriber) => subscriber.error(new Error('refresh token revoked')))),
    );
    const error = await errorOf(lastValueFrom(client.getJson('/auth', { key })));
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(await hitsOf(key)).toBe(1);
  });

  it('sends basicAuth as an Authorization header', async () => {
    const key = uniqueKey('basic');
    const echo = await lastValueFrom(newClient({ authHeaders: basicAuth('aladdin', 'open sesame') }).getJson<Echo>('/echo', { key }));
    expect(echo.headers['authorization']).toBe('Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  });

  it('sends a query-string API key, and keeps it out of errors and events', async () => {
    const key = uniqueKey('query-key');
    const feature = withEvents();
    const client = clientWith({ authHeaders: apiKeyAuth('qk-SECRET', { in: 'query', name: 'api_key' }) }, feature);
    const events: ClientEvent[] = [];
    const subscription = feature.events$.subscribe((e) => events.push(e));
    const echo = await lastValueFrom(client.getJson<Echo>('/echo', { key }));
    expect(echo.query).toEqual([
      ['key', key],
      ['api_key', 'qk-SECRET'],
    ]);
    const error = await errorOf(lastValueFrom(client.getJson('/missing', { key })));
    subscription.unsubscribe();
    expect(String((error as Error).message)).not.toContain('qk-SECRET');
    expect(JSON.stringify(events)).not.toContain('qk-SECRET');
  });

  it('shows request headers in events with the credentials redacted', async () => {
    const key = uniqueKey('redacted');
    const events = withEvents();
    const client = clientWith({ authHeaders: () => ({ ...bearerTokenAuth('tok-SECRET'), 'X-Tenant': 'tenant-SECRET' }), headers: { 'X-Trace': 't' } }, events);
    const seen: ClientEvent[] = [];
    const subscription = events.events$.subscribe((e) => seen.push(e));
    await lastValueFrom(client.getJson('/echo', { key }));
    subscription.unsubscribe();
    const request = seen.find((e) => e.type === 'request');
    expect(request && request.type === 'request' ? request.headers : undefined).toEqual({
      accept: 'application/json',
      'x-trace': 't',
      authorization: '[redacted]',
      'x-tenant': '[redacted]',
    });
    expect(JSON.stringify(seen)).not.toContain('SECRET');
  });
});

describe('credentials stay with their origin, in the browser', () => {
  // Another origin: the same loopback address under another name is another origin to the browser.
  const OTHER = `${location.protocol}//localhost:${location.port}`;

  it('refuses an absolute endpoint to another origin: ConfigurationError, nothing sent', async () => {
    const key = uniqueKey('other-origin');
    const error = await errorOf(lastValueFrom(newClient({ authHeaders: bearerTokenAuth('t') }).getJson(`${OTHER}/api/echo`, { key })));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`another origin (${OTHER})`);
    expect(await hitsOf(key)).toBe(0);
  });

  it('sends an absolute endpoint under the base URL like its path', async () => {
    const key = uniqueKey('same-origin-absolute');
    const echo = await lastValueFrom(newClient().getJson<Echo>(`${API}/echo`, { key }));
    expect(echo.path).toBe('/api/echo');
    expect(await hitsOf(key)).toBe(1);
  });

  it('lets the browser follow a same-origin redirect, auth headers kept', async () => {
    const key = uniqueKey('redirect');
    const client = newClient({ authHeaders: { ...bearerTokenAuth('t0k'), ...apiKeyAuth('k1', 'X-Tenant-Key') } });
    const response = await lastValueFrom(client.request('GET', '/redirect', { params: { key, to: `/api/echo?key=${key}` } }));
    expect(response.redirected).toBe(true);
    const echo = (await response.json()) as Echo;
    expect(echo.path).toBe('/api/echo');
    expect(echo.headers['authorization']).toBe('Bearer t0k');
    expect(echo.headers['x-tenant-key']).toBe('k1');
    expect(await hitsOf(key)).toBe(2);
  });

  it('a 303 after a POST goes on as a GET, as fetch does', async () => {
    const key = uniqueKey('see-other');
    const response = await lastValueFrom(
      newClient().request('POST', '/redirect', { params: { key, status: 303, to: `/api/echo?key=${key}` }, json: { a: 1 } }),
    );
    const echo = (await response.json()) as Echo;
    expect(echo.method).toBe('GET');
    expect(echo.headers['content-type']).toBeUndefined();
  });
});
