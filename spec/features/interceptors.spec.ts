import type { IncomingMessage, ServerResponse } from 'node:http';
import nock from 'nock';
import { concat, filter, firstValueFrom, from, lastValueFrom, map, of, switchMap, take, tap, throwError, type Observable } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyAuth, AsyncAPIClient, bearerTokenAuth, ConfigurationError, HttpError, NetworkError, withEvents, withInterceptors, type Interceptor } from '../../src/index.js';
import { chainInterceptors } from '../../src/features/interceptors.js';
import { eventsOf } from '../support/events.js';
import { record } from '../support/record.js';
import { closedPort, startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useOfflineNock } from '../support/offline-nock.js';

const ORIGIN = 'http://api.test';

let server: TestServer | undefined;

useOfflineNock();

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const withHeader = (name: string, value: () => string): Interceptor => (request, next) => {
  const headers = new Headers(request.headers);
  headers.set(name, value());
  return next(new Request(request, { headers }));
};

describe('chainInterceptors', () => {
  it('runs them in order: the first sees the request first and the response last', async () => {
    const log: string[] = [];
    const named = (name: string): Interceptor => (request, next) => {
      log.push(`${name} request`);
      return next(request).pipe(tap(() => log.push(`${name} response`)));
    };
    const handle = chainInterceptors([named('a'), named('b')], () => {
      log.push('transport');
      return of(new Response('ok'));
    });
    await lastValueFrom(handle(new Request('http://h/x')));
    expect(log).toEqual(['a request', 'b request', 'transport', 'b response', 'a response']);
  });

  it('an interceptor that throws errors the Observable instead of throwing at the caller', async () => {
    const handle = chainInterceptors([() => { throw new RangeError('bug'); }], () => of(new Response()));
    const result$ = handle(new Request('http://h/x'));
    await expect(lastValueFrom(result$)).rejects.toThrow(RangeError);
  });
});

describe('withInterceptors', () => {
  it('the old interceptors option is refused, saying where it went', () => {
    const options = { baseUrl: ORIGIN, interceptors: [(r: Request, n: (r: Request) => Observable<Response>) => n(r)] };
    expect(() => new AsyncAPIClient(options as never)).toThrow(ConfigurationError);
    expect(() => new AsyncAPIClient(options as never)).toThrow(/interceptors is a feature now: pass withInterceptors\(\.\.\.\)/);
  });

  it.each([
    ['an array (the old option\'s form)', [[(r: Request, n: (r: Request) => Observable<Response>) => n(r)]], /withInterceptors: argument 1 is a object/],
    ['a non-function', [null], /withInterceptors: argument 1 is null/],
    ['an object after a function', [(r: Request, n: (r: Request) => Observable<Response>) => n(r), {}], /withInterceptors: argument 2 is a object/],
  ])('%s: ConfigurationError', (_name, interceptors, message) => {
    expect(() => withInterceptors(...(interceptors as Interceptor[]))).toThrow(ConfigurationError);
    expect(() => withInterceptors(...(interceptors as Interceptor[]))).toThrow(message);
  });
});

