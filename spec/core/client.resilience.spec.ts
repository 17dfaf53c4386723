import nock from 'nock';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AsyncAPIClient,
  BodyNotReplayableError,
  CircuitOpenError,
  ConfigurationError,
  HttpError,
  IDEMPOTENT_METHODS,
  isHttpError,
  TimeoutError,
  withCircuitBreaker,
  withDeadline,
  withEvents,
  withRetryBudget,
  type Feature,
} from '../../src/index.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { passRetryWaits, useVirtualTime, watch } from '../support/watch.js';

const ORIGIN = 'http://api.test';
const BASE = `${ORIGIN}/v1`;
const JSON_HEADERS = { 'content-type': 'application/json' };

type Answer = [status: number, body?: string, headers?: Record<string, string>];

/** A nock endpoint that answers hit number n (from 1) with `answer(n)`, and counts the hits. */
function serve(method: string, path: string, answer: (hit: number) => Answer) {
  const counter = { hits: 0 };
  nock(ORIGIN)
    .persist()
    .intercept(`/v1${path}`, method)
    .query(true)
    .reply(() => answer((counter.hits += 1)));
  return counter;
}

let server: TestServer | undefined;

beforeEach(() => {
  nock.disableNetConnect();
  // The real loopback servers of some specs; everything else must be answered by nock.
  nock.enableNetConnect('127.0.0.1');
});

afterEach(async () => {
  vi.useRealTimers();
  nock.cleanAll();
  nock.enableNetConnect();
  await server?.close();
  server = undefined;
});

describe('server hints', () => {
  beforeEach(() => {
    useVirtualTime();
    // A whole second, so that an HTTP-date (second resolution) is exact.
    vi.setSystemTime(Date.UTC(2026, 2, 10, 12, 0, 0));
  });

  it('waits the Retry-After seconds of a 503 instead of the backoff, and says so in the retry event', async () => {
    const endpoint = serve('GET', '/x', (hit) => (hit === 1 ? [503, '', { 'retry-after': '7' }] : [200, '{"ok":true}', JSON_HEADERS]));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.getJson('/x'));
    await until(() => seen.retries().length === 1);
    expect(seen.retries()[0]).toMatchObject({ type: 'retry', attempt: 1, delayMs: 7000, fromServer: true, reason: 'status 503' });
    await vi.advanceTimersByTimeAsync(6999);
    expect(endpoint.hits).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);
    expect(seen.attemptTimes).toEqual([0, 7000]);
    expect(recording.values).toEqual([{ ok: true }]);
  });

  it.each<[string, (now: number) => Answer, number]>([
    ['the retry-after-ms of a 429', () => [429, '', { 'retry-after-ms': '300' }], 300],
    ['until a Retry-After HTTP-date', (now) => [503, '', { 'retry-after': new Date(now + 10_000).toUTCString() }], 10_000],
    ['until the X-RateLimit-Reset (a Unix time) of a 429', (now) => [429, '', { 'x-ratelimit-reset': String(now / 1000 + 20) }], 20_000],
  ])('waits %s, in virtual time', async (_name, failure, wait) => {
    serve('GET', '/x', (hit) => (hit === 1 ? failure(Date.now()) : [200]));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await until(() => seen.retries().length === 1);
    expect(seen.retries()[0]).toMatchObject({ delayMs: wait, fromServer: true });
    await vi.advanceTimersByTimeAsync(wait);
    await until(recording.done);
    expect(seen.attemptTimes).toEqual([0, wait]);
  });

  it('a server that asks for an hour (beyond maxRetryAfter, 60 s) gets no retry: HttpError at once', async () => {
    const endpoint = serve('GET', '/x', () => [503, 'maintenance', { 'retry-after': '3600' }]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await until(recording.done);
    expect(vi.getTimerCount()).toBe(0);
    expect(endpoint.hits).toBe(1);
    const error = recording.error as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, attempts: 1 });
    expect(error.response.headers.get('retry-after')).toBe('3600');
    expect(await error.response.text()).toBe('maintenance');
    expect(seen.events.map((e) => e.type)).toEqual(['request', 'response', 'giveUp']);
  });

  it('a per-request maxRetryAfter lets a longer server wait through', async () => {
    serve('GET', '/x', (hit) => (hit === 1 ? [503, '', { 'retry-after': '3600' }] : [200]));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x', { retry: { maxRetryAfter: 2 * 3_600_000 } }));
    await until(() => seen.retries().length === 1);
    expect(seen.retries()[0]).toMatchObject({ delayMs: 3_600_000, fromServer: true });
    await vi.advanceTimersByTimeAsync(3_600_000);
    await until(recording.done);
    expect(recording.completed).toBe(true);
  });

  it('the computed backoff is reported with fromServer: false', async () => {
    serve('GET', '/x', (hit) => (hit === 1 ? [500] : [200]));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await until(() => seen.retries().length === 1);
    expect(seen.retries()[0]).toMatchObject({ delayMs: 2000, fromServer: false });
    await vi.advanceTimersByTimeAsync(2000);
    await until(recording.done);
  });
});

