/// <reference types="jasmine" />
// Streams, pagination, interceptors and toPromise in headless Chromium, against
// the real endpoints of spec/support/browser-server.cjs.
import { lastValueFrom, of, tap, toArray } from 'rxjs';
import { eachValueFrom } from 'rxjs-for-await';
import {
  apiKeyAuth,
  AsyncAPIClient,
  bearerTokenAuth,
  isNetworkError,
  ndjson,
  paginate,
  pullNdjson,
  pullPages,
  pullSse,
  sse,
  toPromise,
  withEvents,
  withInterceptors,
  type ClientEvent,
  type Interceptor,
} from '../src/index';
import { API, newClient, uniqueKey, waitForServer } from './support/browser';

describe('streams in the browser', () => {
  it('ndjson emits a value per line, then completes when the body ends', async () => {
    const key = uniqueKey('ndjson');
    const values = await lastValueFrom(ndjson<{ n: number }>(newClient(), '/ndjson', { key, n: 3 }).pipe(toArray()));
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect((await waitForServer(key, (h) => h.hits === 1)).aborted).toBe(false);
  });

  it('the first value arrives while the stream is still open; unsubscribing aborts it', async () => {
    const key = uniqueKey('ndjson-open');
    const first = await new Promise<unknown>((resolve) => {
      const subscription = ndjson(newClient(), '/ndjson', { key, n: 2, hang: 1 }).subscribe((value) => {
        resolve(value);
        subscription.unsubscribe();
      });
    });
    expect(first).toEqual({ n: 1 });
    await waitForServer(key, (h) => h.aborted);
  });

  it('for await with eachValueFrom: break aborts the connection', async () => {
    const key = uniqueKey('for-await');
    const seen: unknown[] = [];
    for await (const value of eachValueFrom(ndjson<{ n: number }>(newClient(), '/ndjson', { key, n: 5, hang: 1 }))) {
      seen.push(value);
      if (value.n === 2) break;
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    await waitForServer(key, (h) => h.aborted);
  });

  it('sse reconnects after the drop with Last-Event-ID, then completes when the server ends', async () => {
    const key = uniqueKey('sse');
    const times: number[] = [];
    const events = await lastValueFrom(sse(newClient(), '/sse', { key }).pipe(tap(() => times.push(performance.now())), toArray()));
    expect(events).toEqual([
      { id: '1', event: 'message', data: 'first', retry: 50 },
      { id: '2', event: 'message', data: 'after 1', retry: 50 },
    ]);
    const hits = await waitForServer(key, (h) => h.hits === 2);
    expect(hits.lastEventIds).toEqual(['', '1']);
    // The server asked for retry: 50; a reconnection waits 500 ms at least.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(490);
  });

  it('pullNdjson: a loop that stops pulling holds the server back; break closes the connection', async () => {
    const key = uniqueKey('pull-export');
    const iterator = pullNdjson<{ n: number }>(newClient(), '/export', { key, lines: 1_000_000 })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ n: 0, pad: 'x'.repeat(180) });
    // 200 MB offered; while nobody pulls, what the server can write is what the buffers on the way hold.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalled = (await waitForServer(key, (h) => h.written !== undefined)).written!;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = (await waitForServer(key, (h) => h.written !== undefined)).written!;
    expect(later).toBe(stalled);
    expect(stalled * 200).toBeLessThan(64 * 1024 * 1024);
    await iterator.return!();
    await waitForServer(key, (h) => h.aborted);
  });

  it('pullNdjson items and batches; pullSse reconnects with Last-Event-ID; pullPages asks page by page', async () => {
    const items: unknown[] = [];
    for await (const item of pullNdjson(newClient(), '/ndjson', { key: uniqueKey('pull-items'), n: 3 })) items.push(item);
    expect(items).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const batches: (readonly unknown[])[] = [];
    for await (const batch of pullNdjson(newClient(), '/ndjson', { key: uniqueKey('pull-batches'), n: 3 }).batches()) batches.push(batch);
    expect(batches.flat()).toEqual(items);
    const sseKey = uniqueKey('pull-sse');
    const data: string[] = [];
    for await (const event of pullSse(newClient(), '/sse', { key: sseKey })) data.push(event.data);
    expect(data).toEqual(['first', 'after 1']);
    expect((await waitForServer(sseKey, (h) => h.hits === 2)).lastEventIds).toEqual(['', '1']);
    const pagesKey = uniqueKey('pull-pages');
    for await (const page of pullPages<number[]>(newClient(), '/pages', { key: pagesKey, last: 3 })) {
      expect(page).toEqual([1]);
      break;
    }
    expect((await waitForServer(pagesKey, (h) => h.hits === 1)).hits).toBe(1);
  });

  it('pullNdjson: an AbortSignal ends the loop with AbortError and closes the connection', async () => {
    const key = uniqueKey('pull-abort');
    const controller = new AbortController();
    const loop = (async () => {
      for await (const _ of pullNdjson(newClient(), '/ndjson', { key, n: 1, hang: 1 }, { signal: controller.signal })) controller.abort();
    })();
    await expectAsync(loop).toBeRejectedWith(jasmine.objectContaining({ name: 'AbortError' }));
    await waitForServer(key, (h) => h.aborted);
  });

  it('paginate follows Link rel="next"', async () => {
    const key = uniqueKey('pages');
    const pages = await lastValueFrom(paginate<number[]>(newClient(), '/pages', { key, last: 3 }).pipe(toArray()));
    expect(pages).toEqual([[1], [2], [3]]);
    expect((await waitForServer(key, (h) => h.hits === 3)).hits).toBe(3);
  });

  it('an interceptor sets a header on every attempt', async () => {
    let attempts = 0;
    const stamp: Interceptor = (request, next) => {
      attempts += 1;
      const headers = new Headers(request.headers);
      headers.set('x-attempt', String(attempts));
      return next(new Request(request, { headers }));
    };
    // newClient's options, with the interceptor as a feature.
    const client = new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000 }, withInterceptors(stamp));
    const echo = await lastValueFrom(client.getJson<{ headers: Record<string, string> }>('/echo'));
    expect(echo.headers['x-attempt']).toBe('1');
  });

  it('an interceptor that answers Response.error() gives a NetworkError, retried, never a value', async () => {
    let calls = 0;
    const failing: Interceptor = () => {
      calls += 1;
      return of(Response.error());
    };
    const client = new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000 }, withInterceptors(failing));
    const values: unknown[] = [];
    const error = await lastValueFrom(client.getJson('/json').pipe(tap((value) => values.push(value)))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isNetworkError(error)).toBe(true);
    expect(values).toEqual([]);
    expect(calls).toBe(3);
  });

  it('an interceptor that sends the request to another origin: the credentials stay behind, and the request event says so', async () => {
    // The same server under another name: another origin for the page.
    const mirror = `${location.protocol}//localhost:${location.port}/api`;
    const toMirror: Interceptor = (request, next) => next(new Request(request.url.replace(API, mirror), { method: request.method, headers: request.headers }));
    const events = withEvents();
    const requests: ClientEvent[] = [];
    events.events$.subscribe((event) => event.type === 'request' && requests.push(event));
    const client = new AsyncAPIClient(
      { baseUrl: API, authHeaders: { ...bearerTokenAuth('browser-SECRET'), ...apiKeyAuth('key-SECRET', { in: 'query', name: 'api_key' }) }, retry: false, timeout: 5000 },
      withInterceptors(toMirror),
      events,
    );
    const echo = await lastValueFrom(client.getJson<{ query: [string, string][]; headers: Record<string, string> }>('/cors-echo', { page: 2 }));
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.query).toEqual([['page', '2']]);
    expect(requests).toEqual([jasmine.objectContaining({ url: `${mirror}/cors-echo`, dropped: ['authorization', '?api_key'] })]);
    expect(JSON.stringify(requests)).not.toContain('SECRET');
  });

  it('toPromise: abort rejects with an AbortError DOMException and aborts the request', async () => {
    const key = uniqueKey('to-promise');
    const controller = new AbortController();
    const promise = toPromise(newClient().getJson('/slow', { key, ms: 30000 }), { signal: controller.signal });
    await waitForServer(key, (h) => h.hits === 1);
    controller.abort();
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error instanceof DOMException).toBe(true);
    expect((error as DOMException).name).toBe('AbortError');
    await waitForServer(key, (h) => h.aborted);
  });
});