describe('interceptors on the client', () => {
  it('several withInterceptors() make one chain, in the order given, whatever features stand between them', async () => {
    const log: string[] = [];
    const named = (name: string): Interceptor => (request, next) => {
      log.push(`${name} request`);
      return next(request).pipe(tap(() => log.push(`${name} response`)));
    };
    nock(ORIGIN)
      .get('/x')
      .reply(function () {
        log.push(`server: ${String(this.req.headers['x-from-b'])}`);
        return [200, { ok: true }];
      });
    const client = new AsyncAPIClient(
      { baseUrl: ORIGIN },
      withInterceptors(named('a')),
      withEvents(),
      withInterceptors(named('b'), withHeader('x-from-b', () => 'yes')),
    );
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ ok: true });
    expect(log).toEqual(['a request', 'b request', 'server: yes', 'b response', 'a response']);
  });

  it('the chains of two clients stay apart', async () => {
    const log: string[] = [];
    const tag = (name: string): Interceptor => (request, next) => {
      log.push(name);
      return next(request);
    };
    nock(ORIGIN).get('/x').times(2).reply(200, {});
    const first = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors(tag('first')));
    const second = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors(tag('second')));
    await lastValueFrom(first.getJson('/x'));
    await lastValueFrom(second.getJson('/x'));
    expect(log).toEqual(['first', 'second']);
  });

  it('run on every attempt: a retried request gets a fresh header', async () => {
    const seen: string[] = [];
    nock(ORIGIN)
      .get('/x')
      .times(2)
      .reply(function () {
        seen.push(String(this.req.headers['x-attempt-token']));
        return [503];
      })
      .get('/x')
      .reply(function () {
        seen.push(String(this.req.headers['x-attempt-token']));
        return [200, { ok: true }];
      });
    let issued = 0;
    const client = new AsyncAPIClient(
      { baseUrl: ORIGIN, retry: { baseDelay: 1 } },
      withInterceptors(withHeader('x-attempt-token', () => `t${(issued += 1)}`)),
    );
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ ok: true });
    expect(seen).toEqual(['t1', 't2', 't3']);
  });

  it('can map the response before the status check and the reader', async () => {
    nock(ORIGIN).get('/legacy').reply(200, '{"wrapped":{"id":1}}');
    const unwrap: Interceptor = (request, next) =>
      next(request).pipe(
        map((response) => {
          // A new Response around the same body stream: the body is read once, by the reader.
          const headers = new Headers(response.headers);
          headers.set('x-unwrapped', '1');
          return new Response(response.body, { status: response.status, headers });
        }),
      );
    const client = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors(unwrap));
    const response = await lastValueFrom(client.request('GET', '/legacy'));
    expect(response.headers.get('x-unwrapped')).toBe('1');
    expect(await response.json()).toEqual({ wrapped: { id: 1 } });
  });

  it('can short-circuit: a cache answers without the network', async () => {
    const feature = withEvents();
    const cache = new Map<string, string>([['http://api.test/items', '[1,2]']]);
    const cached: Interceptor = (request, next) => {
      const hit = cache.get(request.url);
      return hit === undefined ? next(request) : of(new Response(hit, { status: 200 }));
    };
    const client = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors(cached), feature);
    const events = eventsOf(feature);
    // nock has no interceptor defined: a request reaching the network would fail.
    expect(await lastValueFrom(client.getJson('/items'))).toEqual([1, 2]);
    // Nothing was sent, so no request event (as Angular's HttpSentEvent comes from the backend): the answer only.
    expect(events.map((e) => e.type)).toEqual(['response']);
  });

  it('a short-circuit answer with a bad status is checked and retried like any response', async () => {
    let calls = 0;
    const flaky: Interceptor = () => of(new Response(null, { status: (calls += 1) < 2 ? 503 : 200 }));
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }, withInterceptors(flaky));
    expect((await lastValueFrom(client.request('GET', '/x'))).status).toBe(200);
    expect(calls).toBe(2);
  });

  it.each<[string, Interceptor]>([
    ['throws a TypeError', () => { throw new TypeError('undefined is not a function'); }],
    ['errors with a TypeError', () => throwError(() => new TypeError('bad'))],
    ['maps the response and throws', (request, next) => next(request).pipe(map(() => { throw new TypeError('bad map'); }))],
  ])('an interceptor that %s is not retried as a network fault', async (_name, failing) => {
    const feature = withEvents();
    let hits = 0;
    nock(ORIGIN).get('/x').times(3).reply(() => {
      hits += 1;
      return [200, {}];
    });
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }, withInterceptors(failing), feature);
    const events = eventsOf(feature);
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TypeError);
    expect(recording.error).not.toBeInstanceOf(NetworkError);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(hits).toBeLessThanOrEqual(1);
  });

  it.each<[string, Interceptor]>([
    ['answers Response.error()', () => of(Response.error())],
    ['maps the response to Response.error()', (request, next) => next(request).pipe(map(() => Response.error()))],
  ])('an interceptor that %s gives a network failure: NetworkError, retried, never a value', async (_name, failing) => {
    nock(ORIGIN).get('/x').times(6).reply(200, '{"ok":true}', { 'content-type': 'application/json' });
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }, withInterceptors(failing), feature);
    const events = eventsOf(feature);
    for (const call$ of [client.getJson('/x'), client.request('GET', '/x')]) {
      const recording = record<unknown>(call$);
      await until(recording.done);
      expect(recording.values).toEqual([]);
      expect(recording.error).toBeInstanceOf(NetworkError);
      expect(recording.error).toMatchObject({ attempts: 3, message: 'GET http://api.test/x failed: network error (an interceptor answered Response.error()) (after 3 attempts)' });
    }
    expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason)).toEqual(['network error', 'network error', 'network error', 'network error']);
  });

  it('a network fault passed through an interceptor is still a NetworkError, retried', async () => {
    const port = await closedPort();
    nock.enableNetConnect('127.0.0.1');
    const passThrough: Interceptor = (request, next) => next(request);
    const client = new AsyncAPIClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { baseDelay: 1 } }, withInterceptors(passThrough));
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect(recording.error).toMatchObject({ attempts: 3 });
  });

  it('unsubscribing still aborts the connection through interceptors', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    nock.enableNetConnect('127.0.0.1');
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withInterceptors(withHeader('x-a', () => 'a'), (r, next) => next(r)));
    const recording = record(client.getJson('/hang'));
    await until(() => server!.hits.length === 1);
    expect(server.hits[0]!.headers['x-a']).toBe('a');
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('the final HttpError keeps its body readable through interceptors', async () => {
    nock(ORIGIN).get('/x').reply(404, 'not here');
    const client = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors((r, next) => next(r)));
    const recording = record(client.request('GET', '/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(HttpError);
    expect(await (recording.error as HttpError).response.text()).toBe('not here');
  });

});