describe('policy knobs through the client', () => {
  it('full jitter with an injected random source', async () => {
    useVirtualTime();
    serve('GET', '/x', () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { jitter: 'full', random: () => 0.25 } }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await passRetryWaits(seen, [500, 1000]);
    await until(recording.done);
    expect(seen.attemptTimes).toEqual([0, 500, 1500]);
  });

  it('factor and maxDelay shape the computed waits', async () => {
    useVirtualTime();
    serve('GET', '/x', () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { maxAttempts: 4, baseDelay: 100, factor: 10, maxDelay: 5000 } }, events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await passRetryWaits(seen, [100, 1000, 5000]);
    await until(recording.done);
    expect(seen.attemptTimes).toEqual([0, 100, 1100, 6100]);
  });

  it('methods: IDEMPOTENT_METHODS retries a PUT but fails a POST at once', async () => {
    const put = serve('PUT', '/x', () => [503]);
    const post = serve('POST', '/x', () => [503]);
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { baseDelay: 1, methods: IDEMPOTENT_METHODS } });
    const putError = await lastValueFrom(client.request('PUT', '/x', { json: {} })).catch((e: unknown) => e);
    const postError = await lastValueFrom(client.request('POST', '/x', { json: {} })).catch((e: unknown) => e);
    expect([put.hits, post.hits]).toEqual([3, 1]);
    expect(postError).toMatchObject({ status: 503, attempts: 1 });
    expect(putError).toMatchObject({ status: 503, attempts: 3 });
  });

  it('statuses: a list replaces the default (a 500 is then final, a 408 retried)', async () => {
    const fails = serve('GET', '/500', () => [500]);
    const slow = serve('GET', '/408', (hit) => (hit === 1 ? [408] : [200]));
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { baseDelay: 1, statuses: [408, 503] } });
    await expect(lastValueFrom(client.request('GET', '/500'))).rejects.toMatchObject({ status: 500, attempts: 1 });
    expect((await lastValueFrom(client.request('GET', '/408'))).status).toBe(200);
    expect([fails.hits, slow.hits]).toEqual([1, 2]);
  });

  it('retryOn: a per-request rule retries a 409, and refuses a 503', async () => {
    const conflict = serve('POST', '/conflict', (hit) => (hit < 3 ? [409] : [201]));
    const down = serve('POST', '/down', () => [503]);
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { baseDelay: 1 } });
    const retryOn = (error: unknown) => (isHttpError(error) ? error.status === 409 : undefined);
    const created = await lastValueFrom(client.request('POST', '/conflict', { json: {}, retry: { retryOn } }));
    expect(created.status).toBe(201);
    await expect(lastValueFrom(client.request('POST', '/down', { json: {}, retry: { retryOn } }))).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect([conflict.hits, down.hits]).toEqual([3, 1]);
  });
});

