import nock from 'nock';
import { asyncScheduler, first, firstValueFrom, lastValueFrom, Subject, switchMap, takeUntil, type SchedulerLike } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  apiKeyAuth,
  AsyncAPIClient,
  bearerTokenAuth,
  HttpError,
  ParseError,
  withEvents,
  type ClientEvent,
  type ClientEvents,
} from '../../src/index.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';

const ORIGIN = 'http://api.test';
const BASE = `${ORIGIN}/v1`;

/** Fake only the timers the client uses: real I/O (nock's promises, setImmediate) keeps running. */
function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Records the events of a client's `withEvents()` feature and the virtual time of each attempt. */
function watch(feature: ClientEvents) {
  const start = Date.now();
  const events: ClientEvent[] = [];
  const attemptTimes: number[] = [];
  feature.events$.subscribe((event) => {
    events.push(event);
    if (event.type === 'request') attemptTimes.push(Date.now() - start);
  });
  return { events, attemptTimes, retries: () => events.filter((e) => e.type === 'retry') };
}

/** Answers every call of `interceptor` with `reply` (given the hit count so far) and counts the hits. */
function counted(interceptor: nock.Interceptor, reply: (hits: number) => [number, nock.Body?]): { hits: number } {
  const server = { hits: 0 };
  interceptor.reply(() => {
    server.hits += 1;
    return reply(server.hits);
  });
  return server;
}

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('cold and lazy', () => {
  it('sends nothing until subscribed, and one request per subscription', async () => {
    const server = counted(nock(ORIGIN).get('/v1/items').times(2), (hits) => [200, { hits }]);
    const client = new AsyncAPIClient(BASE);
    const items$ = client.getJson('/items');
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.hits).toBe(0);
    expect(await lastValueFrom(items$)).toEqual({ hits: 1 });
    expect(await lastValueFrom(items$)).toEqual({ hits: 2 });
  });

  it('first() after the one value is not reported as a cancel', async () => {
    nock(ORIGIN).get('/v1/x').reply(200, { a: 1 });
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    expect(await firstValueFrom(client.getJson('/x').pipe(first()))).toEqual({ a: 1 });
    expect(seen.events.map((e) => e.type)).toEqual(['request', 'response']);
  });

  it('request() emits exactly one Response, body unread, then completes', async () => {
    nock(ORIGIN).post('/v1/items').reply(201, 'created');
    const client = new AsyncAPIClient(BASE);
    const recording = record(client.request('post', 'items', { json: { a: 1 } }));
    await until(recording.done);
    expect(recording.completed).toBe(true);
    expect(recording.values).toHaveLength(1);
    const [response] = recording.values;
    expect(response).toBeInstanceOf(Response);
    expect(response!.status).toBe(201);
    expect(response!.bodyUsed).toBe(false);
    expect(await response!.text()).toBe('created');
  });

  it.each([200, 204, 300, 304])('emits the Response of a %i', async (status) => {
    nock(ORIGIN).get('/v1/x').reply(status);
    const response = await lastValueFrom(new AsyncAPIClient(BASE).request('GET', '/x'));
    expect(response.status).toBe(status);
  });
});