describe('the transport under the interceptors', () => {
  it('firstValueFrom(request()) leaves the body readable: the fetch is released before the value goes out', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('part one, ');
      setImmediate(() => res.end('part two'));
    });
    nock.enableNetConnect('127.0.0.1');
    const response = await firstValueFrom(new AsyncAPIClient(server.origin).request('GET', '/x'));
    expect(await response.text()).toBe('part one, part two');
  });
});

describe('interceptors and redirects', () => {
  it('a request an interceptor replaced still loses its credentials on a redirect to another origin', async () => {
    const other = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"there":true}'));
    try {
      server = await startServer((_req, res) => res.writeHead(302, { location: `${other.origin}/landing` }).end());
      nock.enableNetConnect('127.0.0.1');
      const client = new AsyncAPIClient(
        { baseUrl: server.origin, authHeaders: { 'X-Tenant-Key': 'tenant-secret' } },
        withInterceptors(withHeader('x-trace', () => 't-1')),
      );
      expect(await lastValueFrom(client.getJson('/start'))).toEqual({ there: true });
      expect(server.hits[0]!.headers).toMatchObject({ 'x-tenant-key': 'tenant-secret', 'x-trace': 't-1' });
      expect(other.hits[0]!.headers['x-trace']).toBe('t-1');
      expect(other.hits[0]!.headers['x-tenant-key']).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('interceptors that hold the response Observable their own way', () => {
  const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  it.each<[string, Interceptor]>([
    ['take(1)', (request, next) => next(request).pipe(take(1))],
    ['firstValueFrom', (request, next) => from(firstValueFrom(next(request)))],
  ])('an interceptor that lets go after the response (%s) leaves the body readable', async (_name, interceptor) => {
    server = await startServer(json({ a: 1 }));
    nock.enableNetConnect('127.0.0.1');
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withInterceptors(interceptor));
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ a: 1 });
  });

  it('an interceptor that drops the response ends the request with a ConfigurationError, not a hang or a retry', async () => {
    server = await startServer(json({ a: 1 }));
    nock.enableNetConnect('127.0.0.1');
    const client = new AsyncAPIClient({ baseUrl: server.origin, timeout: false }, withInterceptors((request, next) => next(request).pipe(filter(() => false))));
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(/the interceptors completed without a response/);
    expect(server.hits).toHaveLength(1);
  });

  it('an interceptor that emits two responses: the first is the answer', async () => {
    const client = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors(() => concat(of(new Response('{"a":1}')), of(new Response('{"a":2}')))));
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.values).toEqual([{ a: 1 }]);
  });

  it('a cache interceptor that hands out one Response twice gets a clear error the second time, not a retried network error', async () => {
    let cached: Response | undefined;
    const cache: Interceptor = (request, next) => (cached ? of(cached) : next(request).pipe(tap((response) => (cached = response))));
    server = await startServer(json({ a: 1 }));
    nock.enableNetConnect('127.0.0.1');
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }, withInterceptors(cache));
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ a: 1 });
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(/response\.clone\(\)/);
    expect(server.hits).toHaveLength(1);
  });

  it.each<[string, Interceptor]>([
    ['undefined', (request, next) => next(request).pipe(map(() => undefined as unknown as Response))],
    ['null', () => of(null as unknown as Response)],
  ])('an answer that is no Response (%s) fails the request with the TypeError of reading it, not an empty completion', async (_name, bad) => {
    nock(ORIGIN).get('/x').reply(200, '{"a":1}', { 'content-type': 'application/json' });
    const unhandled: unknown[] = [];
    const listen = (error: unknown) => void unhandled.push(error);
    process.on('uncaughtException', listen);
    try {
      const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: false }, withInterceptors(bad));
      const recording = record(client.getJson('/x'));
      await until(recording.done);
      // An observer's own throw is reported through a timer: give it one.
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(recording.error).toBeInstanceOf(TypeError);
      expect(recording.values).toEqual([]);
    } finally {
      process.off('uncaughtException', listen);
    }
    expect(unhandled).toEqual([]);
  });

  it('a Response of its own whose body is locked (a reader taken, nothing read) is refused the same way', async () => {
    const locked = new Response('{"a":1}');
    locked.body!.getReader();
    expect(locked.bodyUsed).toBe(false);
    const client = new AsyncAPIClient({ baseUrl: ORIGIN }, withInterceptors(() => of(locked)));
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(/response\.clone\(\)/);
  });

  it('a request rebuilt to add a header keeps its body as sent: a content-length, and a 307 can resend it', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' }).end();
        return;
      }
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ length: req.headers['content-length'] ?? null, chunked: req.headers['transfer-encoding'] ?? null, body })),
      );
    });
    nock.enableNetConnect('127.0.0.1');
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withInterceptors(withHeader('x-signed', () => 'yes')));
    const response = await lastValueFrom(client.request('POST', '/old', { json: { a: 1 } }));
    expect(await response.json()).toEqual({ length: '7', chunked: null, body: '{"a":1}' });
    expect(server.hits.map((hit) => [hit.url, hit.headers['x-signed']])).toEqual([
      ['/old', 'yes'],
      ['/new', 'yes'],
    ]);
  });
});

