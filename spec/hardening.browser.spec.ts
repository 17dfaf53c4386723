/// <reference types="jasmine" />
// Issue 13 in headless Chromium, against the real endpoints of spec/support/browser-server.cjs: what a new
// user tripped on, where a browser behaves as Node does.
import { lastValueFrom, tap } from 'rxjs';
import { AsyncAPIClient, ConfigurationError, ndjson, postJson, TimeoutError, withDeadline, withEvents, type ClientEvent } from '../src/index';
import { API, errorOf, newClient, serverHits, uniqueKey, waitForServer } from './support/browser';

describe('issue 13 in the browser', () => {
  it('authHeaders as a Map and request headers as a Headers object are sent (item 15)', async () => {
    const client = newClient({ authHeaders: new Map([['Authorization', 'Bearer from-a-map']]) });
    const echo = await lastValueFrom(client.getJson<{ headers: Record<string, string> }>('/echo', undefined, { headers: new Headers({ 'X-Trace': 't-1' }) }));
    expect(echo.headers.authorization).toBe('Bearer from-a-map');
    expect(echo.headers['x-trace']).toBe('t-1');
  });

  it('a plain object as body is a ConfigurationError that says json:, and nothing is sent (item 15)', async () => {
    const key = uniqueKey('object-body');
    const error = await errorOf(lastValueFrom(newClient().request('POST', '/echo', { params: { key }, body: { a: 1 } as never })));
    expect(error).toEqual(jasmine.any(ConfigurationError));
    expect((error as Error).message).toContain('pass it as json:');
    expect((await serverHits(key)).hits).toBe(0);
  });

  it('a request refused before its first attempt emits giveUp (item 7)', async () => {
    const events = withEvents();
    const seen: ClientEvent[] = [];
    events.events$.subscribe((event) => seen.push(event));
    const client = new AsyncAPIClient({ baseUrl: API }, events);
    const error = await errorOf(lastValueFrom(client.request('GET', '/echo', { body: 'x' })));
    expect(error).toEqual(jasmine.any(ConfigurationError));
    expect(seen.map((event) => event.type)).toEqual(['giveUp']);
    expect(seen[0]).toEqual(jasmine.objectContaining({ method: 'GET', attempts: 0, error }));
  });

  it('postJson sends JSON and emits the parsed reply (item 12)', async () => {
    const echo = await lastValueFrom(postJson<{ method: string; headers: Record<string, string> }>(newClient(), '/echo', { name: 'lamp' }));
    expect(echo.method).toBe('POST');
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers.accept).toBe('application/json');
  });

  it('withDeadline ends a stream after its first value, and closes its connection (item 8)', async () => {
    const key = uniqueKey('deadline-stream');
    const client = new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 } }, withDeadline(300));
    const values: unknown[] = [];
    const error = await errorOf(lastValueFrom(ndjson(client, '/ndjson', { key, n: 1, hang: 1 }).pipe(tap((value) => values.push(value)))));
    expect(values).toEqual([{ n: 1 }]);
    expect(error).toEqual(jasmine.any(TimeoutError));
    expect((error as TimeoutError).scope).toBe('deadline');
    await waitForServer(key, (h) => h.aborted);
  });

  it('idleTimeout ends a stream that goes quiet, and closes its connection (item 8)', async () => {
    const key = uniqueKey('idle-stream');
    const values: unknown[] = [];
    const error = await errorOf(lastValueFrom(ndjson(newClient(), '/ndjson', { key, n: 1, hang: 1 }, { idleTimeout: 200 }).pipe(tap((value) => values.push(value)))));
    expect(values).toEqual([{ n: 1 }]);
    expect(error).toEqual(jasmine.any(TimeoutError));
    expect((error as TimeoutError).scope).toBe('idle');
    await waitForServer(key, (h) => h.aborted);
  });
});
