// Bad input, each row: a clear ConfigurationError, nothing sent (counted at a
// real server, and by nock for anything aimed elsewhere), no retry.
import nock from 'nock';
import type { Observable } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  asyncAuth,
  apiKeyAuth,
  AsyncAPIClient,
  basicAuth,
  bearerTokenAuth,
  ConfigurationError,
  withEvents,
  withTokenRefresh,
  type ClientEvent,
  type ClientOptions,
  type Feature,
  type RequestOptions,
} from '../../src/index.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

const cycle: Record<string, unknown> = {};
cycle.self = cycle;

/** A client on the test server (extra options and features given), with a valid token. */
type Client = (options?: Partial<ClientOptions>, ...features: Feature[]) => AsyncAPIClient;
type Row = [name: string, run: (client: Client, origin: string) => Observable<unknown>, message: RegExp];

const request = (method: string, endpoint: string, options: RequestOptions = {}) => (client: Client) => client().request(method, endpoint, options);

const rows: Row[] = [
  // The table.
  ['an empty token', (client) => client({ authHeaders: bearerTokenAuth('') }).getJson('/x'), /token is empty/],
  ['a token with CR/LF', (client) => client({ authHeaders: bearerTokenAuth('t\r\nX-Evil: 1') }).getJson('/x'), /token: the value of header "Authorization" holds a character that cannot be sent/],
  ['a header name with a space', request('GET', '/x', { headers: { 'X A': 'v' } }), /"X A" is not a valid header name/],
  ['a baseUrl with credentials', (client, origin) => client({ baseUrl: origin.replace('//', '//user:pass@') }).getJson('/x'), /baseUrl must not hold credentials/],
  ['a javascript: baseUrl', (client) => client({ baseUrl: 'javascript:alert(1)' }).getJson('/x'), /baseUrl must use http: or https:, not javascript:/],
  ['the endpoint //evil.test/x', request('GET', '//evil.test/x'), /is an absolute URL to another origin \(http:\/\/evil\.test\)/],
  ['the endpoint https://evil.test', request('GET', 'https://evil.test'), /is an absolute URL to another origin \(https:\/\/evil\.test\)/],
  ['the endpoint ..%2f..%2fadmin', request('GET', '..%2f..%2fadmin'), /climbs above the base URL/],
  ['a json body with a BigInt', request('POST', '/x', { json: { n: 1n } }), /json cannot be serialised: Do not know how to serialize a BigInt/],
  ['a json body with a cycle', request('POST', '/x', { json: cycle }), /json cannot be serialised: Converting circular structure/],
  // More of the same kind.
  ['a json body that is a function', request('POST', '/x', { json: () => 1 }), /a function has no JSON form/],
  ['json and body together', request('POST', '/x', { json: {}, body: 'x' }), /either json or body/],
  ['a GET with a body', request('GET', '/x', { body: 'x' }), /a GET request cannot have a body/],
  ['a header value with CR/LF', request('GET', '/x', { headers: { 'X-A': 'v\r\nX-B: 1' } }), /headers: the value of header "X-A"/],
  ['a method with a space', request('GE T', '/x'), /method: "GE T" is not a valid header name/],
  ['a method fetch refuses', request('TRACE', '/x'), /method TRACE cannot be sent with fetch/],
  ['an object in params', request('GET', '/x', { params: { a: { b: 1 } } as never }), /params.a is an object/],
  ['a negative per-request timeout', request('GET', '/x', { timeout: -1 }), /timeout must be/],
  ['maxAttempts 0 per request', request('GET', '/x', { retry: { maxAttempts: 0 } }), /maxAttempts/],
  ['an endpoint that climbs with ..', request('GET', 'items/../../admin'), /climbs above/],
  ['an absolute endpoint with credentials', request('GET', 'https://user:pw@evil.test/x'), /holds credentials/],
  ['an absolute endpoint that is not http(s)', request('GET', 'ftp://evil.test/x'), /only http: and https: are sent/],
  ['a query-string key in per-request headers', request('GET', '/x', { headers: apiKeyAuth('k', { in: 'query' }) }), /works only in authHeaders/],
  ['an auth function giving a token with CR/LF', (client) => client({ authHeaders: () => ({ Authorization: 'Bearer t\n' }) }).getJson('/x'), /authHeaders \(the function\): the value of header "Authorization"/],
  ['an asyncAuth() function giving a header name with a space', (client) => client({ authHeaders: asyncAuth(async () => ({ 'X Key': 'k' })) }).getJson('/x'), /"X Key" is not a valid header name/],
  ['an auth function giving a Promise without asyncAuth()', (client) => client({ authHeaders: (async () => bearerTokenAuth('t')) as never }).getJson('/x'), /gave a Promise or an Observable: wrap the function in asyncAuth\(\)/],
  ['a basic user with ":"', (client) => client({ authHeaders: basicAuth('a:b', 'p') }).getJson('/x'), /must not contain ":"/],
  ['an empty API key', (client) => client({ authHeaders: apiKeyAuth('', 'X-Key') }).getJson('/x'), /API key is empty/],
  ['an allowed origin with a path', (client) => client({ allowedOrigins: ['https://cdn.test/files'] }).getJson('/x'), /allowedOrigins: "https:\/\/cdn.test\/files" is not an http\(s\) origin/],
  ['a negative maxRedirects', (client) => client({ maxRedirects: -1 }).getJson('/x'), /maxRedirects must be a whole number/],
  ['tokenRefresh with fixed authHeaders', (client) => client({}, withTokenRefresh(() => undefined)).getJson('/x'), /withTokenRefresh needs authHeaders to be a function/],
  ['a per-request deadline without withDeadline()', request('GET', '/x', { deadline: 1000 }), /deadline needs the withDeadline\(\) feature/],
  // Silent misconfiguration (issue 13, item 15): each says what to write instead.
  ['a plain object as body', request('POST', '/x', { body: { a: 1 } as never }), /body is a plain object, which fetch would send as text such as "\[object Object\]": pass it as json: \{ \.\.\. \}/],
  ['an array as body', request('POST', '/x', { body: [1, 2] as never }), /body is a plain array.*pass it as json:/],
  ['an instance of no body type as body', request('POST', '/x', { body: new (class Item {})() as never }), /pass it as json:/],
  ['retries: 5 on the client', (client) => client({ retries: 5 } as never).getJson('/x'), /unknown option "retries": did you mean retry: \{ maxAttempts: 6 \} \(maxAttempts counts the first attempt too\)\?/],
  ["ky's retry: 5 on the client", (client) => client({ retry: 5 } as never).getJson('/x'), /retry must be an object.*: did you mean retry: \{ maxAttempts: 6 \}\?/],
  ["ky's retry: { limit: 5 } on the client", (client) => client({ retry: { limit: 5 } } as never).getJson('/x'), /retry has no option "limit": did you mean maxAttempts: 6 /],
  ['baseURL, as axios spells it', (client, origin) => client({ baseURL: origin } as never).getJson('/x'), /unknown option "baseURL": did you mean baseUrl\?/],
  ['a misspelt client option', (client) => client({ timout: 5 } as never).getJson('/x'), /unknown option "timout": did you mean timeout\?/],
  ['retries: 5 per request', request('GET', '/x', { retries: 5 } as never), /unknown request option "retries": did you mean retry: \{ maxAttempts: 6 \}/],
  ["ky's retry: { limit: 5 } per request", request('GET', '/x', { retry: { limit: 5 } } as never), /retry has no option "limit": did you mean maxAttempts: 6 /],
  ['query instead of params', request('GET', '/x', { query: { page: 2 } } as never), /unknown request option "query": did you mean params\?/],
  ['an unknown getJson option', (client) => client().getJson('/x', undefined, { maxbodysize: 5 } as never), /unknown request option "maxbodysize": did you mean maxBodySize\?/],
  ['options: null for request()', request('GET', '/x', null as never), /the options of a request must be an object/],
  ['options: null for read()', (client) => client().read('/x', { read: () => [1] }, null as never), /the options of a request must be an object/],
  ['a scheduler that is not one', (client) => client({ scheduler: {} as never }).getJson('/x'), /scheduler must be an RxJS scheduler/],
  ['a header pair of three', request('GET', '/x', { headers: [['x-a', '1', '2']] as never }), /headers: each entry must be a \[name, value\] pair, not 3 items/],
  ['a method among the options of request()', request('GET', '/x', { method: 'POST' } as never), /unknown request option "method": did you mean request\(method, endpoint, options\)/],
];

