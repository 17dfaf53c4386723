// docs/testing.md, "A complete service test": ItemsApi on the test transport, in virtual time.
import { lastValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, bearerTokenAuth, HttpError, TimeoutError } from 'rx-api-client';
import { networkReset, noAnswer, settle, statusReply, testTransport, type TestTransport } from 'rx-api-client/testing';
import { ItemsApi } from './items-api.js';

let scheduler: TestScheduler;
let api: TestTransport;
let items: ItemsApi;

beforeEach(() => {
  // One virtual clock for the client's timers (backoff, timeout) and the test transport's delays.
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  api = testTransport({ scheduler });
  const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', authHeaders: bearerTokenAuth('t0ken'), transport: api, scheduler });
  items = new ItemsApi(client);
});

// Every request was answered by a route or by the test, and none is left waiting.
afterEach(() => api.verify());

/** What an Observable ends with, once virtual time and the body reads have run out. */
async function outcome<T>(source: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  const result = source.then((value) => ({ value }), (error: unknown) => ({ error }));
  await settle(scheduler);
  return result;
}

describe('ItemsApi', () => {
  it('lists a page, with the token and the page in the request', async () => {
    api.on('GET', '/v1/items', { body: [{ id: 1, name: 'lamp' }] });
    expect(await outcome(lastValueFrom(items.list(2)))).toEqual({ value: [{ id: 1, name: 'lamp' }] });
    const [request] = api.requests;
    expect(request!.url).toBe('https://api.test/v1/items?page=2');
    expect(request!.headers['authorization']).toBe('Bearer t0ken');
  });

  it('retries twice then succeeds: a 503 and a network reset, 2 s then 4 s later, in milliseconds of real time', async () => {
    api.on('GET', '/v1/items', statusReply(503), networkReset(), { body: [] });
    expect(await outcome(lastValueFrom(items.list()))).toEqual({ value: [] });
    expect(api.requests.map((request) => request.time)).toEqual([0, 2_000, 6_000]);
  });

  it('waits as long as Retry-After says', async () => {
    api.on('GET', '/v1/items', statusReply(429, { retryAfter: 30 }), { body: [] });
    await outcome(lastValueFrom(items.list()));
    expect(api.requests.map((request) => request.time)).toEqual([0, 30_000]);
  });

  it('gives up after three attempts with the last HttpError', async () => {
    api.on('GET', '/v1/items', statusReply(500));
    const result = await outcome(lastValueFrom(items.list()));
    expect((result as { error: HttpError }).error).toMatchObject({ name: 'HttpError', status: 500, attempts: 3 });
  });

  it('a server that never answers: the 30 s timeout, three times', async () => {
    api.on('GET', '/v1/items', noAnswer());
    const result = await outcome(lastValueFrom(items.list()));
    expect((result as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect(scheduler.now()).toBe(30_000 + 2_000 + 30_000 + 4_000 + 30_000);
  });

  it('creates an item: the test answers the POST it expected, and the body was JSON', async () => {
    const created = lastValueFrom(items.create('desk'));
    const post = api.expectOne('POST /v1/items');
    expect(post.request.json()).toEqual({ name: 'desk' });
    await post.flush({ id: 7, name: 'desk' }, { status: 201 });
    expect(await created).toEqual({ id: 7, name: 'desk' });
  });

  it('unsubscribing cancels the request', () => {
    const subscription = items.list().subscribe();
    const pending = api.expectOne('GET /v1/items');
    subscription.unsubscribe();
    expect(pending.request.cancelled).toBe(true);
  });
});