describe('deadline', () => {
  beforeEach(useVirtualTime);

  it('a wait that would pass the deadline is not started: TimeoutError at once, the 503 as its cause', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, withDeadline(5000), events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await passRetryWaits(seen, [2000]);
    // Attempt 2 fails at 2 s: the 4 s wait would end at 6 s, past the 5 s deadline.
    await until(recording.done);
    expect(seen.attemptTimes).toEqual([0, 2000]);
    expect(vi.getTimerCount()).toBe(0);
    expect(endpoint.hits).toBe(2);
    const error = recording.error as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ scope: 'deadline', timeoutMs: 5000, attempts: 2 });
    expect(error.message).toBe(`GET ${BASE}/x did not finish within its deadline of 5000 ms (after 2 attempts)`);
    expect(error.cause).toBeInstanceOf(HttpError);
    expect(seen.events.at(-1)).toMatchObject({ type: 'giveUp', attempts: 2, error });
  });

  it('a per-request deadline overrides the client\'s, and false removes it', async () => {
    serve('GET', '/x', (hit) => (hit < 3 ? [503] : [200]));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, withDeadline(1000), events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x', { deadline: false }));
    await passRetryWaits(seen, [2000, 4000]);
    await until(recording.done);
    expect(recording.completed).toBe(true);
    expect(seen.attemptTimes).toEqual([0, 2000, 6000]);
  });

  it('withDeadline() with no limit of its own: a per-request deadline still applies', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, withDeadline(), events);
    const seen = watch(events);
    const unlimited = record(client.request('GET', '/x'));
    await passRetryWaits(seen, [2000, 4000]);
    await until(unlimited.done);
    expect(unlimited.error).toMatchObject({ name: 'HttpError', status: 503, attempts: 3 });
    const limitedSeen = watch(events);
    const limited = record(client.request('GET', '/x', { deadline: 5000 }));
    await passRetryWaits(limitedSeen, [2000]);
    await until(limited.done);
    expect(limited.error).toBeInstanceOf(TimeoutError);
    expect(limited.error).toMatchObject({ scope: 'deadline', timeoutMs: 5000, attempts: 2 });
    expect(endpoint.hits).toBe(5);
  });

  it('a per-request deadline without withDeadline() is a ConfigurationError, before anything is sent', async () => {
    const endpoint = serve('GET', '/x', () => [200]);
    const client = new AsyncAPIClient(BASE);
    const recording = record(client.request('GET', '/x', { deadline: 5000 }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toBe('deadline needs the withDeadline() feature: new AsyncAPIClient(options, withDeadline(ms))');
    expect(endpoint.hits).toBe(0);
  });

  it('aborts the attempt in flight when the deadline passes (the server sees the connection close)', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withDeadline(1500));
    const recording = record(client.request('GET', '/hang'));
    await until(() => server!.hits.length === 1);
    await vi.advanceTimersByTimeAsync(1499);
    expect(recording.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    expect(recording.error).toMatchObject({ scope: 'deadline', timeoutMs: 1500, attempts: 1 });
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('the per-attempt timeout still applies within the deadline', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, timeout: 1000 }, withDeadline(10_000), events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/hang'));
    await until(() => server!.hits.length === 1);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => seen.retries().length === 1);
    expect(seen.retries()[0]).toMatchObject({ reason: 'timeout', delayMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    await until(() => server!.hits.length === 2);
    await vi.advanceTimersByTimeAsync(1000);
    // Attempt 2 timed out at 4 s; a 4 s wait would end at 8 s, within 10 s: attempt 3 at 8 s, its timeout at 9 s.
    await until(() => seen.retries().length === 2);
    await vi.advanceTimersByTimeAsync(4000);
    await until(() => server!.hits.length === 3);
    await vi.advanceTimersByTimeAsync(1000);
    await until(recording.done);
    expect(recording.error).toMatchObject({ name: 'TimeoutError', scope: 'attempt', timeoutMs: 1000, attempts: 3 });
  });
});

describe('request bodies that can be read only once', () => {
  /** A real server that reads each request body and answers with `status(hit)`. */
  async function bodyServer(status: (hit: number) => number) {
    const bodies: string[] = [];
    server = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString());
        res.writeHead(status(bodies.length)).end();
      });
    });
    return bodies;
  }

  const streamOf = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });

  it('a stream body and a 503: one attempt, then BodyNotReplayableError with the HttpError as cause', async () => {
    const bodies = await bodyServer(() => 503);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server!.origin, retry: { baseDelay: 1 } }, events);
    const seen = watch(events);
    const error = await lastValueFrom(client.request('PUT', '/upload', { body: streamOf('chunk') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyNotReplayableError);
    expect((error as BodyNotReplayableError).message).toBe(
      `PUT ${server!.origin}/upload failed and was not retried: its body is a stream, which can be sent only once (pass body as a function that returns a new stream to allow retries)`,
    );
    expect((error as BodyNotReplayableError).cause).toMatchObject({ name: 'HttpError', status: 503 });
    expect(bodies).toEqual(['chunk']);
    expect(seen.retries()).toEqual([]);
  });

  it('a stream body that succeeds is sent as it is', async () => {
    const bodies = await bodyServer(() => 200);
    const client = new AsyncAPIClient({ baseUrl: server!.origin });
    expect((await lastValueFrom(client.request('PUT', '/upload', { body: streamOf('all of it') }))).status).toBe(200);
    expect(bodies).toEqual(['all of it']);
  });

  it('a body factory is called for each attempt: every retry sends the whole body again', async () => {
    const bodies = await bodyServer((hit) => (hit < 3 ? 503 : 201));
    const client = new AsyncAPIClient({ baseUrl: server!.origin, retry: { baseDelay: 1 } });
    let made = 0;
    const response = await lastValueFrom(
      client.request('PUT', '/upload', {
        body: () => {
          made += 1;
          return streamOf(`copy ${made}`);
        },
      }),
    );
    expect(response.status).toBe(201);
    expect(bodies).toEqual(['copy 1', 'copy 2', 'copy 3']);
  });

  it('a body factory on a GET is refused before anything is sent', async () => {
    const bodies = await bodyServer(() => 200);
    const client = new AsyncAPIClient(server!.origin);
    await expect(lastValueFrom(client.request('GET', '/x', { body: () => 'x' }))).rejects.toThrow(/a GET request cannot have a body/);
    expect(bodies).toEqual([]);
  });
});

