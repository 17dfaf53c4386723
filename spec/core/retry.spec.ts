// The retry of a logical request, as the client runs it (rxjs `retry({ count, delay })` in
// src/core/pipeline.ts, with the deadline and the retry budget as features), in virtual time:
// a transport stand-in answers each attempt with the next cold marble Observable it is given.
import { catchError, EMPTY, from, map, mergeMap, take, tap, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  AsyncAPIClient,
  BodyNotReplayableError,
  HttpError,
  NetworkError,
  RetryBudget,
  TimeoutError,
  withDeadline,
  withEvents,
  withRetryBudget,
  withTokenRefresh,
  type ClientOptions,
  type Feature,
  type Reader,
  type StreamReading,
  type Transport,
} from '../../src/index.js';
import { checkStatus } from '../../src/core/response.js';
import { decideRetry } from '../../src/retry/decide.js';
import { PLAIN_STREAM } from '../../src/streams/mode.js';
import { eventsOf } from '../support/events.js';

const BASE_URL = 'https://h/';
const target = { method: 'GET', url: 'https://h/x' };
const postTarget = { method: 'POST', url: 'https://h/x' };
const policy = { maxAttempts: 3, baseDelay: 2000 };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * A client on `scheduler` whose transport answers its nth call with `answers[n]` (the last one
 * again after the end): each call subscribes to it, so `answers[n].subscriptions` are the attempts.
 */
function clientOn(scheduler: TestScheduler, answers: readonly Observable<Response>[], options: Partial<ClientOptions> = {}, ...features: Feature[]) {
  const calls: string[] = [];
  const transport: Transport = (url, init) => {
    const answer$ = answers[Math.min(calls.length, answers.length - 1)]!;
    calls.push(url);
    return answer$.pipe(mergeMap((response) => from(init.selector(response))));
  };
  const client = new AsyncAPIClient({ baseUrl: BASE_URL, transport, scheduler, ...options }, ...features);
  return { client, calls };
}

const status = (code: number, headers: Record<string, string> = {}) => new Response(null, { status: code, headers });
/** The statuses a `request()` emits. */
const get = (client: AsyncAPIClient, options: Parameters<AsyncAPIClient['request']>[2] = {}) =>
  client.request('GET', 'x', options).pipe(map((response) => response.status));

// A stream's body, in virtual time: the Response of an attempt stands for the marble Observable of its values.
const bodies = new WeakMap<Response, Observable<string>>();
function streamed(body$: Observable<string>): Response {
  const response = new Response(null, { status: 200 });
  bodies.set(response, body$);
  return response;
}
/** A stream reader (read as the stream functions are: PLAIN_STREAM's way of sending) retried as `stream` says: what `ndjson()`, `sse()`... hand to `client.read()`. */
const streamOf = (stream: StreamReading): Reader<string> => ({
  read: (response, context) => {
    checkStatus(response, context);
    return bodies.get(response) ?? EMPTY;
  },
  stream,
});
/** Retried by the policy alone, a value or not (as the old operator did without a `decide`). */
const byPolicy = (resetOnSuccess: boolean): StreamReading => ({
  ...PLAIN_STREAM,
  resetOnSuccess,
  decide: (retryPolicy, error, attempt, now) => decideRetry(retryPolicy, error, attempt, now),
});

