// Credentials stay with their origin: absolute endpoints and redirects, against
// two real loopback servers. Both listen on 127.0.0.1, on different ports, so
// they are two origins, and a hop from one to the other is a real origin change.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  asyncAuth,
  apiKeyAuth,
  AsyncAPIClient,
  bearerTokenAuth,
  ConfigurationError,
  RedirectError,
  withEvents,
  type ClientEvent,
  type ClientOptions,
} from '../../src/index.js';
import { undiciTransport } from '../../src/undici/index.js';
import { record } from '../support/record.js';
import { startServer, type Hit, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { ONE_SHOT_BODIES } from '../support/one-shot-bodies.js';

const TOKEN = 'tok-origin-SECRET';
const TENANT_KEY = 'tenant-key-SECRET';
const COOKIE = 'sid=cookie-SECRET';
const QUERY_KEY = 'query-key-SECRET';

interface Echo {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

/** A server that answers `/redirect?status=&to=`, `/loop`, `/no-location`, `/hang`, and echoes anything else. */
async function originServer(): Promise<TestServer & { bodies: string[] }> {
  const bodies: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, _hit: Hit) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/redirect') {
        const location = url.searchParams.get('to');
        res.writeHead(Number(url.searchParams.get('status') ?? 302), location === null ? {} : { location }).end('moved');
      } else if (url.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
      } else if (url.pathname === '/no-location') {
        res.writeHead(302).end('no location');
      } else if (url.pathname !== '/hang') {
        const echo: Echo = { method: req.method ?? '', path: url.pathname, search: url.search, headers: req.headers as Record<string, string>, body };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
      }
    });
  };
  const server = await startServer(handle);
  return Object.assign(server, { bodies });
}

let a: Awaited<ReturnType<typeof originServer>>;
let b: Awaited<ReturnType<typeof originServer>>;

beforeEach(async () => {
  a = await originServer();
  b = await originServer();
});

afterEach(async () => {
  await a.close();
  await b.close();
});

const authHeaders = { ...bearerTokenAuth(TOKEN), ...apiKeyAuth(TENANT_KEY, 'X-Tenant-Key') };
const otherHeaders = { Cookie: COOKIE, 'Proxy-Authorization': 'Basic cHJveHk6cHJveHk=', 'X-Trace': 'trace-1' };

function newClient(options: Partial<ClientOptions> = {}): { client: AsyncAPIClient; events: ClientEvent[] } {
  const feature = withEvents();
  const client = new AsyncAPIClient({ baseUrl: a.origin, authHeaders, headers: otherHeaders, retry: { baseDelay: 1 }, ...options }, feature);
  const events: ClientEvent[] = [];
  feature.events$.subscribe((event) => events.push(event));
  return { client, events };
}

const to = (server: TestServer, path: string, status = 302) => `/redirect?status=${status}&to=${encodeURIComponent(server.origin + path)}`;
const credentialsOf = (hit: Hit) => ({
  authorization: hit.headers.authorization,
  'x-tenant-key': hit.headers['x-tenant-key'],
  cookie: hit.headers.cookie,
  'proxy-authorization': hit.headers['proxy-authorization'],
});
const NO_CREDENTIALS = { authorization: undefined, 'x-tenant-key': undefined, cookie: undefined, 'proxy-authorization': undefined };

