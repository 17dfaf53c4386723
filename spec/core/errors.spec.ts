import { inspect } from 'node:util';
import nock from 'nock';
import { lastValueFrom, tap } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  asyncAuth,
  apiKeyAuth,
  AsyncAPIClient,
  basicAuth,
  bearerTokenAuth,
  BodyNotReplayableError,
  BodyTooLargeError,
  CircuitOpenError,
  ConfigurationError,
  HttpError,
  isBodyNotReplayableError,
  isBodyTooLargeError,
  isCircuitOpenError,
  isConfigurationError,
  isHttpError,
  isNetworkError,
  isParseError,
  isRedirectError,
  isTimeoutError,
  isTokenRefreshError,
  NetworkError,
  ParseError,
  RedirectError,
  RequestError,
  TimeoutError,
  TokenRefreshError,
  withCircuitBreaker,
  withDeadline,
  withEvents,
  withIdempotencyKey,
  withInterceptors,
  type ClientEvent,
} from '../../src/index.js';
import { closedPort, startServer, type TestServer } from '../support/server.js';

const TOKEN = 'tok-7f3a9c-SECRET';
const API_KEY = 'key-5b2e1d-SECRET';
const target = { method: 'GET', url: 'https://h/x' };

/** Every way an error or event can be shown or logged. */
function renderings(value: unknown): string[] {
  const error = value as Error;
  return [
    String(error.message),
    String(error.stack),
    String(value),
    JSON.stringify(value) ?? '',
    inspect(value),
    inspect(value, { depth: Infinity, showHidden: true }),
  ];
}

const PASSWORD = 'pw-8d4c0a-SECRET';
const QUERY_KEY = 'qk-1e9f77-SECRET';
const COOKIE = 'sid=ck-3a1b2c-SECRET';
const SET_COOKIE = 'session=sc-6d5e4f-SECRET; HttpOnly';
const BASIC = basicAuth('user', PASSWORD).Authorization.slice('Basic '.length);

function expectNoSecret(value: unknown): void {
  for (const text of renderings(value)) {
    for (const secret of [TOKEN, API_KEY, PASSWORD, QUERY_KEY, COOKIE, SET_COOKIE, BASIC, 'SECRET']) expect(text).not.toContain(secret);
  }
}