describe('the retry of a request (marbles, virtual time)', () => {
  it('by default waits 2 s then 4 s between 3 attempts and ends with the last error', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold<Response>('-#', undefined, dropped);
      // No retry option: the client's default policy.
      const { client } = clientOn(scheduler, [answer]);
      // Attempts at 0, 1 + 2000 and 2001 + 1 + 4000; the error after the third.
      expectObservable(get(client)).toBe('6003ms #', undefined, new NetworkError(dropped, target, 3));
      expectSubscriptions(answer.subscriptions).toBe(['^!', '2001ms ^!', '6002ms ^!']);
    });
  });

  it('passes a value through when an attempt succeeds after a retry', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { client, calls } = clientOn(scheduler, [cold('-(r|)', { r: status(503) }), cold('-(r|)', { r: status(200) })], { retry: policy });
      expectObservable(get(client)).toBe('2002ms (a|)', { a: 200 });
      scheduler.flush();
      expect(calls).toHaveLength(2);
    });
  });

  it('does not retry a 404: the error passes through at once', () => {
    const scheduler = newScheduler();
    const notFound = status(404);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-(r|)', { r: notFound });
      const { client } = clientOn(scheduler, [answer], { retry: policy });
      expectObservable(get(client)).toBe('-#', undefined, new HttpError(notFound, target, 1));
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('unsubscribing during the backoff cancels the pending attempt', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold<Response>('-#', undefined, new TypeError('x'));
      const { client } = clientOn(scheduler, [answer], { retry: policy });
      expectObservable(get(client), '1000ms !').toBe('');
      // One subscription only: the attempt due at 2001 ms never starts.
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('reports each scheduled retry with attempt, delay and error (retry events)', () => {
    const scheduler = newScheduler();
    const events = withEvents();
    const retries = eventsOf(events, 'retry');
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold<Response>('#', undefined, dropped)], { retry: policy }, events);
      expectObservable(get(client)).toBe('6000ms #', undefined, new NetworkError(dropped, target, 3));
    });
    expect(retries.map(({ attempt, delayMs }) => [attempt, delayMs])).toEqual([
      [1, 2000],
      [2, 4000],
    ]);
    expect(retries.map(({ error }) => error)).toEqual([new NetworkError(dropped, target, 1), new NetworkError(dropped, target, 2)]);
  });

  it('makes one attempt when maxAttempts is 1', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold<Response>('-#', undefined, dropped);
      const { client } = clientOn(scheduler, [answer], { retry: { maxAttempts: 1, baseDelay: 2000 } });
      expectObservable(get(client)).toBe('-#', undefined, new NetworkError(dropped, target, 1));
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('cancels the body of a retried response, and leaves the final one unread', async () => {
    const scheduler = newScheduler();
    const first = new Response('first', { status: 503 });
    const second = new Response('second', { status: 503 });
    let failure: unknown;
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold('(r|)', { r: first }), cold('(r|)', { r: second })], { retry: { maxAttempts: 2, baseDelay: 10 } });
      const request$ = get(client).pipe(tap({ error: (error: unknown) => (failure = error) }));
      expectObservable(request$).toBe('10ms #', undefined, new HttpError(second, target, 2));
    });
    // The error holds the final response itself.
    expect((failure as HttpError).response).toBe(second);
    await expect(first.text()).rejects.toThrow();
    await expect(second.text()).resolves.toBe('second');
  });
});