describe('absolute endpoints', () => {
  it.each([
    ['an absolute URL', () => `${b.origin}/echo`],
    ['a protocol-relative URL', () => `//${b.origin.slice('http://'.length)}/echo`],
    ['a protocol-relative URL with backslashes', () => `\\\\${b.origin.slice('http://'.length)}/echo`],
  ])('%s to another origin is refused, naming the origin, and nothing is sent to either server', async (_name, endpoint) => {
    const { client, events } = newClient();
    const recording = record(client.request('GET', endpoint()));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toContain(`is an absolute URL to another origin (${b.origin}) than the base URL ${a.origin}/`);
    expect((recording.error as Error).message).toContain(`list ${b.origin} in allowedOrigins`);
    expect(a.hits).toEqual([]);
    expect(b.hits).toEqual([]);
    // Only the giveUp of a refused request (issue 13, item 7), at the base URL: the refused origin is not shown.
    expect(events).toEqual([expect.objectContaining({ type: 'giveUp', url: `${a.origin}/`, attempts: 0, error: recording.error })]);
  });

  it('an absolute URL to an origin in allowedOrigins is sent there, with the credentials', async () => {
    const { client } = newClient({ allowedOrigins: [b.origin] });
    const echo = await lastValueFrom(client.getJson<Echo>(`${b.origin}/echo`, { page: 2 }));
    expect(echo).toMatchObject({ method: 'GET', path: '/echo', search: '?page=2' });
    expect(credentialsOf(b.hits[0]!)).toEqual({ authorization: `Bearer ${TOKEN}`, 'x-tenant-key': TENANT_KEY, cookie: COOKIE, 'proxy-authorization': 'Basic cHJveHk6cHJveHk=' });
    expect(a.hits).toEqual([]);
  });

  it('an absolute URL under the base URL is the same as its path; one outside the base path is refused', async () => {
    const { client } = newClient({ baseUrl: `${a.origin}/api` });
    const echo = await lastValueFrom(client.getJson<Echo>(`${a.origin}/api/echo`));
    expect(echo.path).toBe('/api/echo');
    const recording = record(client.request('GET', `${a.origin}/admin`));
    await until(recording.done);
    expect((recording.error as Error).message).toMatch(/resolves outside the base URL/);
    expect(a.hits).toHaveLength(1);
  });
});