describe('retry budget (opt-in with withRetryBudget(), shared by the requests of a client)', () => {
  beforeEach(useVirtualTime);

  /** Sends `count` requests at once through a new client with `features`, and lets every wait pass, in virtual time. */
  async function burst(count: number, ...features: Feature[]) {
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, ...features, events);
    const seen = watch(events);
    const recordings = Array.from({ length: count }, () => record(client.request('GET', '/x')));
    const ended = () => recordings.every((r) => r.done());
    // Each round lets the pending waits (2 s, then 4 s) pass, once every attempt sent has its answer.
    for (const wait of [0, 2000, 4000]) {
      await vi.advanceTimersByTimeAsync(wait);
      await until(() => seen.ofType('response').length === seen.ofType('request').length, 20_000);
    }
    await until(ended, 20_000);
    seen.subscription.unsubscribe();
    return { recordings, seen };
  }

  it('full outage (every request answered 503): the server sees at most 1.2x the logical requests', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const logical = 1000;
    const { recordings, seen } = await burst(logical, withRetryBudget());
    expect(recordings.every((r) => r.error instanceof HttpError)).toBe(true);
    // The bucket (500 tokens, 5 per retry) pays for 100 retries, then none: 1100 attempts.
    expect(endpoint.hits).toBeLessThanOrEqual(1.2 * logical);
    expect(endpoint.hits).toBe(logical + seen.retries().length);
    expect(seen.retries().length).toBe(100);
  }, 30_000);

  it('the same outage without a budget (the default now): the seed policy alone triples the load', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const logical = 200;
    await burst(logical);
    expect(endpoint.hits).toBe(3 * logical);
  }, 30_000);

  it('a 10% failure rate: every failure that the policy retries is retried', async () => {
    // Every tenth request the server sees fails.
    const endpoint = serve('GET', '/x', (hit) => (hit % 10 === 0 ? [503] : [200]));
    const logical = 1000;
    const { recordings, seen } = await burst(logical, withRetryBudget());
    const failedAttempts = Math.floor(endpoint.hits / 10);
    const gaveUp = recordings.filter((r) => r.error !== undefined).length;
    // A failure is not retried only when it was a request's third attempt.
    expect(seen.retries().length).toBe(failedAttempts - gaveUp);
    expect(seen.retries().length).toBeGreaterThanOrEqual(100);
    expect(gaveUp).toBeLessThanOrEqual(1);
    expect(endpoint.hits).toBe(logical + seen.retries().length);
  }, 30_000);

  it('does not interfere with one request\'s 3 attempts on a new client', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const { recordings } = await burst(1, withRetryBudget());
    expect(endpoint.hits).toBe(3);
    expect(recordings[0]!.error).toMatchObject({ status: 503, attempts: 3 });
  });
});