describe('the retry of a request: server hints, deadline, budget and one-shot bodies (marbles)', () => {
  it("waits the server's Retry-After instead of the backoff and reports fromServer", () => {
    const scheduler = newScheduler();
    const events = withEvents();
    const retries = eventsOf(events, 'retry');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-(r|)', { r: status(503, { 'retry-after': '5' }) });
      const { client } = clientOn(scheduler, [failing, cold('-(r|)', { r: status(200) })], { retry: policy }, events);
      expectObservable(get(client)).toBe('5002ms (a|)', { a: 200 });
      expectSubscriptions(failing.subscriptions).toBe('^!');
    });
    expect(retries.map(({ attempt, delayMs, fromServer }) => ({ attempt, delayMs, fromServer }))).toEqual([{ attempt: 1, delayMs: 5000, fromServer: true }]);
  });

  it('a Retry-After beyond maxRetryAfter ends at once with the HttpError, its response unread', async () => {
    const scheduler = newScheduler();
    const busy = new Response('busy', { status: 503, headers: { 'retry-after': '3600' } });
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-(r|)', { r: busy });
      const { client } = clientOn(scheduler, [answer], { retry: policy });
      expectObservable(get(client)).toBe('-#', undefined, new HttpError(busy, target, 1));
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
    expect(busy.bodyUsed).toBe(false);
    await expect(busy.text()).resolves.toBe('busy');
  });

  it('deadline: a wait that would pass it is not started; TimeoutError at once, the failure as cause', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold<Response>('-#', undefined, dropped);
      const { client } = clientOn(scheduler, [answer], { retry: policy }, withDeadline());
      // Attempt 1 fails at 1 ms, waits 2 s, attempt 2 fails at 2002 ms: a 4 s wait would end at 6002 ms, past 5000.
      const expected = new TimeoutError(5000, target, 2, { scope: 'deadline', cause: new NetworkError(dropped, target, 2) });
      expectObservable(get(client, { deadline: 5000 })).toBe('2002ms #', undefined, expected);
      expectSubscriptions(answer.subscriptions).toBe(['^!', '2001ms ^!']);
    });
  });

  it('deadline: a wait that ends exactly at the deadline is not started either (the client-wide deadline)', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold<Response>('#', undefined, dropped)], { retry: policy }, withDeadline(2000));
      const expected = new TimeoutError(2000, target, 1, { scope: 'deadline', cause: new NetworkError(dropped, target, 1) });
      expectObservable(get(client)).toBe('#', undefined, expected);
    });
  });

  it('deadline: an attempt in flight when it passes is unsubscribed (aborted) and the request ends', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<Response>('-#', undefined, new TypeError('x'));
      const hanging = cold<Response>('-');
      const { client } = clientOn(scheduler, [first, hanging], { retry: policy }, withDeadline());
      const expected = new TimeoutError(3000, target, 2, { scope: 'deadline' });
      expectObservable(get(client, { deadline: 3000 })).toBe('3000ms #', undefined, expected);
      expectSubscriptions(hanging.subscriptions).toBe('2001ms ^ 998ms !');
    });
  });

  it('deadline: a request that ends in time is untouched', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold('-(r|)', { r: status(200) })], { retry: policy }, withDeadline());
      expectObservable(get(client, { deadline: 5 })).toBe('-(a|)', { a: 200 });
    });
  });

  it('budget: when it cannot pay for a retry, the failure is returned as it is', () => {
    const scheduler = newScheduler();
    const budget = new RetryBudget({ capacity: 7 });
    const unavailable = status(503);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-(r|)', { r: unavailable });
      const { client } = clientOn(scheduler, [answer], { retry: policy }, withRetryBudget(budget));
      // 7 tokens pay for one retry (5), not a second.
      expectObservable(get(client)).toBe('2002ms #', undefined, new HttpError(unavailable, target, 2));
      expectSubscriptions(answer.subscriptions).toBe(['^!', '2001ms ^!']);
    });
    expect(budget.available).toBe(2);
  });

  it('budget: a success after a retry gives its cost back; a first-attempt success adds successRefill', () => {
    const scheduler = newScheduler();
    const budget = new RetryBudget({ capacity: 20 });
    budget.tryAcquire(10);
    scheduler.run(({ cold, expectObservable }) => {
      // The first attempt times out after 1 ms (a timeout costs 10), the second answers at once.
      const { client } = clientOn(scheduler, [cold<Response>('-'), cold('(r|)', { r: status(200) })], { retry: policy, timeout: 1 }, withRetryBudget(budget));
      expectObservable(get(client)).toBe('2001ms (a|)', { a: 200 });
    });
    // 10 - 10 (timeout retry) + 10 (given back)
    expect(budget.available).toBe(10);
    const again = newScheduler();
    again.run(({ cold, expectObservable }) => {
      const { client } = clientOn(again, [cold('(r|)', { r: status(200) })], { retry: policy }, withRetryBudget(budget));
      expectObservable(get(client)).toBe('(a|)', { a: 200 });
    });
    expect(budget.available).toBe(11);
  });

  it('a one-shot body: the first retryable failure ends with BodyNotReplayableError, its cause the failure', () => {
    const scheduler = newScheduler();
    const unavailable = status(503);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-(r|)', { r: unavailable });
      const { client } = clientOn(scheduler, [answer], { retry: policy });
      const expected = new BodyNotReplayableError(new HttpError(unavailable, postTarget, 1), postTarget, 1);
      const request$ = client.request('POST', 'x', { body: new ReadableStream() });
      expectObservable(request$).toBe('-#', undefined, expected);
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('a one-shot body with a failure that would not be retried anyway keeps that error', () => {
    const scheduler = newScheduler();
    const notFound = status(404);
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold('-(r|)', { r: notFound })], { retry: policy });
      expectObservable(client.request('POST', 'x', { body: new ReadableStream() })).toBe('-#', undefined, new HttpError(notFound, postTarget, 1));
    });
  });
});

