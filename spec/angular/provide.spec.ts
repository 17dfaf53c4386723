// rx-api-client/angular in Angular's injector (Node, no DOM): the client by class or token, two APIs side by
// side, the user's functions (auth, interceptors, token refresh) in the injection context, and the test
// transport under the clients with provideApiClientTesting().
import { inject, InjectionToken, Injector, type Provider } from '@angular/core';
import { from, lastValueFrom, switchMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  AsyncAPIClient,
  asyncAuth,
  bearerTokenAuth,
  ConfigurationError,
  fetchTransport,
  withEvents,
  withInterceptors,
  withTokenRefresh,
  type Feature,
  type Interceptor,
} from '../../src/index.js';
import { API_TEST_TRANSPORT, provideApiClient, provideApiClientTesting } from '../../src/angular/index.js';
import { settle, statusReply, testTransport } from '../../src/testing/index.js';

const API_URL = new InjectionToken<string>('API_URL');
const TENANT = new InjectionToken<string>('TENANT');
const BILLING = new InjectionToken<AsyncAPIClient>('billing API');

class Session {
  token = 'first';
}

const injectorWith = (...providers: (Provider | Provider[])[]) => Injector.create({ providers: [Session, { provide: TENANT, useValue: 'acme' }, ...providers.flat()] });

/** An interceptor that reads a token from the injector, as Angular's functional interceptors do. */
const tenantHeader: Interceptor = (request, next) => {
  const headers = new Headers(request.headers);
  headers.set('x-tenant', inject(TENANT));
  return next(new Request(request, { headers }));
};
/** An interceptor that calls next() later (after a Promise): the next one must still be in context. */
const afterAPromise: Interceptor = (request, next) => from(Promise.resolve()).pipe(switchMap(() => next(request)));

