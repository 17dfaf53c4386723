// rx-api-client/testing under a real client, in virtual time: routes, the recorder, the controller,
// the scripted faults, and settle()/advanceBy() reaching the body reads that a TestScheduler cannot flush.
import { lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, bearerTokenAuth, ConfigurationError, HttpError, ndjson, NetworkError, sse, TimeoutError, upload, withInterceptors, withUploadProgress, type ClientOptions } from '../../src/index.js';
import { advanceBy, chunkedReply, ndjsonReply, networkReset, noAnswer, settle, sseReply, statusReply, testTransport } from '../../src/testing/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** A client on a test transport, both on one TestScheduler. */
function setup(options: Partial<ClientOptions> = {}) {
  const scheduler = newScheduler();
  const api = testTransport({ scheduler });
  const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api, scheduler, ...options });
  return { scheduler, api, client };
}

/** What `source` ends with, once virtual time and the body reads have run out. */
async function outcome<T>(scheduler: TestScheduler, source: Promise<T>) {
  const result = source.then((value) => ({ value }), (error: unknown) => ({ error }));
  await settle(scheduler);
  return result;
}

describe('testTransport: routes and the recorder', () => {
  it('answers by method and path pattern with a body, a status and headers, and records what was sent', async () => {
    const { api, client } = setup({ authHeaders: bearerTokenAuth('t0ken') });
    api.on('GET', '/v1/items/:id', { body: { id: 7 }, headers: { etag: '"7"' } });
    api.on('POST', '/v1/items', (request) => ({ status: 201, body: { ...request.json<object>(), id: 8 } }));
    const response = lastValueFrom(client.request('GET', '/items/7', { params: { full: true } }));
    const created = lastValueFrom(client.request('POST', '/items', { json: { name: 'lamp' } }));
    expect((await response).headers.get('etag')).toBe('"7"');
    expect(await (await response).json()).toEqual({ id: 7 });
    expect((await created).status).toBe(201);
    expect(await (await created).json()).toEqual({ name: 'lamp', id: 8 });
    expect(api.requests.map(({ method, url, params }) => ({ method, url, params }))).toEqual([
      { method: 'GET', url: 'https://api.test/v1/items/7?full=true', params: { id: '7' } },
      { method: 'POST', url: 'https://api.test/v1/items', params: {} },
    ]);
    expect(api.requests[1]!.headers).toMatchObject({ authorization: 'Bearer t0ken', 'content-type': 'application/json' });
    expect(api.requests[1]!.text).toBe('{"name":"lamp"}');
    api.verify();
  });

  it('gives a route’s answers in turn, the last again; the latest matching route wins; * and RegExp match', async () => {
    const { api, client, scheduler } = setup({ retry: false });
    api.on('*', '/v1/*', { status: 404 });
    api.on('GET', '/v1/items', { body: 1 }, { body: 2 });
    api.on('GET', /\/v1\/special$/, { body: 'special', headers: { 'content-type': 'text/plain' } });
    const values = await outcome(scheduler, lastValueFrom(client.getJson('/items').pipe(toArray())));
    expect(values).toEqual({ value: [1] });
    expect(await outcome(scheduler, lastValueFrom(client.getJson('/items')))).toEqual({ value: 2 });
    expect(await outcome(scheduler, lastValueFrom(client.getJson('/items')))).toEqual({ value: 2 });
    expect(await outcome(scheduler, lastValueFrom(client.read('/special', { read: (response) => response.text() })))).toEqual({ value: 'special' });
    const missing = await outcome(scheduler, lastValueFrom(client.getJson('/other')));
    expect((missing as { error: HttpError }).error.status).toBe(404);
  });

  it('refuses a route without an answer, before anything is sent', () => {
    expect(() => testTransport().on('GET', '/x')).toThrow(ConfigurationError);
    expect(() => testTransport().on('GET', '/x')).toThrow(/give at least one answer/);
  });
});

describe('testTransport: the progress seam', () => {
  it('tells an upload listener that a body of known size went whole, once answered', async () => {
    const scheduler = newScheduler();
    const api = testTransport({ scheduler });
    const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api, scheduler }, withUploadProgress());
    api.on('POST', '/v1/files', { status: 201, body: { id: 'f1' } });
    const events = await outcome(scheduler, lastValueFrom(upload<{ id: string }>(client, '/files', new Blob(['hello'])).pipe(toArray())));
    expect(events).toEqual({
      value: [
        { type: 'upload', loaded: 5, total: 5, attempt: 1 },
        { type: 'result', value: { id: 'f1' } },
      ],
    });
  });
});