describe('the retry of a stream: its own decision and a count that restarts (marbles)', () => {
  it('the stream decides instead of the policy: here, never after a value', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const body = cold('-a-#', undefined, dropped);
      const { client } = clientOn(scheduler, [cold('(r|)', { r: streamed(body) })], { retry: policy });
      const neverAfterAValue: StreamReading = {
        ...PLAIN_STREAM,
        resetOnSuccess: false,
        decide: (_policy, _error, _attempt, _now, emitted) => (emitted ? { retry: false } : { retry: true, delayMs: 10, fromServer: false }),
      };
      expectObservable(client.read('x', streamOf(neverAfterAValue))).toBe('-a-#', undefined, new NetworkError(dropped, target, 1));
      expectSubscriptions(body.subscriptions).toBe('^--!');
    });
  });

  it('resetOnSuccess: a value starts the count of attempts again', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    // The attempt number the decision is given, through the policy's retryOn.
    const seen: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      // Each attempt emits, then fails: with the count reset, maxAttempts never runs out.
      const { client } = clientOn(scheduler, [cold('(r|)', { r: streamed(cold('a#', undefined, dropped)) })], {
        retry: { maxAttempts: 2, baseDelay: 1, retryOn: (_error, attempt) => void seen.push(attempt) },
      });
      expectObservable(client.read('x', streamOf(byPolicy(true))).pipe(take(4))).toBe('a-a-a-(a|)');
    });
    expect(seen).toEqual([1, 1, 1]);
  });

  it('without resetOnSuccess the same source runs out after maxAttempts', () => {
    const scheduler = newScheduler();
    const dropped = new TypeError('x');
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold('(r|)', { r: streamed(cold('a#', undefined, dropped)) })], { retry: { maxAttempts: 2, baseDelay: 1 } });
      expectObservable(client.read('x', streamOf(byPolicy(false)))).toBe('a-a#', undefined, new NetworkError(dropped, target, 2));
    });
  });
});

describe('the retry of a stream that reconnects pays its budget back (marbles)', () => {
  it('resetOnSuccess: each value after a reconnection gives back what that reconnection cost', () => {
    const scheduler = newScheduler();
    // Two reconnections' worth of tokens (a network error costs 10): without the refunds the third could not be paid.
    const budget = new RetryBudget({ capacity: 20 });
    scheduler.run(({ cold, expectObservable }) => {
      const body = cold('a#', undefined, new TypeError('dropped'));
      const { client } = clientOn(scheduler, [cold('(r|)', { r: streamed(body) })], { retry: { maxAttempts: 2, baseDelay: 1 } }, withRetryBudget(budget));
      expectObservable(client.read('x', streamOf(byPolicy(true))).pipe(take(10))).toBe('a-a-a-a-a-a-a-a-a-(a|)');
    });
    expect(budget.available).toBe(20);
  });

  it('the refund follows the last retry before the value: one per reconnection, however many values follow', () => {
    const scheduler = newScheduler();
    const budget = new RetryBudget({ capacity: 100 });
    budget.tryAcquire(50);
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(
        scheduler,
        [
          cold('(r|)', { r: streamed(cold('ab#', undefined, new TypeError('dropped'))) }),
          cold('(r|)', { r: status(503) }),
          cold('(r|)', { r: streamed(cold('cd|')) }),
        ],
        { retry: { maxAttempts: 3, baseDelay: 1 } },
        withRetryBudget(budget),
      );
      // a, b; dropped at 2 ms: wait 1; a 503 at 3 ms: wait 2; c, d from 5 ms.
      expectObservable(client.read('x', streamOf(byPolicy(true)))).toBe('ab---cd|');
    });
    // 50 + 1 (first value) - 10 (the drop) - 5 (the 503) + 5 (what the last retry cost, once).
    expect(budget.available).toBe(41);
  });
});