async function failureOf(source: Promise<unknown>): Promise<unknown> {
  return source.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('error types', () => {
  it.each([
    ['HttpError', new HttpError(new Response(null, { status: 404 }), target, 1), isHttpError],
    ['NetworkError', new NetworkError(new TypeError('fetch failed'), target, 2), isNetworkError],
    ['TimeoutError', new TimeoutError(10, target, 3), isTimeoutError],
    ['BodyTooLargeError', new BodyTooLargeError({ maxBodySize: 10, receivedBytes: 11 }, 200, target, 1), isBodyTooLargeError],
    ['ParseError', new ParseError(new SyntaxError('x'), '<', 200, target, 1), isParseError],
    ['CircuitOpenError', new CircuitOpenError(target, 0, 500), isCircuitOpenError],
    ['BodyNotReplayableError', new BodyNotReplayableError(new TypeError('x'), target, 1), isBodyNotReplayableError],
    ['RedirectError', new RedirectError('was redirected more than 20 times (maxRedirects)', target, 1), isRedirectError],
    ['TokenRefreshError', new TokenRefreshError(new Error('x'), target, 1), isTokenRefreshError],
  ])('%s is an Error and a RequestError with its name, guard and target', (name, error, guard) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(RequestError);
    expect(error.name).toBe(name);
    expect(String(error.stack).startsWith(`${name}: GET https://h/x`)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(isConfigurationError(error)).toBe(false);
    expect(error).toMatchObject({ method: 'GET', url: 'https://h/x' });
  });

  it('ConfigurationError is an Error with its name and guard', () => {
    const error = new ConfigurationError('fix this');
    expect(error.name).toBe('ConfigurationError');
    expect(isConfigurationError(error)).toBe(true);
    expect(isHttpError(error)).toBe(false);
  });

  it('HttpError keeps the response reachable but out of enumeration', () => {
    const response = new Response('body', { status: 500 });
    const error = new HttpError(response, target, 3);
    expect(error.response).toBe(response);
    expect(Object.keys(error)).not.toContain('response');
    expect(error.message).toBe('GET https://h/x failed with status 500 (after 3 attempts)');
  });
});

describe('the resilience errors', () => {
  it('a deadline TimeoutError says so and keeps the failure that stopped the retries as its cause', () => {
    const cause = new HttpError(new Response(null, { status: 503 }), target, 2);
    const error = new TimeoutError(5000, target, 2, { scope: 'deadline', cause });
    expect(error).toMatchObject({ scope: 'deadline', timeoutMs: 5000, attempts: 2, cause });
    expect(error.message).toBe('GET https://h/x did not finish within its deadline of 5000 ms (after 2 attempts)');
    expect(new TimeoutError(10, target, 1)).toMatchObject({ scope: 'attempt', message: 'GET https://h/x timed out after 10 ms' });
    expect('cause' in new TimeoutError(10, target, 1)).toBe(false);
  });

  it.each([
    [new CircuitOpenError(target, 0, 1500), 'GET https://h/x was not sent: the circuit breaker is open (a probe may go in 1500 ms)'],
    [new CircuitOpenError(target, 2, 0), 'GET https://h/x was not sent: the circuit breaker is open (a probe is in flight) (after 2 attempts)'],
  ])('CircuitOpenError: %s', (error, message) => {
    expect(error.message).toBe(message);
  });
});

describe('secrets never show in errors or events', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    nock.cleanAll();
    await server?.close();
    server = undefined;
  });

  const authHeaders = { ...bearerTokenAuth(TOKEN), ...apiKeyAuth(API_KEY, 'X-Custom-Key') };

  it('in an HttpError, and in the client itself', async () => {
    nock('http://api.test').get('/v1/me').query(true).reply(401, { error: 'bad token' });
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: 'http://api.test/v1', authHeaders }, feature);
    const events: ClientEvent[] = [];
    feature.events$.subscribe((e) => events.push(e));
    const error = await failureOf(lastValueFrom(client.getJson('/me', { api_key: API_KEY })));
    expect(error).toBeInstanceOf(HttpError);
    expectNoSecret(error);
    // Its response too, logged or expanded in a console: the URL without the query, the rest as the server sent it.
    const { response } = error as HttpError;
    expectNoSecret(response);
    expect(response).toMatchObject({ url: 'http://api.test/v1/me', status: 401, statusText: 'Unauthorized', redirected: false });
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).resolves.toEqual({ error: 'bad token' });
    for (const event of events) expectNoSecret(event);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'giveUp']);
    expect(inspect(client, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(client)).not.toContain(TOKEN);
  });

  it('in a NetworkError', async () => {
    const port = await closedPort();
    const client = new AsyncAPIClient({ baseUrl: `http://127.0.0.1:${port}`, authHeaders, retry: false });
    const error = await failureOf(lastValueFrom(client.request('GET', '/x')));
    expect(error).toBeInstanceOf(NetworkError);
    expectNoSecret(error);
  });

  it('in a TimeoutError, with the per-request token too', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    // Long enough for the request to reach the server on a loaded machine, so the last line can check it.
    const client = new AsyncAPIClient({ baseUrl: server.origin, authHeaders, retry: false, timeout: 400 });
    const error = await failureOf(lastValueFrom(client.request('GET', '/hang', { headers: { 'X-Other': TOKEN } })));
    expect(error).toBeInstanceOf(TimeoutError);
    expectNoSecret(error);
    expect(server.hits[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('in the errors and events of the resilience features (deadline, circuit breaker, one-shot body)', async () => {
    nock('http://api.test').persist().intercept('/v1/x', 'PUT').query(true).reply(503, 'down', { 'retry-after': '0' });
    const feature = withEvents();
    const client = new AsyncAPIClient(
      { baseUrl: 'http://api.test/v1', authHeaders, retry: { maxAttempts: 2 } },
      withCircuitBreaker({ failureThreshold: 2 }),
      withIdempotencyKey(true),
      withDeadline(),
      feature,
    );
    const events: ClientEvent[] = [];
    feature.events$.subscribe((e) => events.push(e));
    const stream = new ReadableStream({ start: (c) => c.close() });
    const errors = [
      await failureOf(lastValueFrom(client.request('PUT', '/x', { params: { api_key: API_KEY }, body: stream }))),
      await failureOf(lastValueFrom(client.request('PUT', '/x', { params: { api_key: API_KEY }, json: {}, deadline: 1 }))),
      await failureOf(lastValueFrom(client.request('PUT', '/x', { params: { api_key: API_KEY }, json: {} }))),
    ];
    expect(errors.map((e) => (e as Error).name)).toEqual(['BodyNotReplayableError', 'TimeoutError', 'CircuitOpenError']);
    for (const error of errors) expectNoSecret(error);
    expect(events.map((e) => e.type)).toContain('circuit');
    for (const event of events) expectNoSecret(event);
  });

  it('with every kind of credential, from an auth function, in errors and in every event', async () => {
    nock('http://api.test')
      .get('/v1/me')
      .query(true)
      .reply(function () {
        // The credentials did go out: only errors and events must not show them.
        expect(this.req.headers.authorization).toBe(`Basic ${BASIC}`);
        return [401, { error: 'no' }, { 'set-cookie': SET_COOKIE }];
      });
    const feature = withEvents();
    const client = new AsyncAPIClient(
      {
        baseUrl: 'http://api.test/v1',
        headers: { Cookie: COOKIE },
        authHeaders: asyncAuth(async () => ({ ...basicAuth('user', PASSWORD), ...apiKeyAuth(API_KEY, 'X-Custom-Key'), ...apiKeyAuth(QUERY_KEY, { in: 'query', name: 'key' }) })),
      },
      feature,
    );
    const events: ClientEvent[] = [];
    feature.events$.subscribe((e) => events.push(e));
    const error = await failureOf(lastValueFrom(client.getJson('/me', { other: 'x' })));
    expect(error).toBeInstanceOf(HttpError);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'giveUp']);
    expect(events[0]).toMatchObject({ headers: { authorization: '[redacted]', 'x-custom-key': '[redacted]', cookie: '[redacted]' } });
    expect(events[1]).toMatchObject({ headers: { 'set-cookie': '[redacted]' } });
    expectNoSecret(error);
    for (const event of events) expectNoSecret(event);
    const { response } = error as HttpError;
    expect(response.url).toBe('http://api.test/v1/me');
    expect(inspect(response, { depth: Infinity, showHidden: true })).not.toContain(QUERY_KEY);
  });

  it('in an HttpError, the response is the one the server sent when its URL has no query', async () => {
    nock('http://api.test').get('/v1/me').reply(404, 'gone');
    const seen: Response[] = [];
    const client = new AsyncAPIClient({ baseUrl: 'http://api.test/v1', authHeaders }, withInterceptors((request, next) => next(request).pipe(tap((r) => seen.push(r)))));
    const error = await failureOf(lastValueFrom(client.request('GET', '/me')));
    expect((error as HttpError).response).toBe(seen[0]);
    await expect((error as HttpError).response.text()).resolves.toBe('gone');
  });

  it('in a TokenRefreshError whose refresh failed with a secret in its message (kept only in the cause)', () => {
    const refreshError = new Error(`refresh token ${TOKEN} revoked`);
    const error = new TokenRefreshError(refreshError, target, 1);
    for (const text of [error.message, String(error.stack), String(error), JSON.stringify(error)]) expect(text).not.toContain(TOKEN);
    expect(inspect(error)).not.toContain(TOKEN);
    expect(inspect(error)).toContain('[Error: not shown, read error.cause]');
    expect(error.cause).toBe(refreshError);
  });

  it('in a ConfigurationError about a bad header value', async () => {
    const client = new AsyncAPIClient({ baseUrl: 'http://api.test', authHeaders });
    const error = await failureOf(lastValueFrom(client.request('GET', '/x', { headers: { Authorization: `Bearer ${TOKEN}\r\n` } })));
    expect(error).toBeInstanceOf(ConfigurationError);
    expectNoSecret(error);
  });
});
