/// <reference types="jasmine" />
// rx-api-client/testing in Chromium with jasmine (npm run test:browser): the browser's own Response and
// ReadableStream under the test transport, a retried request in virtual time, an NDJSON stream, the controller.
import { lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AsyncAPIClient, HttpError, ndjson } from '../../src/index';
import { ndjsonReply, networkReset, settle, statusReply, testTransport } from '../../src/testing/index';

function setup() {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const api = testTransport({ scheduler });
  const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api, scheduler });
  return { scheduler, api, client };
}

describe('rx-api-client/testing in the browser (jasmine)', () => {
  it('retries twice then succeeds, the 2 s and 4 s waits in virtual time', async () => {
    const { scheduler, api, client } = setup();
    api.on('GET', '/v1/items', statusReply(503, { retryAfter: 1 }), networkReset(), { body: [{ id: 1 }] });
    const items = lastValueFrom(client.getJson('/items'));
    await settle(scheduler);
    expect(await items).toEqual([{ id: 1 }]);
    expect(api.requests.map((request) => request.time)).toEqual([0, 1_000, 5_000]);
  });

  it('follows a redirect as the browser’s fetch does: the client’s getJson gets the final answer', async () => {
    const { scheduler, api, client } = setup();
    api.on('GET', '/v1/old', { status: 302, headers: { location: '/v1/new' } }).on('GET', '/v1/new', { body: [3] });
    const items = lastValueFrom(client.getJson('/old'));
    await settle(scheduler);
    expect(await items).toEqual([3]);
    expect(api.requests.map((request) => request.url)).toEqual(['https://api.test/v1/old', 'https://api.test/v1/new']);
  });

  it('settle() runs under jasmine’s fake clock', async () => {
    jasmine.clock().install();
    try {
      const { scheduler, api, client } = setup();
      api.on('GET', '/v1/items', statusReply(500), { body: [2] });
      const items = lastValueFrom(client.getJson('/items'));
      await settle(scheduler);
      expect(await items).toEqual([2]);
    } finally {
      jasmine.clock().uninstall();
    }
  });

  it('reads a scripted NDJSON stream from the browser’s ReadableStream', async () => {
    const { scheduler, api, client } = setup();
    api.on('GET', '/v1/jobs', ndjsonReply([{ id: 1 }, { id: 2 }], { interval: 500 }));
    const jobs = lastValueFrom(ndjson(client, '/jobs').pipe(toArray()));
    await settle(scheduler);
    expect(await jobs).toEqual([{ id: 1 }, { id: 2 }]);
    expect(scheduler.now()).toBe(1_000);
  });

  it('expectOne() and an awaited flush(); verify() catches a request nobody expected', async () => {
    const { api, client } = setup();
    let failure: unknown;
    client.getJson('/items/9', undefined, { retry: false }).subscribe({ error: (error: unknown) => (failure = error) });
    await api.expectOne('GET /v1/items/:id').flush({ message: 'gone' }, { status: 410 });
    expect(failure).toEqual(jasmine.any(HttpError));
    api.verify();
    client.getJson('/other').subscribe({ error: () => undefined });
    expect(() => api.verify()).toThrowError(/unexpected: GET https:\/\/api\.test\/v1\/other/);
  });
});