describe('provideApiClient', () => {
  it('provides one client per injector, as AsyncAPIClient, with its features; options may inject()', async () => {
    const events = withEvents();
    const seen: string[] = [];
    events.events$.subscribe((event) => seen.push(`${event.type} ${event.url}`));
    const injector = injectorWith(provideApiClient(() => ({ baseUrl: inject(API_URL) }), events), provideApiClientTesting(), { provide: API_URL, useValue: 'https://api.test/v1' });
    const client = injector.get(AsyncAPIClient);
    expect(client).toBeInstanceOf(AsyncAPIClient);
    expect(injector.get(AsyncAPIClient)).toBe(client);
    expect(client.baseUrl).toBe('https://api.test/v1/');
    injector.get(API_TEST_TRANSPORT).on('GET', '/v1/items', { body: [1] });
    expect(await lastValueFrom(client.getJson('/items'))).toEqual([1]);
    expect(seen).toEqual(['request https://api.test/v1/items', 'response https://api.test/v1/items']);
  });

  it('two APIs side by side: the default client and one under its own token', async () => {
    const injector = injectorWith(provideApiClient({ baseUrl: 'https://api.test/v1' }), provideApiClient(BILLING, { baseUrl: 'https://billing.test' }), provideApiClientTesting());
    const api = injector.get(API_TEST_TRANSPORT);
    api.on('GET', 'https://api.test/v1/items', { body: ['main'] }).on('GET', 'https://billing.test/invoices', { body: ['billing'] });
    expect(injector.get(BILLING)).not.toBe(injector.get(AsyncAPIClient));
    expect(await lastValueFrom(injector.get(AsyncAPIClient).getJson('/items'))).toEqual(['main']);
    expect(await lastValueFrom(injector.get(BILLING).getJson('/invoices'))).toEqual(['billing']);
  });

  it('runs the auth function and the interceptors in the injection context, each time it calls them', async () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const injector = injectorWith(
      provideApiClient({ baseUrl: 'https://api.test', authHeaders: () => bearerTokenAuth(inject(Session).token) }, withInterceptors(afterAPromise, tenantHeader)),
      provideApiClientTesting(testTransport({ scheduler })),
    );
    const api = injector.get(API_TEST_TRANSPORT);
    api.on('GET', '/items', statusReply(503), { body: [] });
    const items = lastValueFrom(injector.get(AsyncAPIClient).getJson('/items'));
    // The retry 2 s later asks the auth function again, in context: it sees the session's new token.
    injector.get(Session).token = 'second';
    await settle(scheduler);
    expect(await items).toEqual([]);
    expect(api.requests.map((request) => [request.time, request.headers['authorization'], request.headers['x-tenant']])).toEqual([
      [0, 'Bearer first', 'acme'],
      [2_000, 'Bearer second', 'acme'],
    ]);
  });

  it('runs an asyncAuth() function in the injection context too, and waits for what it gives', async () => {
    const injector = injectorWith(
      provideApiClient({ baseUrl: 'https://api.test', authHeaders: asyncAuth(() => Promise.resolve(bearerTokenAuth(inject(Session).token))) }),
      provideApiClientTesting(),
    );
    const api = injector.get(API_TEST_TRANSPORT);
    api.on('GET', '/items', { body: [] });
    expect(await lastValueFrom(injector.get(AsyncAPIClient).getJson('/items'))).toEqual([]);
    expect(api.requests.map((request) => request.headers['authorization'])).toEqual(['Bearer first']);
  });

  it('two withInterceptors() make one chain, each interceptor run in the injection context', async () => {
    const injector = injectorWith(provideApiClient({ baseUrl: 'https://api.test' }, withInterceptors(afterAPromise), withInterceptors(tenantHeader)), provideApiClientTesting());
    const api = injector.get(API_TEST_TRANSPORT);
    api.on('GET', '/items', { body: [] });
    expect(await lastValueFrom(injector.get(AsyncAPIClient).getJson('/items'))).toEqual([]);
    expect(api.requests.map((request) => request.headers['x-tenant'])).toEqual(['acme']);
  });

  it('without it (a client made with new), inject() in an interceptor fails with NG0203: what it saves users from', async () => {
    const api = testTransport();
    const client = new AsyncAPIClient({ baseUrl: 'https://api.test', transport: api }, withInterceptors(tenantHeader));
    await expect(lastValueFrom(client.getJson('/items'))).rejects.toThrow(/NG0203/);
    expect(api.requests).toEqual([]);
  });

  it('runs the token refresh in the injection context', async () => {
    const refreshed: string[] = [];
    const refresh = withTokenRefresh(async () => {
      const session = inject(Session);
      session.token = 'renewed';
      refreshed.push(inject(TENANT));
    });
    const injector = injectorWith(provideApiClient({ baseUrl: 'https://api.test', authHeaders: () => bearerTokenAuth(inject(Session).token) }, refresh), provideApiClientTesting());
    const api = injector.get(API_TEST_TRANSPORT);
    api.on('GET', '/me', (request) => (request.headers['authorization'] === 'Bearer renewed' ? { body: { ok: true } } : { status: 401 }));
    expect(await lastValueFrom(injector.get(AsyncAPIClient).getJson('/me'))).toEqual({ ok: true });
    expect(refreshed).toEqual(['acme']);
    expect(api.requests.map((request) => request.headers['authorization'])).toEqual(['Bearer first', 'Bearer renewed']);
  });

  it('refuses what is not a feature with the client’s own message', () => {
    const injector = injectorWith(provideApiClient({ baseUrl: 'https://api.test' }, 'withRetryBudget' as unknown as Feature));
    const refused = (() => {
      try {
        return injector.get(AsyncAPIClient);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect(String(refused)).toContain('argument 2 is not a feature');
  });
});

describe('provideApiClientTesting', () => {
  it('puts the test transport and its scheduler under every client, whatever their transport option says', async () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const api = testTransport({ scheduler });
    const injector = injectorWith(provideApiClient({ baseUrl: 'https://api.test', transport: fetchTransport }), provideApiClientTesting(api));
    expect(injector.get(API_TEST_TRANSPORT)).toBe(api);
    api.on('GET', '/items', statusReply(500), statusReply(502), { body: ['ok'] });
    const items = lastValueFrom(injector.get(AsyncAPIClient).getJson('/items'));
    await settle(scheduler);
    expect(await items).toEqual(['ok']);
    expect(api.requests.map((request) => request.time)).toEqual([0, 2_000, 6_000]);
    api.verify();
  });

  it('a new test transport per injector by default: a TestBed per test starts clean', () => {
    const first = injectorWith(provideApiClient({ baseUrl: 'https://api.test' }), provideApiClientTesting());
    const second = injectorWith(provideApiClient({ baseUrl: 'https://api.test' }), provideApiClientTesting());
    first.get(AsyncAPIClient).getJson('/items').subscribe();
    expect(first.get(API_TEST_TRANSPORT).requests).toHaveLength(1);
    expect(second.get(API_TEST_TRANSPORT).requests).toEqual([]);
    expect(() => first.get(API_TEST_TRANSPORT).verify()).toThrow(/unexpected: GET https:\/\/api\.test\/items/);
  });
});