describe('an interceptor that changes the headers of the request in place', () => {
  it('sends what it set and leaves out what it deleted, with the prepared body as it was (a Blob, not read by the interceptor)', async () => {
    server = await startServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ length: req.headers['content-length'] ?? null, body })));
    });
    nock.enableNetConnect('127.0.0.1');
    let bodyUsed: boolean | undefined;
    const inPlace: Interceptor = (request, next) => {
      request.headers.set('x-tenant', 'acme');
      request.headers.delete('x-trace');
      bodyUsed = request.bodyUsed;
      return next(request);
    };
    const client = new AsyncAPIClient({ baseUrl: server.origin, headers: { 'X-Trace': 't-1' } }, withInterceptors(inPlace));
    const response = await lastValueFrom(client.request('POST', '/upload', { body: new Blob(['hello'], { type: 'text/plain' }) }));
    expect(await response.json()).toEqual({ length: '5', body: 'hello' });
    expect(bodyUsed).toBe(false);
    expect(server.hits[0]!.headers['x-tenant']).toBe('acme');
    expect(server.hits[0]!.headers['x-trace']).toBeUndefined();
  });

  it('a form goes with the boundary of the encoding that is sent, passed on as it is or changed in place', async () => {
    server = await startServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ type: req.headers['content-type'], body })));
    });
    nock.enableNetConnect('127.0.0.1');
    const passed: Interceptor = (request, next) => next(request);
    const changed: Interceptor = (request, next) => (request.headers.set('x-tenant', 'acme'), next(request));
    for (const interceptor of [passed, changed]) {
      const client = new AsyncAPIClient({ baseUrl: server.origin }, withInterceptors(interceptor));
      const form = new FormData();
      form.append('a', '1');
      form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
      const sent = (await lastValueFrom(client.request('POST', '/form', { body: form }).pipe(switchMap((response) => response.json())))) as { type: string; body: string };
      // The server reads the form by the boundary of its content-type.
      const read = await new Response(sent.body, { headers: { 'content-type': sent.type } }).formData();
      expect(read.get('a')).toBe('1');
      expect(await (read.get('file') as Blob).text()).toBe('hello');
    }
    expect(server.hits.map((hit) => hit.headers['x-tenant'])).toEqual([undefined, 'acme']);
  });

  it('a content-type that an interceptor sets in place on a form is sent', async () => {
    server = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    nock.enableNetConnect('127.0.0.1');
    const form = new FormData();
    form.append('a', '1');
    const client = new AsyncAPIClient(
      { baseUrl: server.origin },
      withInterceptors((request, next) => (request.headers.set('content-type', 'multipart/form-data; boundary=own'), next(request))),
    );
    await lastValueFrom(client.request('POST', '/form', { body: form }));
    expect(server.hits[0]!.headers['content-type']).toBe('multipart/form-data; boundary=own');
  });

  it('untouched, the request goes as the client prepared it', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    nock.enableNetConnect('127.0.0.1');
    const client = new AsyncAPIClient({ baseUrl: server.origin, headers: { 'X-Trace': 't-1' } }, withInterceptors((request, next) => next(request)));
    await lastValueFrom(client.getJson('/x'));
    expect(server.hits[0]!.headers).toMatchObject({ 'x-trace': 't-1', accept: 'application/json' });
  });
});