describe('bad input: a clear error, nothing sent, no retry', () => {
  let server: TestServer;
  let elsewhere: number;
  const countElsewhere = () => (elsewhere += 1);

  beforeEach(async () => {
    // 503 to everything: a request that got through would be retried, and counted.
    server = await startServer((_req, res) => res.writeHead(503).end());
    elsewhere = 0;
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    nock.emitter.on('no match', countElsewhere);
  });

  afterEach(async () => {
    nock.emitter.off('no match', countElsewhere);
    nock.enableNetConnect();
    await server.close();
  });

  it.each(rows)('%s', async (_name, run, message) => {
    const events: ClientEvent[] = [];
    const feature = withEvents();
    feature.events$.subscribe((event) => events.push(event));
    const client: Client = (options = {}, ...features) =>
      new AsyncAPIClient({ baseUrl: `${server.origin}/v1`, authHeaders: bearerTokenAuth('tok'), retry: { baseDelay: 1 }, ...options }, ...features, feature);
    let error: unknown;
    let requested = false;
    try {
      const recording = record(run(client, server.origin));
      requested = true;
      await until(recording.done);
      error = recording.error;
    } catch (thrown) {
      // Helpers and the constructor throw at once, before any request exists.
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(server.hits).toEqual([]);
    expect(elsewhere).toBe(0);
    expect(events.filter((e) => e.type === 'request' || e.type === 'retry')).toEqual([]);
    // A request that errors says so in the events, refused before its first attempt or not (issue 13, item 7).
    const giveUps = events.filter((e) => e.type === 'giveUp');
    if (requested) expect(giveUps).toEqual([expect.objectContaining({ type: 'giveUp', error })]);
    else expect(giveUps).toEqual([]);
  });

  it('a request refused before its first attempt gives up with 0 attempts, at the base URL, its method upper-cased', async () => {
    const events: ClientEvent[] = [];
    const feature = withEvents();
    feature.events$.subscribe((event) => events.push(event));
    const client = new AsyncAPIClient({ baseUrl: `${server.origin}/v1` }, feature);
    const recording = record(client.request('post', '/items', { json: cycle }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect(events).toEqual([expect.objectContaining({ type: 'giveUp', method: 'POST', url: `${server.origin}/v1/`, attempts: 0, error: recording.error })]);
  });
});