describe('the retry policy', () => {
  beforeEach(useVirtualTime);

  it('retries a 503 after 2 s then 4 s and emits the value of the third attempt', async () => {
    const scope = nock(ORIGIN).get('/v1/quote').times(2).reply(503).get('/v1/quote').reply(200, { price: 42 });
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.getJson('/quote'));

    await until(() => seen.retries().length === 1);
    expect(seen.retries()[0]).toMatchObject({ attempt: 1, delayMs: 2000, reason: 'status 503' });
    await vi.advanceTimersByTimeAsync(1999);
    expect(seen.attemptTimes).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.attemptTimes).toEqual([0, 2000]);

    await until(() => seen.retries().length === 2);
    expect(seen.retries()[1]).toMatchObject({ attempt: 2, delayMs: 4000 });
    await vi.advanceTimersByTimeAsync(3999);
    expect(seen.attemptTimes).toEqual([0, 2000]);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);

    expect(seen.attemptTimes).toEqual([0, 2000, 6000]);
    expect(recording.values).toEqual([{ price: 42 }]);
    expect(recording.completed).toBe(true);
    expect(seen.events.map((e) => e.type)).toEqual(['request', 'response', 'retry', 'request', 'response', 'retry', 'request', 'response']);
    scope.done();
  });

  it.each([429, 500, 502, 503, 504])('gives up on a %i after 3 attempts with HttpError', async (status) => {
    const server = counted(nock(ORIGIN).get('/v1/x').query(true).times(4), () => [status, 'no']);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x', { params: { key: 'query-secret' } }));
    await until(() => seen.retries().length === 1);
    await vi.advanceTimersByTimeAsync(2000);
    await until(() => seen.retries().length === 2);
    await vi.advanceTimersByTimeAsync(4000);
    await until(recording.done);

    expect(server.hits).toBe(3);
    expect(seen.attemptTimes).toEqual([0, 2000, 6000]);
    const error = recording.error as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status, attempts: 3, method: 'GET', url: `${BASE}/x` });
    expect(error.message).toBe(`GET ${BASE}/x failed with status ${status}${statusTextOf(status)} (after 3 attempts)`);
    expect(error.message).not.toContain('query-secret');
    expect(await error.response.text()).toBe('no');
    expect(seen.events.at(-1)).toMatchObject({ type: 'giveUp', attempts: 3 });
  });

  it.each([400, 401, 403, 404, 405, 409, 410, 422, 428])('fails at once on a %i: one attempt, no timer', async (status) => {
    const server = counted(nock(ORIGIN).get('/v1/x').times(3), () => [status, { detail: 'why' }]);
    const recording = record(new AsyncAPIClient(BASE).getJson('/x'));
    await until(recording.done);
    expect(vi.getTimerCount()).toBe(0);
    expect(server.hits).toBe(1);
    expect(recording.error).toBeInstanceOf(HttpError);
    expect(recording.error).toMatchObject({ status, attempts: 1 });
    expect((recording.error as HttpError).message).toBe(`GET ${BASE}/x failed with status ${status}${statusTextOf(status)}`);
    expect(await (recording.error as HttpError).response.json()).toEqual({ detail: 'why' });
  });

  it('a per-request retry: false makes one attempt', async () => {
    const server = counted(nock(ORIGIN).post('/v1/pay').times(3), () => [503]);
    const client = new AsyncAPIClient(BASE);
    const recording = record(client.request('POST', '/pay', { json: { amount: 1 }, retry: false }));
    await until(recording.done);
    expect(server.hits).toBe(1);
    expect(recording.error).toMatchObject({ status: 503, attempts: 1 });
  });

  it('a per-request retry overrides the client policy field by field', async () => {
    const server = counted(nock(ORIGIN).get('/v1/x').times(6), () => [500]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { baseDelay: 100 } }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x', { retry: { maxAttempts: 5 } }));
    for (let retry = 1; retry <= 4; retry += 1) {
      await until(() => seen.retries().length === retry);
      await vi.advanceTimersByTimeAsync(100 * 2 ** (retry - 1));
    }
    await until(recording.done);
    expect(server.hits).toBe(5);
    expect(seen.attemptTimes).toEqual([0, 100, 300, 700, 1500]);
    expect(recording.error).toMatchObject({ status: 500, attempts: 5 });
  });

  it('the client policy applies to every request', async () => {
    const server = counted(nock(ORIGIN).get('/v1/x').times(3), () => [503]);
    const recording = record(new AsyncAPIClient({ baseUrl: BASE, retry: false }).request('GET', '/x'));
    await until(recording.done);
    expect(server.hits).toBe(1);
    expect(recording.error).toMatchObject({ attempts: 1 });
  });

  it('unsubscribing during the backoff cancels the next attempt', async () => {
    const server = counted(nock(ORIGIN).get('/v1/x').times(3), () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await until(() => seen.retries().length === 1);
    await vi.advanceTimersByTimeAsync(1000);
    recording.subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.hits).toBe(1);
    expect(recording.done()).toBe(false);
    expect(seen.events.map((e) => e.type)).toEqual(['request', 'response', 'retry', 'cancel']);
    expect(seen.events.at(-1)).toMatchObject({ type: 'cancel', method: 'GET', url: `${BASE}/x`, attempts: 1 });
  });

  it('takeUntil during the backoff cancels it too', async () => {
    const server = counted(nock(ORIGIN).get('/v1/x').times(3), () => [429]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const stop = new Subject<void>();
    const seen = watch(events);
    record(client.request('GET', '/x').pipe(takeUntil(stop)));
    await until(() => seen.retries().length === 1);
    stop.next();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.hits).toBe(1);
  });
});

describe('the client scheduler', () => {
  it('schedules every backoff and timeout on it', async () => {
    const server = counted(nock(ORIGIN).get('/v1/x').times(3), () => [503]);
    // Records each delay asked for, then runs the backoffs 1000 times faster on the real clock. The
    // timeouts keep their 10 s: run 1000 times faster (10 ms) they fired on a loaded machine before nock answered.
    const delays: number[] = [];
    const scheduler: SchedulerLike = {
      now: () => asyncScheduler.now(),
      schedule: (work, delay = 0, state) => {
        delays.push(delay);
        return asyncScheduler.schedule(work as never, delay === 10_000 ? delay : delay / 1000, state);
      },
    };
    const client = new AsyncAPIClient({ baseUrl: BASE, timeout: 10_000, scheduler });
    const recording = record(client.request('GET', '/x'));
    await until(recording.done);
    expect(server.hits).toBe(3);
    expect(recording.error).toMatchObject({ status: 503, attempts: 3 });
    expect(delays.filter((d) => d !== 10_000)).toEqual([2000, 4000]);
    expect(delays.filter((d) => d === 10_000)).toHaveLength(3);
  });
});