describe('interceptors that send the request elsewhere', () => {
  const TOKEN = 'token-SECRET';
  const TENANT = 'tenant-SECRET';
  const KEY = 'query-key-SECRET';
  const authHeaders = { ...bearerTokenAuth(TOKEN), ...apiKeyAuth(TENANT, 'X-Tenant-Key'), ...apiKeyAuth(KEY, { in: 'query', name: 'api_key' }) };
  let mirror: TestServer;

  const echo = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  /** Sends every request to `origin` instead, as a mirror or canary interceptor does; `change` edits the new request. */
  const retarget = (origin: () => string, change: (headers: Headers) => void = () => undefined): Interceptor => (request, next) => {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    change(headers);
    return next(new Request(`${origin()}${url.pathname}${url.search}`, { method: request.method, headers }));
  };

  beforeEach(async () => {
    server = await startServer(echo);
    mirror = await startServer(echo);
    nock.enableNetConnect('127.0.0.1');
  });

  afterEach(async () => {
    await mirror.close();
  });

  it('to another origin: every credential is dropped there, and the request event says which', async () => {
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server!.origin, authHeaders, headers: { 'x-trace': 't-1' } }, withInterceptors(retarget(() => mirror.origin)), feature);
    const requests = eventsOf(feature, 'request');
    expect(await lastValueFrom(client.getJson('/items', { page: 2 }))).toEqual({ ok: true });
    expect(server!.hits).toEqual([]);
    const hit = mirror.hits[0]!;
    expect(hit.url).toBe('/items?page=2');
    expect(hit.headers.authorization).toBeUndefined();
    expect(hit.headers['x-tenant-key']).toBeUndefined();
    expect(hit.headers['x-trace']).toBe('t-1');
    expect(JSON.stringify(mirror.hits)).not.toMatch(/SECRET/);
    expect(requests).toEqual([
      expect.objectContaining({ url: `${mirror.origin}/items`, attempt: 1, dropped: ['authorization', 'x-tenant-key', '?api_key'] }),
    ]);
    expect(JSON.stringify(requests)).not.toMatch(/SECRET/);
  });

  it('to an origin in allowedOrigins: the credentials go with it, as they would with an absolute endpoint there', async () => {
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server!.origin, authHeaders, allowedOrigins: [mirror.origin] }, withInterceptors(retarget(() => mirror.origin)), feature);
    const requests = eventsOf(feature, 'request');
    await lastValueFrom(client.getJson('/items'));
    expect(mirror.hits[0]!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'x-tenant-key': TENANT });
    expect(mirror.hits[0]!.url).toBe(`/items?api_key=${KEY}`);
    expect(requests[0]).not.toHaveProperty('dropped');
  });

  it('a credential the interceptor sets for the new origin itself is its own, and goes', async () => {
    const client = new AsyncAPIClient({ baseUrl: server!.origin, authHeaders }, withInterceptors(retarget(() => mirror.origin, (headers) => headers.set('authorization', 'Bearer mirror-token'))));
    await lastValueFrom(client.getJson('/items'));
    expect(mirror.hits[0]!.headers.authorization).toBe('Bearer mirror-token');
    expect(mirror.hits[0]!.headers['x-tenant-key']).toBeUndefined();
  });

  it.each<[string, () => Interceptor]>([
    ['sent on unchanged', () => (request, next) => next(request)],
    ['rebuilt on the base origin', () => retarget(() => server!.origin, (headers) => headers.set('x-a', 'a'))],
  ])('a request %s keeps its credentials and has no dropped list', async (_name, interceptor) => {
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server!.origin, authHeaders }, withInterceptors(interceptor()), feature);
    const requests = eventsOf(feature, 'request');
    await lastValueFrom(client.getJson('/items'));
    expect(server!.hits[0]!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'x-tenant-key': TENANT });
    expect(server!.hits[0]!.url).toBe(`/items?api_key=${KEY}`);
    expect(requests).toEqual([expect.objectContaining({ url: `${server!.origin}/items`, attempt: 1 })]);
    expect(requests[0]).not.toHaveProperty('dropped');
  });

  it('the request event shows the request as sent, after the interceptors: their method, URL and headers', async () => {
    const feature = withEvents();
    const rewrite: Interceptor = (request, next) => {
      const headers = new Headers(request.headers);
      headers.set('x-a', 'a');
      return next(new Request(`${server!.origin}/v2${new URL(request.url).pathname}`, { method: 'POST', headers, body: '{}' }));
    };
    const client = new AsyncAPIClient({ baseUrl: server!.origin, authHeaders }, withInterceptors(rewrite), feature);
    const requests = eventsOf(feature, 'request');
    await lastValueFrom(client.getJson('/items'));
    expect(server!.hits.map((hit) => `${hit.method} ${hit.url}`)).toEqual(['POST /v2/items']);
    expect(requests).toEqual([expect.objectContaining({ method: 'POST', url: `${server!.origin}/v2/items`, headers: expect.objectContaining({ 'x-a': 'a', authorization: '[redacted]' }) })]);
  });
});
