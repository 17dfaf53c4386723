import { EMPTY, lastValueFrom, NEVER, Observable, of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsOf, resolveAuthSource, type AuthHeaders } from '../../src/auth/provider.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { apiKeyAuth, AsyncAPIClient, bearerTokenAuth, withEvents, type ClientEvent } from '../../src/index.js';
import { startServer, type TestServer } from '../support/server.js';

const credentials = (auth: AuthHeaders) => lastValueFrom(credentialsOf(resolveAuthSource(auth)));

describe('resolveAuthSource and credentialsOf', () => {
  it.each([
    ['fixed headers', bearerTokenAuth('t')],
    ['a function returning headers', () => bearerTokenAuth('t')],
    ['a function returning a Promise', () => Promise.resolve(bearerTokenAuth('t'))],
    ['a function returning an Observable (its first value)', () => of(bearerTokenAuth('t'), bearerTokenAuth('later'))],
    ['a function returning a Headers object', () => new Headers({ Authorization: 'Bearer t' })],
    ['a function returning pairs', () => [['Authorization', 'Bearer t']] as [string, string][]],
  ])('reads %s', async (_name, auth) => {
    expect(await credentials(auth as AuthHeaders)).toEqual({ headers: { authorization: 'Bearer t' } });
  });

  it('no authHeaders means no credentials', async () => {
    expect(await lastValueFrom(credentialsOf(resolveAuthSource(undefined)))).toEqual({ headers: {} });
  });

  it('takes a query-string key apart from the headers, fixed or from a function', async () => {
    const auth = { ...bearerTokenAuth('t'), ...apiKeyAuth('k', { in: 'query', name: 'key' }) };
    const expected = { headers: { authorization: 'Bearer t' }, query: { name: 'key', value: 'k' } };
    expect(await credentials(auth)).toEqual(expected);
    expect(await credentials(() => Promise.resolve(auth))).toEqual(expected);
  });

  it('calls the function again for every subscription (every attempt)', async () => {
    let calls = 0;
    const source = resolveAuthSource(() => bearerTokenAuth(`t${(calls += 1)}`));
    expect(calls).toBe(0);
    expect(await lastValueFrom(credentialsOf(source))).toEqual({ headers: { authorization: 'Bearer t1' } });
    expect(await lastValueFrom(credentialsOf(source))).toEqual({ headers: { authorization: 'Bearer t2' } });
  });

  it('unsubscribes from an Observable once it has the first value', async () => {
    let unsubscribed = false;
    const provider = () =>
      new Observable<Record<string, string>>((subscriber) => {
        subscriber.next({ 'X-Key': 'k' });
        return () => (unsubscribed = true);
      });
    expect(await credentials(provider)).toEqual({ headers: { 'x-key': 'k' } });
    expect(unsubscribed).toBe(true);
  });

  it.each([
    ['an Observable that completes empty', () => EMPTY, /completed without giving headers/],
    ['undefined', () => undefined, /gave undefined/],
    ['null', () => null, /must be an object/],
    ['a token with CR/LF', () => ({ Authorization: 'Bearer t\r\nX-Evil: 1' }), /authHeaders \(the function\): the value of header "Authorization"/],
    ['a header name with a space', () => Promise.resolve({ 'X Key': 'v' }), /not a valid header name/],
    ['a number as a value', () => ({ 'X-Key': 42 }), /must be a string, not number/],
  ])('errors with ConfigurationError for a function giving %s', async (_name, provider, message) => {
    const error = await credentials(provider as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('Bearer t');
  });

  it('lets an error of the function pass through unchanged', async () => {
    const failure = new Error('token store unavailable');
    await expect(
      credentials(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(credentials(() => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('refuses bad fixed headers at once, when the client is made', () => {
    expect(() => resolveAuthSource({ Authorization: 'Bearer t\n' })).toThrow(/authHeaders: the value of header "Authorization"/);
  });

});

describe('an auth function in the client (real server)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('is called for every attempt: a retried request sends the current token', async () => {
    server = await startServer((_req, res) => res.writeHead(server!.hits.length < 3 ? 503 : 200).end('{}'));
    let version = 0;
    const client = new AsyncAPIClient({
      baseUrl: server.origin,
      authHeaders: () => Promise.resolve(bearerTokenAuth(`token-${(version += 1)}`)),
      retry: { baseDelay: 1 },
    });
    await lastValueFrom(client.getJson('/x'));
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-3']);
  });

  it('is not called before subscribing, and never when the request is refused before sending', async () => {
    let calls = 0;
    const client = new AsyncAPIClient({ baseUrl: 'http://127.0.0.1:9', authHeaders: () => bearerTokenAuth(`t${(calls += 1)}`) });
    const refused = client.request('GET', '//evil.test/x');
    expect(calls).toBe(0);
    await expect(lastValueFrom(refused)).rejects.toBeInstanceOf(ConfigurationError);
    expect(calls).toBe(0);
  });

  it.each([
    ['bad headers', () => ({ Authorization: 'Bearer t\r\nX-Evil: 1' }), ConfigurationError],
    ['nothing', () => EMPTY, ConfigurationError],
    ['an error of its own', () => Promise.reject(new RangeError('token store unavailable')), RangeError],
    ['a TypeError of its own (not taken for a network error)', () => Promise.reject(new TypeError('store is undefined')), TypeError],
  ])('that gives %s ends the request: nothing sent, no retry, no request event', async (_name, provider, type) => {
    server = await startServer((_req, res) => res.writeHead(200).end('{}'));
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, authHeaders: provider as never, retry: { baseDelay: 1 } }, feature);
    const events: ClientEvent[] = [];
    feature.events$.subscribe((event) => events.push(event));
    const error = await lastValueFrom(client.getJson('/x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(server.hits).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['giveUp']);
  });

  it('that does not answer is ended by the per-attempt timeout, and retried', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('{}'));
    let calls = 0;
    const client = new AsyncAPIClient({
      baseUrl: server.origin,
      authHeaders: () => (++calls === 1 ? NEVER : of(bearerTokenAuth('second'))),
      // Long enough for the second attempt's real request on a loaded machine (20 ms failed once).
      timeout: 300,
      retry: { baseDelay: 1 },
    });
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({});
    expect(calls).toBe(2);
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer second']);
  });

  it('shows its headers redacted in request events, whatever their names', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'set-cookie': 'sid=set-cookie-SECRET' }).end('{}'));
    const feature = withEvents();
    const client = new AsyncAPIClient(
      {
        baseUrl: server.origin,
        headers: { 'X-Trace': 't-1' },
        authHeaders: () => ({ 'X-Tenant': 'tenant-SECRET', ...bearerTokenAuth('token-SECRET') }),
      },
      feature,
    );
    const events: ClientEvent[] = [];
    feature.events$.subscribe((event) => events.push(event));
    await lastValueFrom(client.getJson('/x', undefined, { headers: { Cookie: 'sid=cookie-SECRET' } }));
    expect(events[0]).toEqual({
      type: 'request',
      method: 'GET',
      url: `${server.origin}/x`,
      requestId: expect.any(Number),
      time: expect.any(Number),
      attempt: 1,
      headers: { accept: 'application/json', 'x-trace': 't-1', 'x-tenant': '[redacted]', authorization: '[redacted]', cookie: '[redacted]' },
    });
    expect(events[1]).toMatchObject({ type: 'response', status: 200, headers: { 'set-cookie': '[redacted]' } });
    expect(JSON.stringify(events)).not.toMatch(/SECRET/);
    expect(server.hits[0]!.headers['x-tenant']).toBe('tenant-SECRET');
  });
});