describe('redirects, followed by the client in Node', () => {
  it('same origin: every header is kept, and the final response is emitted', async () => {
    const { client, events } = newClient();
    const echo = await lastValueFrom(client.getJson<Echo>(to(a, '/echo')));
    expect(echo.path).toBe('/echo');
    expect(a.hits).toHaveLength(2);
    expect(credentialsOf(a.hits[1]!)).toEqual({ authorization: `Bearer ${TOKEN}`, 'x-tenant-key': TENANT_KEY, cookie: COOKIE, 'proxy-authorization': 'Basic cHJveHk6cHJveHk=' });
    expect(events.filter((e) => e.type === 'redirect')).toEqual([
      {
        type: 'redirect',
        method: 'GET',
        url: `${a.origin}/redirect`,
        requestId: expect.any(Number),
        time: expect.any(Number),
        attempt: 1,
        status: 302,
        location: `${a.origin}/echo`,
        dropped: [],
      },
    ]);
  });

  it.each([301, 302, 303, 307, 308])('cross origin (%i): every auth header, Cookie and Proxy-Authorization are dropped, the rest kept', async (status) => {
    const { client, events } = newClient();
    const echo = await lastValueFrom(client.getJson<Echo>(to(b, '/echo', status)));
    expect(echo.path).toBe('/echo');
    expect(b.hits).toHaveLength(1);
    expect(credentialsOf(b.hits[0]!)).toEqual(NO_CREDENTIALS);
    expect(b.hits[0]!.headers['x-trace']).toBe('trace-1');
    expect(b.hits[0]!.headers.accept).toBe('application/json');
    expect(events.find((e) => e.type === 'redirect')).toMatchObject({
      status,
      location: `${b.origin}/echo`,
      dropped: ['cookie', 'proxy-authorization', 'authorization', 'x-tenant-key'],
    });
  });

  it('cross origin: headers from an auth function are dropped whatever their names', async () => {
    const { client } = newClient({ authHeaders: asyncAuth(() => Promise.resolve({ 'X-Tenant': 'acme-SECRET', 'X-Plain-Looking': 'also-SECRET' })) });
    await lastValueFrom(client.request('GET', to(b, '/echo')));
    expect(a.hits[0]!.headers['x-tenant']).toBe('acme-SECRET');
    expect(b.hits[0]!.headers['x-tenant']).toBeUndefined();
    expect(b.hits[0]!.headers['x-plain-looking']).toBeUndefined();
  });

  it('credentials dropped on the way out stay dropped when a later hop comes back to the first origin', async () => {
    const { client } = newClient();
    const back = `/redirect?status=302&to=${encodeURIComponent(`${a.origin}/echo`)}`;
    const echo = await lastValueFrom(client.getJson<Echo>(to(b, back)));
    expect(echo.path).toBe('/echo');
    expect(a.hits).toHaveLength(2);
    expect(credentialsOf(a.hits[1]!)).toEqual(NO_CREDENTIALS);
  });

  it.each([
    [303, 'POST', 'GET', ''],
    [303, 'PUT', 'GET', ''],
    [301, 'POST', 'GET', ''],
    [302, 'POST', 'GET', ''],
    [302, 'PUT', 'PUT', '{"n":1}'],
    [307, 'POST', 'POST', '{"n":1}'],
    [308, 'PATCH', 'PATCH', '{"n":1}'],
  ])('a %i on %s goes on as %s with body %j', async (status, method, nextMethod, body) => {
    const { client } = newClient();
    const response = await lastValueFrom(client.request(method, `/redirect?status=${status}&to=/echo`, { json: { n: 1 } }));
    const echo = (await response.json()) as Echo;
    expect(echo.method).toBe(nextMethod);
    expect(echo.body).toBe(body);
    expect(echo.headers['content-type']).toBe(body === '' ? undefined : 'application/json');
    expect(a.bodies[0]).toBe('{"n":1}');
  });

  it('follows 20 redirects at most by default, then fails with RedirectError, not retried', async () => {
    const { client, events } = newClient();
    const recording = record(client.request('GET', '/loop'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(RedirectError);
    expect((recording.error as Error).message).toBe(`GET ${a.origin}/loop was redirected more than 20 times (maxRedirects)`);
    expect(recording.error).toMatchObject({ attempts: 1 });
    expect(a.hits).toHaveLength(21);
    expect(events.filter((e) => e.type === 'redirect')).toHaveLength(20);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
  });

  it('maxRedirects sets the limit', async () => {
    const { client } = newClient({ maxRedirects: 2 });
    const recording = record(client.request('GET', '/loop'));
    await until(recording.done);
    expect((recording.error as Error).message).toMatch(/more than 2 times/);
    expect(a.hits).toHaveLength(3);
  });

  it('maxRedirects: 0 emits the 3xx response as it is', async () => {
    const { client } = newClient({ maxRedirects: 0 });
    const response = await lastValueFrom(client.request('GET', to(b, '/echo')));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${b.origin}/echo`);
    expect(await response.text()).toBe('moved');
    expect(b.hits).toEqual([]);
  });

  it('a redirect without Location is the answer, as fetch has it', async () => {
    const { client } = newClient();
    const response = await lastValueFrom(client.request('GET', '/no-location'));
    expect(response.status).toBe(302);
    expect(await response.text()).toBe('no location');
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(1)', /was redirected \(302\) to a javascript: URL/],
    ['a file: URL', 'file:///etc/passwd', /to a file: URL/],
    ['a URL with credentials', 'http://user:hunter2@127.0.0.1:1/x', /to a URL that holds credentials/],
    ['a URL that cannot be parsed', 'http://[bad', /with a Location that is not a valid URL/],
  ])('a redirect to %s fails with RedirectError, once', async (_name, location, message) => {
    const { client } = newClient();
    const recording = record(client.request('GET', `/redirect?status=302&to=${encodeURIComponent(location)}`));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(RedirectError);
    expect((recording.error as Error).message).toMatch(message);
    expect((recording.error as Error).message).not.toContain('hunter2');
    expect(a.hits).toHaveLength(1);
  });

  // On a transport that shows redirects of a Blob or stream body, the client decides (fetch in Node shows none of
  // them: it sends such a body with redirect 'error', see ./follow-redirects.fetch.spec.ts).
  it('undiciTransport(): a 307 cannot resend a stream body: RedirectError; a 303 drops it and goes on', async () => {
    const stream = () => new Blob(['streamed']).stream();
    const { client } = newClient({ transport: undiciTransport() });
    const recording = record(client.request('POST', '/redirect?status=307&to=/echo', { body: stream() }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(RedirectError);
    expect((recording.error as Error).message).toMatch(/its body, a stream, cannot be sent again/);
    const response = await lastValueFrom(client.request('POST', '/redirect?status=303&to=/echo', { body: stream() }));
    expect(((await response.json()) as Echo).method).toBe('GET');
  });

  it.each(ONE_SHOT_BODIES)('undiciTransport(): a 307 or 308 does not send %s again: RedirectError that says so, and nothing reaches the new location', async (_name, body) => {
    const { client, events } = newClient({ transport: undiciTransport() });
    for (const status of [307, 308]) {
      const recording = record(client.request('POST', `/redirect?status=${status}&to=/echo`, { body: body() as unknown as BodyInit }));
      await until(recording.done);
      expect(recording.error).toBeInstanceOf(RedirectError);
      expect((recording.error as Error).message).toBe(
        `POST ${a.origin}/redirect was redirected (${status}), and its body, a stream, cannot be sent again: send a string, Blob or ArrayBuffer, or handle the redirect on the server`,
      );
    }
    // The first location got the body once; the second never got anything.
    expect(a.hits.map((hit) => hit.url.split('?', 1)[0])).toEqual(['/redirect', '/redirect']);
    expect(a.bodies).toEqual(['part-1,part-2', 'part-1,part-2']);
    expect(events.filter((e) => e.type === 'retry' || e.type === 'redirect')).toEqual([]);
  });

  it('undiciTransport(): a 307 sends a Blob body again, with its content-length, and credentials stay with their origin', async () => {
    const { client } = newClient({ transport: undiciTransport() });
    const file = new Blob(['a file of 19 bytes.'], { type: 'text/csv' });
    const response = await lastValueFrom(client.request('PUT', to(b, '/echo', 307), { body: file }));
    expect(await response.json()).toMatchObject({ method: 'PUT', path: '/echo', body: 'a file of 19 bytes.', headers: { 'content-length': '19', 'content-type': 'text/csv' } });
    expect(credentialsOf(a.hits[0]!)).toMatchObject({ authorization: `Bearer ${TOKEN}` });
    expect(credentialsOf(b.hits[0]!)).toEqual(NO_CREDENTIALS);
  });

  it('a query-string API key goes on over a same-origin hop, never to another origin', async () => {
    const { client } = newClient({ authHeaders: apiKeyAuth(QUERY_KEY, { in: 'query', name: 'key' }) });
    const same = await lastValueFrom(client.getJson<Echo>('/redirect?status=302&to=/echo'));
    expect(new URLSearchParams(same.search).get('key')).toBe(QUERY_KEY);
    const other = await lastValueFrom(client.getJson<Echo>(to(b, '/echo')));
    expect(other.search).toBe('');
    expect(JSON.stringify(b.hits)).not.toContain(QUERY_KEY);
  });

  it('a query-string API key that the server echoes in a Link (or any header) stays out of the events', async () => {
    const linking = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      url.searchParams.set('page', '2');
      res
        .writeHead(200, {
          'content-type': 'application/json',
          link: `<${linking.origin}${url.pathname}${url.search}>; rel="next", <${url.pathname}${url.search}>; rel="last"`,
          'x-self': `${linking.origin}${req.url}`,
        })
        .end('[]');
    });
    try {
      const { client, events } = newClient({ baseUrl: linking.origin, authHeaders: apiKeyAuth(QUERY_KEY, { in: 'query', name: 'api_key' }) });
      await lastValueFrom(client.getJson('/items', { page: 1 }));
      const response = events.find((e) => e.type === 'response');
      expect(response).toMatchObject({ headers: { link: `<${linking.origin}/items>; rel="next", </items>; rel="last"`, 'x-self': `${linking.origin}/items` } });
      expect(JSON.stringify(events)).not.toContain(QUERY_KEY);
    } finally {
      await linking.close();
    }
  });

  it('unsubscribing during a later hop aborts that hop', async () => {
    const { client } = newClient();
    const recording = record(client.request('GET', to(b, '/hang')));
    await until(() => b.hits.length === 1);
    recording.subscription.unsubscribe();
    await until(() => b.hits[0]!.closedEarly);
    expect(recording.done()).toBe(false);
  });

  it('no secret reaches a RedirectError or a redirect event', async () => {
    const { client, events } = newClient({ maxRedirects: 1 });
    const recording = record(client.request('GET', '/loop', { params: { key: QUERY_KEY } }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(RedirectError);
    for (const value of [recording.error, ...events]) {
      for (const text of [String(value), JSON.stringify(value), inspect(value, { depth: Infinity, showHidden: true }), String((value as Error).stack)]) {
        for (const secret of [TOKEN, TENANT_KEY, COOKIE, QUERY_KEY]) expect(text).not.toContain(secret);
      }
    }
  });
});
