import { inspect } from 'node:util';
import nock from 'nock';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  apiKeyAuth,
  AsyncAPIClient,
  bearerTokenAuth,
  BodyTooLargeError,
  ConfigurationError,
  HttpError,
  isBodyTooLargeError,
  isConfigurationError,
  isHttpError,
  isNetworkError,
  isParseError,
  isTimeoutError,
  NetworkError,
  ParseError,
  RequestError,
  TimeoutError,
  type ClientEvent,
} from '../src/index.js';
import { closedPort, startServer, type TestServer } from './support/server.js';

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

function expectNoSecret(value: unknown): void {
  for (const text of renderings(value)) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(API_KEY);
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
    const client = new AsyncAPIClient({ baseUrl: 'http://api.test/v1', authHeaders });
    const events: ClientEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    const error = await failureOf(lastValueFrom(client.getJson('/me', { api_key: API_KEY })));
    expect(error).toBeInstanceOf(HttpError);
    expectNoSecret(error);
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
    const client = new AsyncAPIClient({ baseUrl: server.origin, authHeaders, retry: false, timeout: 20 });
    const error = await failureOf(lastValueFrom(client.request('GET', '/hang', { headers: { 'X-Other': TOKEN } })));
    expect(error).toBeInstanceOf(TimeoutError);
    expectNoSecret(error);
    expect(server.hits[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('in a ConfigurationError about a bad header value', async () => {
    const client = new AsyncAPIClient({ baseUrl: 'http://api.test', authHeaders });
    const error = await failureOf(lastValueFrom(client.request('GET', '/x', { headers: { Authorization: `Bearer ${TOKEN}\r\n` } })));
    expect(error).toBeInstanceOf(ConfigurationError);
    expectNoSecret(error);
  });
});
