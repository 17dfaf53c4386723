import { EMPTY, lastValueFrom, NEVER, Observable, of, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsOf, resolveAuthSource, type AuthHeaders, type AuthSource } from '../../src/auth/provider.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { apiKeyAuth, AsyncAPIClient, asyncAuth, bearerTokenAuth, ndjson, withEvents, withInterceptors, withTokenRefresh, type ClientEvent } from '../../src/index.js';
import { testTransport } from '../../src/testing/index.js';
import { startServer, type TestServer } from '../support/server.js';

// The credentials of one attempt, waited for when they come later (asyncAuth()).
const credentials = async (auth: AuthHeaders | undefined) => once(resolveAuthSource(auth));
const once = async (source: AuthSource) => {
  const given = credentialsOf(source);
  // What waits for its credentials sends the attempt with them: here, the attempt is to emit them.
  return typeof given === 'function' ? lastValueFrom(given((known) => of(known))) : given;
};

/** An Observable of another library: `subscribe` and the interop key, no rxjs prototype. */
function interopObservable<T>(value: T): Observable<T> {
  const source: Record<string | symbol, unknown> = {
    subscribe(observer: { next(value: T): void; complete(): void }) {
      observer.next(value);
      observer.complete();
      return { unsubscribe() {} };
    },
  };
  source[(Symbol as { observable?: symbol }).observable ?? '@@observable'] = () => source;
  return source as unknown as Observable<T>;
}