describe('the errors the retry makes count every attempt, replays inside the retry (a token refresh) included (marbles)', () => {
  // The first attempt gets a 401; the token refresh (at once) replays it: that replay is attempt 2.
  let token = 'old';
  const refreshing = () => ({
    authHeaders: () => ({ authorization: `Bearer ${token}` }),
    retry: policy,
  });
  const refresh = () =>
    withTokenRefresh(() => {
      token = 'new';
    });

  it('the deadline before a wait', () => {
    const scheduler = newScheduler();
    token = 'old';
    const unavailable = status(503);
    scheduler.run(({ cold, expectObservable }) => {
      const { client, calls } = clientOn(scheduler, [cold('(r|)', { r: status(401) }), cold('(r|)', { r: unavailable })], refreshing(), refresh(), withDeadline());
      const expected = new TimeoutError(2000, target, 2, { scope: 'deadline', cause: new HttpError(unavailable, target, 2) });
      expectObservable(get(client, { deadline: 2000 })).toBe('#', undefined, expected);
      scheduler.flush();
      expect(calls).toHaveLength(2);
    });
  });

  it('the deadline during an attempt', () => {
    const scheduler = newScheduler();
    token = 'old';
    scheduler.run(({ cold, expectObservable }) => {
      const { client } = clientOn(scheduler, [cold('(r|)', { r: status(401) }), cold<Response>('-')], refreshing(), refresh(), withDeadline(3));
      expectObservable(get(client)).toBe('3ms #', undefined, new TimeoutError(3, target, 2, { scope: 'deadline' }));
    });
  });

  it('a one-shot body, after an attempt that a feature replayed inside the retry', () => {
    const scheduler = newScheduler();
    // A feature that replays a failed attempt once, as the token refresh does (which refuses one-shot bodies itself).
    const replayOnce: Feature = {
      order: 20,
      setup: () => ({
        start: () => {
          let replayed = false;
          return {
            attempts: <T>(attempt$: Observable<T>) =>
              attempt$.pipe(catchError((error: unknown, caught: Observable<T>) => (replayed ? throwError(() => error) : ((replayed = true), caught)))),
          };
        },
      }),
    };
    const unavailable = status(503);
    scheduler.run(({ cold, expectObservable }) => {
      const { client, calls } = clientOn(scheduler, [cold('(r|)', { r: unavailable })], { retry: policy }, replayOnce);
      const expected = new BodyNotReplayableError(new HttpError(unavailable, postTarget, 2), postTarget, 2);
      expectObservable(client.request('POST', 'x', { body: new ReadableStream() })).toBe('#', undefined, expected);
      scheduler.flush();
      expect(calls).toHaveLength(2);
    });
  });

  it('a one-shot body that already ended with BodyNotReplayableError (a 401 it could not replay) keeps it, not wrapped twice', () => {
    const scheduler = newScheduler();
    token = 'old';
    const unauthorized = status(401);
    let refreshed = false;
    scheduler.run(({ cold, expectObservable }) => {
      const { client, calls } = clientOn(
        scheduler,
        [cold('(r|)', { r: unauthorized })],
        { ...refreshing(), retry: { ...policy, retryOn: () => true } },
        withTokenRefresh(() => {
          refreshed = true;
        }),
      );
      const expected = new BodyNotReplayableError(new HttpError(unauthorized, postTarget, 1), postTarget, 1);
      expectObservable(client.request('POST', 'x', { body: new ReadableStream() })).toBe('#', undefined, expected);
      scheduler.flush();
      expect(calls).toHaveLength(1);
    });
    expect(refreshed).toBe(false);
  });
});
