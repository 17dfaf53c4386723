/// <reference types="jasmine" />
// The resilience features in headless Chromium, against the real endpoints of
// spec/support/browser-server.cjs: server hints read from a real response,
// crypto.randomUUID() for Idempotency-Key, the deadline aborting a real
// connection, and the circuit breaker keeping requests off the network.
import { filter, lastValueFrom } from 'rxjs';
import {
  AsyncAPIClient,
  CircuitOpenError,
  HttpError,
  TimeoutError,
  withCircuitBreaker,
  withDeadline,
  withEvents,
  withIdempotencyKey,
  type ClientEvent,
  type RetryEvent,
} from '../src/index';

const API = `${location.origin}/api`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let counter = 0;
const uniqueKey = (label: string): string => `resilience-${label}-${Date.now()}-${(counter += 1)}`;

/** What the test server says about a key, read with plain fetch (not the client under test). */
async function ask<T>(route: string, key: string): Promise<T> {
  const res = await fetch(`${API}/${route}?key=${encodeURIComponent(key)}`, { cache: 'no-store' });
  return (await res.json()) as T;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => fail(`expected an error, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

describe('resilience in the browser (real HTTP against the Karma server)', () => {
  it('waits the retry-after-ms the server sends, and reports fromServer', async () => {
    const key = uniqueKey('hint');
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: API, retry: { baseDelay: 5 } }, events);
    const retries: RetryEvent[] = [];
    const sub = events.events$.pipe(filter((e: ClientEvent): e is RetryEvent => e.type === 'retry')).subscribe((e) => retries.push(e));
    const started = performance.now();
    try {
      expect(await lastValueFrom(client.getJson('/record', { key, ms: 300 }))).toEqual({ ok: true, hits: 2 });
    } finally {
      sub.unsubscribe();
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(retries.map(({ attempt, delayMs, fromServer }) => ({ attempt, delayMs, fromServer }))).toEqual([
      { attempt: 1, delayMs: 300, fromServer: true },
    ]);
  });

  it('sends one Idempotency-Key (a crypto.randomUUID) with every attempt of a POST', async () => {
    const key = uniqueKey('idempotency');
    const client = new AsyncAPIClient({ baseUrl: API, retry: { baseDelay: 5 } }, withIdempotencyKey(true));
    const response = await lastValueFrom(client.request('POST', '/record', { params: { key, fail: 2 }, json: { order: 1 } }));
    expect(response.status).toBe(200);
    const { keys } = await ask<{ keys: (string | null)[] }>('recorded', key);
    expect(keys.length).toBe(3);
    expect(keys[0]).toMatch(UUID);
    expect(keys).toEqual([keys[0]!, keys[0]!, keys[0]!]);
  });

  it('a deadline aborts the connection in flight and ends with TimeoutError (scope deadline)', async () => {
    const key = uniqueKey('deadline');
    const client = new AsyncAPIClient({ baseUrl: API, timeout: false }, withDeadline(150));
    const error = await failureOf(lastValueFrom(client.getJson('/slow', { key, ms: 20000 })));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error as TimeoutError).toEqual(jasmine.objectContaining({ scope: 'deadline', timeoutMs: 150, attempts: 1 }));
    const deadline = Date.now() + 3000;
    let seen = await ask<{ hits: number; aborted: boolean }>('hits', key);
    while (!seen.aborted && Date.now() < deadline) seen = await ask<{ hits: number; aborted: boolean }>('hits', key);
    expect(seen).toEqual({ hits: 1, aborted: true });
  });

  it('an open circuit fails fast: the server sees no request', async () => {
    const key = uniqueKey('circuit');
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: API, retry: false }, withCircuitBreaker({ failureThreshold: 1, resetTimeout: 60_000 }), events);
    const states: string[] = [];
    const sub = events.events$.subscribe((e) => e.type === 'circuit' && states.push(e.state));
    try {
      expect(await failureOf(lastValueFrom(client.getJson('/flaky', { key, fail: 5 })))).toBeInstanceOf(HttpError);
      expect(await failureOf(lastValueFrom(client.getJson('/flaky', { key, fail: 5 })))).toBeInstanceOf(CircuitOpenError);
    } finally {
      sub.unsubscribe();
    }
    expect(states).toEqual(['open']);
    expect((await ask<{ hits: number }>('hits', key)).hits).toBe(1);
  });
});