describe('resolveAuthSource and credentialsOf', () => {
  it.each([
    ['fixed headers', bearerTokenAuth('t')],
    ['a function returning headers', () => bearerTokenAuth('t')],
    ['a function returning a Headers object', () => new Headers({ Authorization: 'Bearer t' })],
    ['a function returning pairs', () => [['Authorization', 'Bearer t']] as [string, string][]],
    ['asyncAuth() of a function returning a Promise', asyncAuth(() => Promise.resolve(bearerTokenAuth('t')))],
    ['asyncAuth() of a function returning an Observable (its first value)', asyncAuth(() => of(bearerTokenAuth('t'), bearerTokenAuth('later')))],
    ['asyncAuth() of a function returning headers', asyncAuth(() => bearerTokenAuth('t'))],
    ['asyncAuth() of a function returning a Headers object', asyncAuth(() => new Headers({ Authorization: 'Bearer t' }))],
    ['asyncAuth() of a function returning pairs', asyncAuth(() => [['Authorization', 'Bearer t']] as [string, string][])],
    // Known by its subscribe, as the core knows an Observable when it refuses one without asyncAuth().
    ['asyncAuth() of a function returning another library\'s Observable', asyncAuth(() => interopObservable(bearerTokenAuth('t')))],
  ])('reads %s', async (_name, auth) => {
    expect(await credentials(auth as AuthHeaders)).toEqual({ headers: { authorization: 'Bearer t' } });
  });

  it('no authHeaders means no credentials', async () => {
    expect(await credentials(undefined)).toEqual({ headers: {} });
  });

  it('gives fixed credentials and those of a function at once, and only asyncAuth()\'s later', () => {
    expect(credentialsOf(resolveAuthSource(bearerTokenAuth('t')))).toEqual({ headers: { authorization: 'Bearer t' } });
    expect(credentialsOf(resolveAuthSource(() => bearerTokenAuth('t')))).toEqual({ headers: { authorization: 'Bearer t' } });
    expect(credentialsOf(resolveAuthSource(asyncAuth(() => bearerTokenAuth('t'))))).toBeTypeOf('function');
  });

  it('takes a query-string key apart from the headers, fixed or from a function', async () => {
    const auth = { ...bearerTokenAuth('t'), ...apiKeyAuth('k', { in: 'query', name: 'key' }) };
    const expected = { headers: { authorization: 'Bearer t' }, query: { name: 'key', value: 'k' } };
    expect(await credentials(auth)).toEqual(expected);
    expect(await credentials(() => auth)).toEqual(expected);
    expect(await credentials(asyncAuth(() => Promise.resolve(auth)))).toEqual(expected);
  });

  it.each([
    ['a function', (count: () => number) => () => bearerTokenAuth(`t${count()}`)],
    ['an asyncAuth() function', (count: () => number) => asyncAuth(() => Promise.resolve(bearerTokenAuth(`t${count()}`)))],
  ])('calls %s again for every attempt', async (_name, make) => {
    let calls = 0;
    const source = resolveAuthSource(make(() => (calls += 1)));
    expect(calls).toBe(0);
    expect(await once(source)).toEqual({ headers: { authorization: 'Bearer t1' } });
    expect(await once(source)).toEqual({ headers: { authorization: 'Bearer t2' } });
  });

  it('unsubscribes from an Observable once it has the first value', async () => {
    let unsubscribed = false;
    const provider = () =>
      new Observable<Record<string, string>>((subscriber) => {
        subscriber.next({ 'X-Key': 'k' });
        return () => (unsubscribed = true);
      });
    expect(await credentials(asyncAuth(provider))).toEqual({ headers: { 'x-key': 'k' } });
    expect(unsubscribed).toBe(true);
  });

  it.each([
    ['an Observable that completes empty', asyncAuth(() => EMPTY), /completed without giving headers/],
    ['undefined', () => undefined, /gave undefined/],
    ['undefined, later', asyncAuth(() => Promise.resolve(undefined as never)), /gave undefined/],
    ['null', () => null, /must be an object/],
    ['a token with CR/LF', () => ({ Authorization: 'Bearer t\r\nX-Evil: 1' }), /authHeaders \(the function\): the value of header "Authorization"/],
    ['a header name with a space', asyncAuth(() => Promise.resolve({ 'X Key': 'v' })), /not a valid header name/],
    ['a number as a value', () => ({ 'X-Key': 42 }), /must be a string, not number/],
    ['a Promise, without asyncAuth()', () => Promise.resolve(bearerTokenAuth('t')), /gave a Promise or an Observable: wrap the function in asyncAuth\(\)/],
    ['an Observable, without asyncAuth()', () => of(bearerTokenAuth('t')), /gave a Promise or an Observable: wrap the function in asyncAuth\(\)/],
  ])('errors with ConfigurationError for a function giving %s', async (_name, provider, message) => {
    const error = await credentials(provider as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('Bearer t');
  });

  it('lets an error of the function pass through unchanged', async () => {
    const failure = new Error('token store unavailable');
    const throwing = () => {
      throw failure;
    };
    await expect(credentials(throwing)).rejects.toBe(failure);
    await expect(credentials(asyncAuth(throwing))).rejects.toBe(failure);
    await expect(credentials(asyncAuth(() => Promise.reject(failure)))).rejects.toBe(failure);
  });

  it('refuses bad fixed headers at once, when the client is made', () => {
    expect(() => resolveAuthSource({ Authorization: 'Bearer t\n' })).toThrow(/authHeaders: the value of header "Authorization"/);
  });

  it('asyncAuth() refuses what is not a function, when it is called', () => {
    expect(() => asyncAuth('Bearer t' as never)).toThrow(ConfigurationError);
    expect(() => asyncAuth('Bearer t' as never)).toThrow(/asyncAuth needs a function/);
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
      authHeaders: asyncAuth(() => Promise.resolve(bearerTokenAuth(`token-${(version += 1)}`))),
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
    ['nothing', asyncAuth(() => EMPTY), ConfigurationError],
    ['a Promise, without asyncAuth()', () => Promise.resolve(bearerTokenAuth('t')), ConfigurationError],
    ['an error of its own', asyncAuth(() => Promise.reject(new RangeError('token store unavailable'))), RangeError],
    ['a TypeError of its own (not taken for a network error)', asyncAuth(() => Promise.reject(new TypeError('store is undefined'))), TypeError],
    [
      'a TypeError of its own, thrown at once (not taken for a network error)',
      () => {
        throw new TypeError('store is undefined');
      },
      TypeError,
    ],
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

  it.each([
    ['getJson', (client: AsyncAPIClient) => client.getJson('/x'), { a: 1 }],
    // A stream's timeout covers the wait for its response only: the wait for its credentials is part of it.
    ['a stream (ndjson)', (client: AsyncAPIClient) => ndjson(client, '/x').pipe(toArray()), [{ a: 1 }]],
  ])('made by asyncAuth() that does not answer is ended by the per-attempt timeout, and retried: %s', async (_name, call, expected) => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"a":1}\n'));
    let calls = 0;
    const client = new AsyncAPIClient({
      baseUrl: server.origin,
      authHeaders: asyncAuth(() => (++calls === 1 ? NEVER : of(bearerTokenAuth('second')))),
      // Long enough for the second attempt's real request on a loaded machine (20 ms failed once).
      timeout: 300,
      retry: { baseDelay: 1 },
    });
    expect(await lastValueFrom<unknown>(call(client))).toEqual(expected);
    expect(calls).toBe(2);
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer second']);
  });

  it('made by asyncAuth() sends the token it waited for from streams and through interceptors too (the held attempt)', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"a":1}\n{"a":2}\n'));
    const authHeaders = asyncAuth(() => Promise.resolve(bearerTokenAuth('later')));
    expect(await lastValueFrom(ndjson(new AsyncAPIClient({ baseUrl: server.origin, authHeaders }), '/stream').pipe(toArray()))).toEqual([{ a: 1 }, { a: 2 }]);
    const seen: (string | null)[] = [];
    const intercepted = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders },
      withInterceptors((request, next) => {
        seen.push(request.headers.get('authorization'));
        return next(request);
      }),
    );
    await lastValueFrom(intercepted.request('GET', '/intercepted'));
    expect(seen).toEqual(['Bearer later']);
    expect(server.hits.map((hit) => [hit.url, hit.headers.authorization])).toEqual([
      ['/stream', 'Bearer later'],
      ['/intercepted', 'Bearer later'],
    ]);
  });

  it('made by asyncAuth(): unsubscribing while it waits tears the wait down, and nothing is sent', async () => {
    const api = testTransport().on('GET', '/x', { body: {} });
    let unsubscribed = false;
    const client = new AsyncAPIClient({
      baseUrl: 'https://api.test',
      transport: api,
      authHeaders: asyncAuth(() => new Observable<Record<string, string>>(() => () => (unsubscribed = true))),
    });
    const subscription = client.getJson('/x').subscribe({ error: () => undefined });
    // The test transport takes a request when it is called: a wait that were skipped would show one here.
    expect(api.requests).toEqual([]);
    subscription.unsubscribe();
    expect(unsubscribed).toBe(true);
    expect(api.requests).toEqual([]);
  });

  it('made by asyncAuth() is asked again after withTokenRefresh() renews the token: the replay sends the new one', async () => {
    server = await startServer((req, res) => res.writeHead(req.headers.authorization === 'Bearer fresh' ? 200 : 401).end('{}'));
    let token = 'stale';
    const client = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders: asyncAuth(() => Promise.resolve(bearerTokenAuth(token))) },
      withTokenRefresh(async () => {
        token = 'fresh';
      }),
    );
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({});
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('asyncAuth() of an asyncAuth() function (plain JavaScript) waits once, and sends the credentials', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('{}'));
    const inner = asyncAuth(() => Promise.resolve(bearerTokenAuth('twice-wrapped')));
    const client = new AsyncAPIClient({ baseUrl: server.origin, authHeaders: asyncAuth(inner as never) });
    await lastValueFrom(client.getJson('/x'));
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer twice-wrapped']);
  });

  it('a Promise given without asyncAuth() that later rejects is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = new AsyncAPIClient({ baseUrl: 'http://127.0.0.1:9', authHeaders: (() => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('token endpoint down')), 5))) as never });
      await expect(lastValueFrom(client.getJson('/x'))).rejects.toBeInstanceOf(ConfigurationError);
      // The rejection comes 5 ms later; Node reports an unhandled one after the microtasks of that turn.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
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