describe('testTransport: the controller', () => {
  it('expectOne() takes the waiting request; an awaited flush() delivers the parsed body', async () => {
    const { api, client } = setup();
    const items: unknown[] = [];
    client.getJson('/items', { page: 2 }).subscribe((value) => items.push(value));
    const pending = api.expectOne('GET /v1/items');
    expect(pending.request.url).toBe('https://api.test/v1/items?page=2');
    await pending.flush([{ id: 1 }]);
    expect(items).toEqual([[{ id: 1 }]]);
    api.verify();
  });

  it('expectOne() fails on none or several, naming what waits (never the query); match() takes all; expectNone()', () => {
    const { api, client } = setup();
    client.getJson('/items', { key: 'secret' }).subscribe({ error: () => undefined });
    client.getJson('/items').subscribe({ error: () => undefined });
    expect(() => api.expectOne('/v1/nothing')).toThrow('expected one request for /v1/nothing, found 0; waiting: GET https://api.test/v1/items, GET https://api.test/v1/items');
    expect(() => api.expectOne({ method: 'GET', path: '/v1/items' })).toThrow(/found 2/);
    expect(() => api.expectNone('GET /v1/items')).toThrow(/expected no request for GET \/v1\/items/);
    expect(String((() => { try { api.expectOne('/v1/items'); } catch (error) { return error; } })())).not.toContain('secret');
    expect(api.match((request) => request.url.endsWith('items'))).toHaveLength(1);
    expect(api.match('/v1/items')).toHaveLength(1);
    api.expectNone('/v1/items');
  });

  it('verify() fails on a request nobody expected, and on one taken but never answered', async () => {
    const { api, client } = setup();
    client.getJson('/surprise').subscribe({ error: () => undefined });
    expect(() => api.verify()).toThrow('test transport: unexpected: GET https://api.test/v1/surprise');
    const taken = api.expectOne('/v1/surprise');
    expect(() => api.verify()).toThrow('test transport: never answered: GET https://api.test/v1/surprise');
    await taken.flush({});
    api.verify();
  });

  it('a request the client lets go of is cancelled: verify() accepts it once taken, and it cannot be answered', () => {
    const { api, client } = setup();
    const subscription = client.getJson('/items').subscribe();
    const pending = api.expectOne('/v1/items');
    subscription.unsubscribe();
    expect(pending.request.cancelled).toBe(true);
    api.verify();
    expect(() => pending.flush([])).toThrow('GET https://api.test/v1/items was cancelled: it cannot be answered');
  });

  it('error() fails a request as a network reset (retried), or with the error given', async () => {
    const { api, client, scheduler } = setup({ retry: false });
    const reset = outcome(scheduler, lastValueFrom(client.getJson('/a')));
    await api.expectOne('/v1/a').error();
    expect((await reset as { error: unknown }).error).toBeInstanceOf(NetworkError);
    const own = new RangeError('mine');
    const failed = outcome(scheduler, lastValueFrom(client.getJson('/b')));
    await api.expectOne('/v1/b').error(own);
    expect(await failed).toEqual({ error: own });
  });
});

describe('testTransport: aborts', () => {
  it('a signal on the request (an interceptor’s) aborts it as fetch would: an AbortError, not retried', async () => {
    const scheduler = newScheduler();
    const api = testTransport({ scheduler });
    const controller = new AbortController();
    const withSignal = withInterceptors((request, next) => next(new Request(request, { signal: controller.signal })));
    const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api, scheduler }, withSignal);
    const result = lastValueFrom(client.getJson('/items')).catch((error: unknown) => error);
    // The interceptor's Request reaches the transport after a Promise: a task turn, no time.
    await advanceBy(scheduler, 0);
    const pending = api.expectOne('/v1/items');
    controller.abort();
    expect(((await result) as DOMException).name).toBe('AbortError');
    expect(pending.request.cancelled).toBe(true);
    expect(api.requests).toHaveLength(1);
  });

  it('a signal aborted before the request is sent rejects it at once, as fetch does, and records nothing', async () => {
    const scheduler = newScheduler();
    const api = testTransport({ scheduler });
    const controller = new AbortController();
    controller.abort();
    const withSignal = withInterceptors((request, next) => next(new Request(request, { signal: controller.signal })));
    const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api, scheduler }, withSignal);
    const result = lastValueFrom(client.getJson('/items')).catch((error: unknown) => error);
    await advanceBy(scheduler, 0);
    expect(((await result) as DOMException).name).toBe('AbortError');
    expect(api.requests).toHaveLength(0);
    api.verify();
  });
});

