import { asyncScheduler, lastValueFrom, Observable, Subject, switchMap, takeUntil } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, NetworkError, TimeoutError, withEvents, type ClientEvent, type ClientEvents } from '../../src/index.js';
import type { SendableRequest } from '../../src/core/prepare.js';
import { send } from '../../src/core/attempt.js';
import { record } from '../support/record.js';
import { bodyDiesOnceThen, closedPort, startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

// Real loopback servers: refused, reset, stalled and aborted sockets are what these specs are about.
let server: TestServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

function retriesOf(feature: ClientEvents): ClientEvent[] {
  const retries: ClientEvent[] = [];
  feature.events$.subscribe((event) => event.type === 'retry' && retries.push(event));
  return retries;
}

describe('network failures', () => {
  it('a refused connection is retried and ends in NetworkError with the cause', async () => {
    const port = await closedPort();
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: `http://127.0.0.1:${port}/api`, retry: { baseDelay: 1 } }, events);
    const retries = retriesOf(events);
    const recording = record(client.getJson('/x', { token: 'query-secret' }));
    await until(recording.done);
    const error = recording.error as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.attempts).toBe(3);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`GET http://127.0.0.1:${port}/api/x failed: network error (ECONNREFUSED) (after 3 attempts)`);
    expect(retries.map((e) => (e.type === 'retry' ? [e.attempt, e.delayMs, e.reason] : []))).toEqual([
      [1, 1, 'network error'],
      [2, 2, 'network error'],
    ]);
  });

  it('a connection reset before the headers is retried, then succeeds', async () => {
    server = await startServer((_req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) res.socket?.destroy();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } });
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ ok: true });
    expect(server.hits).toHaveLength(2);
  });

  it('a body stream that dies mid-way is a network error, retried, for getJson', async () => {
    server = await startServer(bodyDiesOnceThen('{"ok":2}'));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }, events);
    const retries = retriesOf(events);
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ ok: 2 });
    expect(server.hits).toHaveLength(2);
    expect(retries).toMatchObject([{ attempt: 1, reason: 'network error' }]);
  });
});

describe('per-attempt timeout', () => {
  it('aborts each attempt that passes the timeout, retries, and ends in TimeoutError', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    useVirtualTime();
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: `${server.origin}/api`, timeout: 1000 }, events);
    const retries = retriesOf(events);
    const recording = record(client.request('GET', '/hang'));
    const hitsAt = async (count: number) => until(() => server!.hits.length === count);

    await hitsAt(1);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => server!.hits[0]!.closedEarly);
    expect(retries).toMatchObject([{ attempt: 1, delayMs: 2000, reason: 'timeout' }]);
    await vi.advanceTimersByTimeAsync(2000);
    await hitsAt(2);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => server!.hits[1]!.closedEarly);
    await vi.advanceTimersByTimeAsync(4000);
    await hitsAt(3);
    await vi.advanceTimersByTimeAsync(1000);
    await until(recording.done);

    const error = recording.error as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 3, timeoutMs: 1000 });
    expect(error.message).toBe(`GET ${server.origin}/api/hang timed out after 1000 ms (after 3 attempts)`);
    await until(() => server!.hits.every((hit) => hit.closedEarly));
    expect(server.hits).toHaveLength(3);
  });

  it('covers reading the body for getJson: a stalled body times out', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items": [');
    });
    useVirtualTime();
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, timeout: 500, retry: false }, events);
    const recording = record(client.getJson('/stall'));
    const seenHeaders: ClientEvent[] = [];
    events.events$.subscribe((e) => e.type === 'response' && seenHeaders.push(e));
    await until(() => server!.hits.length === 1);
    await vi.advanceTimersByTimeAsync(500);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    expect(recording.error).toMatchObject({ attempts: 1 });
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('timeout: false waits as long as it takes', async () => {
    server = await startServer((_req, res) => {
      setTimeout(() => res.end('late'), 50);
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, timeout: false });
    const response = await lastValueFrom(client.request('GET', '/slow', { timeout: false }));
    expect(await response.text()).toBe('late');
  });
});

describe('cancellation', () => {
  it('unsubscribing aborts the in-flight request: the server sees the connection close', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const client = new AsyncAPIClient(server.origin);
    const recording = record(client.request('GET', '/hang'));
    await until(() => server!.hits.length === 1);
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(recording.done()).toBe(false);
    expect(recording.values).toEqual([]);
  });

  it('unsubscribing from getJson mid-body aborts the body read', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[1,');
    });
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, events);
    const responses: ClientEvent[] = [];
    events.events$.subscribe((e) => e.type === 'response' && responses.push(e));
    const recording = record(client.getJson('/stream'));
    await until(() => responses.length === 1);
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(recording.done()).toBe(false);
  });

  it('switchMap aborts the request in flight when the next value comes', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/search?q=ab') res.writeHead(200, { 'content-type': 'application/json' }).end('"ab"');
    });
    const client = new AsyncAPIClient(server.origin);
    const terms = new Subject<string>();
    const recording = record(terms.pipe(switchMap((q) => client.getJson('/search', { q }))));
    terms.next('a');
    await until(() => server!.hits.length === 1);
    terms.next('ab');
    terms.complete();
    await until(recording.done);
    expect(recording.values).toEqual(['ab']);
    await until(() => server!.hits[0]!.closedEarly);
    expect(server.hits[1]!.closedEarly).toBe(false);
  });

  it('takeUntil aborts the request in flight', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const client = new AsyncAPIClient(server.origin);
    const stop = new Subject<void>();
    const recording = record(client.request('GET', '/hang').pipe(takeUntil(stop)));
    await until(() => server!.hits.length === 1);
    stop.next();
    await until(() => server!.hits[0]!.closedEarly);
    expect(recording.completed).toBe(true);
    expect(recording.values).toEqual([]);
  });

  it('one request of a shared client is cancelled without touching another', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('"slow"'), 30);
    });
    const client = new AsyncAPIClient(server.origin);
    const cancelled = record(client.getJson('/hang'));
    const kept = record(client.getJson('/slow'));
    await until(() => server!.hits.length === 2);
    cancelled.subscription.unsubscribe();
    await until(kept.done);
    expect(kept.values).toEqual(['slow']);
    // The server sees the close a moment after the client aborts: on a loaded machine, after /slow's answer.
    await until(() => server!.hits.find((h) => h.url === '/hang')!.closedEarly);
    expect(server.hits.find((h) => h.url === '/hang')!.closedEarly).toBe(true);
  });
});

describe('send', () => {
  it('takes the first value of a reader as the whole answer, even if the reader stays open', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('ok'));
    const request: SendableRequest = { url: new URL(`${server.origin}/x`), init: { method: 'GET', headers: {} }, authNames: new Set() };
    const context = { target: { method: 'GET', url: `${server.origin}/x` }, attempt: 1 };
    const neverEnds = (response: Response) => new Observable<number>((subscriber) => subscriber.next(response.status));
    const recording = record(send(request, neverEnds, { context, timeoutMs: Infinity, scheduler: asyncScheduler, redirects: { manual: true, maxRedirects: 0 } }));
    await until(recording.done);
    expect(recording.values).toEqual([200]);
    expect(recording.completed).toBe(true);
  });
});