describe('getJson', () => {
  it('parses the body and sends accept: application/json', async () => {
    nock(ORIGIN, { reqheaders: { accept: 'application/json' } }).get('/v1/items').query({ tag: ['a', 'b'], page: '2' }).reply(200, [{ id: 1 }]);
    const items = await lastValueFrom(new AsyncAPIClient(BASE).getJson<{ id: number }[]>('/items', { tag: ['a', 'b'], page: 2, q: undefined }));
    expect(items).toEqual([{ id: 1 }]);
  });

  it.each([
    ['a 204', 204, undefined],
    ['an empty 200', 200, ''],
    ['a blank 200', 200, '  \n'],
  ])('yields undefined for %s', async (_name, status, body) => {
    nock(ORIGIN).get('/v1/x').reply(status, body);
    const recording = record(new AsyncAPIClient(BASE).getJson('/x'));
    await until(recording.done);
    expect(recording.values).toEqual([undefined]);
    expect(recording.completed).toBe(true);
  });

  it('errors with ParseError on a body that is not JSON, once, with a short excerpt', async () => {
    const html = `<html>${'x'.repeat(10_000)}</html>`;
    const server = counted(nock(ORIGIN).get('/v1/page').times(3), () => [200, html]);
    const recording = record(new AsyncAPIClient(BASE).getJson('/page'));
    await until(recording.done);
    const error = recording.error as ParseError;
    expect(error).toBeInstanceOf(ParseError);
    expect(server.hits).toBe(1);
    expect(error.attempts).toBe(1);
    expect(error.message).toMatch(/^GET http:\/\/api\.test\/v1\/page returned a body that is not valid JSON \(body starts with "<html>x+…"\)$/);
    expect(error.message.length).toBeLessThan(200);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('requests', () => {
  it('sends json with content-type and lets per-request headers win over auth headers over defaults', async () => {
    let seen: Record<string, unknown> = {};
    nock(ORIGIN)
      .put('/v1/items/1')
      .reply(function (_uri, body) {
        seen = { ...this.req.headers, body: JSON.parse(body as string) };
        return [200];
      });
    const client = new AsyncAPIClient({
      baseUrl: BASE,
      headers: { 'X-Client': 'c', Authorization: 'from client headers' },
      authHeaders: { ...bearerTokenAuth('auth-token'), ...apiKeyAuth('key-1', 'X-Key') },
    });
    await lastValueFrom(
      client.request('PUT', '/items/1', { json: { name: 'n' }, headers: { 'x-key': 'per-request', 'Content-Type': 'application/merge-patch+json' } }),
    );
    expect(seen).toMatchObject({
      authorization: 'Bearer auth-token',
      'x-key': 'per-request',
      'x-client': 'c',
      'content-type': 'application/merge-patch+json',
      body: { name: 'n' },
    });
  });

  it('sends json with content-type: application/json by default', async () => {
    nock(ORIGIN, { reqheaders: { 'content-type': 'application/json' } })
      .post('/v1/items', { name: 'n', tags: ['a'] })
      .reply(201);
    const response = await lastValueFrom(new AsyncAPIClient(BASE).request('POST', '/items', { json: { name: 'n', tags: ['a'] } }));
    expect(response.status).toBe(201);
  });

  it('sends a raw body as it is', async () => {
    nock(ORIGIN, { reqheaders: { 'content-type': 'text/plain' } }).post('/v1/raw', 'hello').reply(200);
    const response = await lastValueFrom(new AsyncAPIClient(BASE).request('POST', '/raw', { body: 'hello', headers: { 'content-type': 'text/plain' } }));
    expect(response.status).toBe(200);
  });

  it('keeps the base path with or without a leading slash', async () => {
    const scope = nock(ORIGIN).get('/api/v1/items').times(2).reply(200, {});
    const client = new AsyncAPIClient(`${ORIGIN}/api/v1`);
    await lastValueFrom(client.getJson('/items'));
    await lastValueFrom(client.getJson('items'));
    scope.done();
  });

  it('switchMap aborts the previous request when a new one starts', async () => {
    nock(ORIGIN).get('/v1/search').query({ q: 'a' }).delay(10_000).reply(200, { q: 'a' });
    nock(ORIGIN).get('/v1/search').query({ q: 'ab' }).reply(200, { q: 'ab' });
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const terms = new Subject<string>();
    const seen = watch(events);
    const recording = record(terms.pipe(switchMap((q) => client.getJson('/search', { q }))));
    terms.next('a');
    terms.next('ab');
    terms.complete();
    await until(recording.done);
    expect(recording.values).toEqual([{ q: 'ab' }]);
    expect(seen.events.filter((e) => e.type === 'response')).toHaveLength(1);
  });
});

function statusTextOf(status: number): string {
  // nock answers with Node's standard reason phrases.
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    410: 'Gone',
    422: 'Unprocessable Entity',
    428: 'Precondition Required',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ? ` ${texts[status]}` : '';
}