describe('testTransport: scripted faults in virtual time', () => {
  it('retries twice then succeeds: the 2 s and 4 s waits pass at once', async () => {
    const { api, client, scheduler } = setup();
    api.on('GET', '/v1/items', statusReply(503), networkReset(), { body: [{ id: 1 }] });
    expect(await outcome(scheduler, lastValueFrom(client.getJson('/items')))).toEqual({ value: [{ id: 1 }] });
    expect(api.requests.map((request) => request.time)).toEqual([0, 2_000, 6_000]);
  });

  it('a status with Retry-After: the client waits what the server asked', async () => {
    const { api, client, scheduler } = setup();
    api.on('GET', '/v1/items', statusReply(429, { retryAfter: 7 }), { body: [] });
    expect(await outcome(scheduler, lastValueFrom(client.getJson('/items')))).toEqual({ value: [] });
    expect(api.requests.map((request) => request.time)).toEqual([0, 7_000]);
  });

  it('a request that never answers ends with the client’s timeout, and is cancelled', async () => {
    const { api, client, scheduler } = setup({ retry: false, timeout: 5_000 });
    api.on('GET', '/v1/slow', noAnswer());
    const result = await outcome(scheduler, lastValueFrom(client.getJson('/slow')));
    expect((result as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect(scheduler.now()).toBe(5_000);
    expect(api.requests[0]!.cancelled).toBe(true);
  });

  it('a slow body in chunks: the timeout covers the body read of getJson', async () => {
    const { api, client, scheduler } = setup({ retry: false, timeout: 5_000 });
    api.on('GET', '/v1/fast', chunkedReply(['[1,', '2]'], { interval: 2_000, headers: { 'content-type': 'application/json' } }));
    api.on('GET', '/v1/slow', chunkedReply(['[1,', '2,', '3]'], { interval: 2_000 }));
    expect(await outcome(scheduler, lastValueFrom(client.getJson('/fast')))).toEqual({ value: [1, 2] });
    expect(scheduler.now()).toBe(4_000);
    const slow = await outcome(scheduler, lastValueFrom(client.getJson('/slow')));
    expect((slow as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect(scheduler.now()).toBe(9_000);
  });

  it('scripted NDJSON: values as they come; a reset after the first value ends the stream with a NetworkError', async () => {
    const { api, client, scheduler } = setup();
    api.on('GET', '/v1/jobs', ndjsonReply([{ id: 1 }, { id: 2 }], { interval: 1_000, end: 'reset' }));
    const seen: [unknown, number][] = [];
    const done = outcome(scheduler, lastValueFrom(ndjson(client, '/jobs').pipe(toArray())));
    ndjson(client, '/jobs').subscribe({ next: (value) => seen.push([value, scheduler.now()]), error: () => undefined });
    const result = await done;
    expect(seen).toEqual([[{ id: 1 }, 1_000], [{ id: 2 }, 2_000]]);
    expect((result as { error: unknown }).error).toBeInstanceOf(NetworkError);
  });

  it('scripted SSE: events with their ids; a stream that drops is reconnected after its retry: with Last-Event-ID', async () => {
    const { api, client, scheduler } = setup();
    api.on('GET', '/v1/prices', sseReply([{ id: '1', data: '3' }, { id: '2', event: 'price', data: '4', retry: 1_000 }], { end: 'reset' }), sseReply(['5'], { end: 'hang' }));
    const events: string[] = [];
    const subscription = sse(client, '/prices').subscribe((event) => events.push(`${event.event}:${event.data}`));
    await advanceBy(scheduler, 10_000);
    subscription.unsubscribe();
    expect(events).toEqual(['message:3', 'price:4', 'message:5']);
    expect(api.requests.map((request) => [request.time, request.headers['last-event-id']])).toEqual([[0, undefined], [1_000, '2']]);
    expect(api.requests[1]!.cancelled).toBe(true);
  });

  it('advanceBy() moves time by exactly that much: the retry is not sent before its 2 s', async () => {
    const { api, client, scheduler } = setup();
    api.on('GET', '/v1/items', statusReply(500), { body: [] });
    client.getJson('/items').subscribe();
    await advanceBy(scheduler, 1_999);
    expect(api.requests).toHaveLength(1);
    expect(scheduler.now()).toBe(1_999);
    await advanceBy(scheduler, 1);
    expect(api.requests).toHaveLength(2);
  });

  it('settle() is not stopped by the runner’s fake timers (it waits on a MessageChannel, not setTimeout)', async () => {
    vi.useFakeTimers();
    try {
      const { api, client, scheduler } = setup();
      api.on('GET', '/v1/items', statusReply(503), { body: [1] });
      expect(await outcome(scheduler, lastValueFrom(client.getJson('/items')))).toEqual({ value: [1] });
    } finally {
      vi.useRealTimers();
    }
  });

  it('settle() and advanceBy() refuse a scheduler that is not virtual, saying what to use', () => {
    expect(() => settle({ now: () => 0, schedule: () => undefined } as never)).toThrow(ConfigurationError);
    expect(() => settle({ now: () => 0, schedule: () => undefined } as never)).toThrow(/needs a virtual scheduler/);
  });

  it('sits under interceptors: it records what they send', async () => {
    const scheduler = newScheduler();
    const api = testTransport({ scheduler });
    const stamp = withInterceptors((request, next) => next(new Request(request, { headers: { ...Object.fromEntries(request.headers), 'x-trace': 'abc' } })));
    const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api, scheduler }, stamp);
    api.on('GET', '/v1/items', { body: [] });
    expect(await outcome(scheduler, lastValueFrom(client.getJson('/items')))).toEqual({ value: [] });
    expect(api.requests[0]!.headers['x-trace']).toBe('abc');
  });
});