describe('circuit breaker (opt-in)', () => {
  beforeEach(useVirtualTime);

  it('opens after failureThreshold failures, fails fast without the network, probes after resetTimeout, closes on success', async () => {
    let healthy = false;
    const endpoint = serve('GET', '/x', () => (healthy ? [200] : [503]));
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: false }, withCircuitBreaker({ failureThreshold: 3, resetTimeout: 10_000 }), events);
    const seen = watch(events);
    for (let i = 0; i < 3; i += 1) await expect(lastValueFrom(client.request('GET', '/x'))).rejects.toBeInstanceOf(HttpError);
    expect(seen.ofType('circuit')).toEqual([
      { type: 'circuit', method: 'GET', url: `${BASE}/x`, requestId: seen.ofType('request')[2]!.requestId, time: expect.any(Number), state: 'open', previous: 'closed' },
    ]);

    await vi.advanceTimersByTimeAsync(4000);
    const fast = await lastValueFrom(client.request('GET', '/x')).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(fast).toMatchObject({ retryAfterMs: 6000, attempts: 0, method: 'GET', url: `${BASE}/x` });
    expect((fast as Error).message).toBe(`GET ${BASE}/x was not sent: the circuit breaker is open (a probe may go in 6000 ms)`);
    expect(endpoint.hits).toBe(3);
    expect(seen.ofType('request')).toHaveLength(3);

    await vi.advanceTimersByTimeAsync(6000);
    healthy = true;
    expect((await lastValueFrom(client.request('GET', '/x'))).status).toBe(200);
    expect(seen.ofType('circuit').map((e) => e.state)).toEqual(['open', 'halfOpen', 'closed']);
    expect((await lastValueFrom(client.request('GET', '/x'))).status).toBe(200);
    expect(endpoint.hits).toBe(5);
  });

  it('while the probe is in flight, other requests fail fast; a failed probe opens it again', async () => {
    server = await startServer((_req, res) => {
      setImmediate(() => res.writeHead(503).end());
    });
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: false }, withCircuitBreaker({ failureThreshold: 1, resetTimeout: 1000 }), events);
    const seen = watch(events);
    await expect(lastValueFrom(client.request('GET', '/x'))).rejects.toBeInstanceOf(HttpError);
    await vi.advanceTimersByTimeAsync(1000);
    const probe = record(client.request('GET', '/x'));
    await until(() => server!.hits.length === 2);
    await expect(lastValueFrom(client.request('GET', '/x'))).rejects.toMatchObject({ name: 'CircuitOpenError', retryAfterMs: 0 });
    await until(probe.done);
    expect(probe.error).toBeInstanceOf(HttpError);
    expect(seen.ofType('circuit').map((e) => e.state)).toEqual(['open', 'halfOpen', 'open']);
    await expect(lastValueFrom(client.request('GET', '/x'))).rejects.toMatchObject({ name: 'CircuitOpenError', retryAfterMs: 1000 });
    expect(server.hits).toHaveLength(2);
  });

  it('opening during a request\'s retries ends it with CircuitOpenError instead of the next attempt', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, withCircuitBreaker({ failureThreshold: 2, resetTimeout: 60_000 }), events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await passRetryWaits(seen, [2000, 4000]);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(CircuitOpenError);
    expect(recording.error).toMatchObject({ attempts: 2, retryAfterMs: 56_000 });
    expect(endpoint.hits).toBe(2);
    expect(seen.events.at(-1)).toMatchObject({ type: 'giveUp', attempts: 2 });
  });

  it('an open circuit is never retried, whatever retryOn says', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { retryOn: () => true } }, withCircuitBreaker({ failureThreshold: 1, resetTimeout: 60_000 }), events);
    const seen = watch(events);
    const recording = record(client.request('GET', '/x'));
    await passRetryWaits(seen, [2000]);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(CircuitOpenError);
    // The second attempt was not sent: one attempt in all.
    expect(recording.error).toMatchObject({ attempts: 1, retryAfterMs: 58_000 });
    expect(endpoint.hits).toBe(1);
    expect(seen.retries()).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an open circuit ends the request as CircuitOpenError under retryOn: () => true, before the one-shot body and deadline checks', async () => {
    serve('GET', '/x', () => [503]);
    const once = new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    const breaker = withCircuitBreaker({ failureThreshold: 1, resetTimeout: 60_000 });
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { retryOn: () => true, maxAttempts: 1 } }, breaker, withDeadline(1_000));
    // One 503 opens the circuit (a threshold of 1); the next requests find it open.
    await expect(lastValueFrom(client.request('GET', '/x'))).rejects.toBeInstanceOf(HttpError);
    const retrying = { retry: { retryOn: () => true, maxAttempts: 3 } };
    // Before, the retry that retryOn allowed met the one-shot body (BodyNotReplayableError) or the deadline
    // (TimeoutError, 2 s of backoff past 1 s) before the breaker could say that an open circuit is final.
    const oneShot = await lastValueFrom(client.request('PUT', '/upload', { body: once, ...retrying })).catch((error: unknown) => error);
    expect(oneShot).toBeInstanceOf(CircuitOpenError);
    // Refused before it was sent: no attempt was made.
    expect(oneShot).toMatchObject({ attempts: 0 });
    const deadline = await lastValueFrom(client.request('GET', '/x', retrying)).catch((error: unknown) => error);
    expect(deadline).toBeInstanceOf(CircuitOpenError);
    expect(deadline).toMatchObject({ attempts: 0 });
  });

  it('is off by default: a failing server is tried every time', async () => {
    const endpoint = serve('GET', '/x', () => [503]);
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: false });
    for (let i = 0; i < 8; i += 1) await expect(lastValueFrom(client.request('GET', '/x'))).rejects.toBeInstanceOf(HttpError);
    expect(endpoint.hits).toBe(8);
  });
});
