import { defer, take, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { HttpError, NetworkError } from '../../src/errors.js';
import { retryWithPolicy, type RetryInfo } from '../../src/retry/operator.js';

const target = { method: 'GET', url: 'https://h/x' };
const policy = { maxAttempts: 3, baseDelay: 2000 };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('retryWithPolicy (marbles, virtual time)', () => {
  it('waits 2 s then 4 s between attempts and ends with the last error', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new NetworkError(new TypeError('x'), target, 3);
      const source = cold('-#', undefined, error);
      const result = source.pipe(retryWithPolicy(policy, scheduler));
      // Attempts at 0, 1 + 2000 and 2001 + 1 + 4000; the error after the third.
      expectObservable(result).toBe('6003ms #', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!', '2001ms ^!', '6002ms ^!']);
    });
  });

  it('passes a value through when an attempt succeeds after a retry', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const source = defer(() => {
        attempt += 1;
        return attempt === 1 ? cold('-#', undefined, new HttpError(new Response(null, { status: 503 }), target, 1)) : cold('-a|');
      });
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler))).toBe('2002ms a|');
    });
  });

  it('does not retry a 404: the error passes through at once', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new HttpError(new Response(null, { status: 404 }), target, 1);
      const source = cold('-#', undefined, error);
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler))).toBe('-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('unsubscribing during the backoff cancels the pending attempt', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new NetworkError(new TypeError('x'), target, 1));
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler)), '1000ms !').toBe('');
      // One subscription only: the attempt due at 2001 ms never starts.
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('reports each scheduled retry with attempt, delay and error', () => {
    const scheduler = newScheduler();
    const seen: RetryInfo[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const error = new NetworkError(new TypeError('x'), target, 1);
      const source = cold('#', undefined, error);
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, (info) => seen.push(info)))).toBe('6000ms #', undefined, error);
    });
    expect(seen.map(({ attempt, delayMs }) => [attempt, delayMs])).toEqual([
      [1, 2000],
      [2, 4000],
    ]);
  });

  it('makes one attempt when maxAttempts is 1', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new NetworkError(new TypeError('x'), target, 1);
      const source = cold('-#', undefined, error);
      expectObservable(source.pipe(retryWithPolicy({ maxAttempts: 1, baseDelay: 2000 }, scheduler))).toBe('-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('cancels the body of a retried response, and leaves the final one unread', async () => {
    const scheduler = newScheduler();
    const responses = [new Response('first'), new Response('second')].map(
      (r, i) => new HttpError(new Response(r.body, { status: 503 }), target, i + 1),
    );
    scheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const source = defer(() => throwError(() => responses[attempt++]));
      expectObservable(source.pipe(retryWithPolicy({ maxAttempts: 2, baseDelay: 10 }, scheduler))).toBe('10ms #', undefined, responses[1]);
    });
    await expect(responses[0]!.response.text()).rejects.toThrow();
    await expect(responses[1]!.response.text()).resolves.toBe('second');
  });
});

describe('retryWithPolicy tuning (marbles)', () => {
  it('decide replaces the decision: here, never after a value', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new NetworkError(new TypeError('x'), target, 1);
      const source = cold('-a-#', undefined, error);
      let emitted = false;
      const decide = () => (emitted ? { retry: false as const } : { retry: true as const, delayMs: 10 });
      const result = source.pipe(
        tap(() => (emitted = true)),
        retryWithPolicy(policy, scheduler, undefined, { decide }),
      );
      expectObservable(result).toBe('-a-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('resetOnSuccess: a value starts the count of attempts again', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const error = new NetworkError(new TypeError('x'), target, 1);
      // Each attempt emits, then fails: with the count reset, maxAttempts never runs out.
      const source = cold('a#', undefined, error);
      const seen: number[] = [];
      const result = source.pipe(
        retryWithPolicy({ maxAttempts: 2, baseDelay: 1 }, scheduler, (info) => seen.push(info.attempt), { resetOnSuccess: true }),
        take(4),
      );
      expectObservable(result).toBe('a-a-a-(a|)');
      scheduler.flush();
      expect(seen).toEqual([1, 1, 1]);
    });
  });

  it('without resetOnSuccess the same source runs out after maxAttempts', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const error = new NetworkError(new TypeError('x'), target, 1);
      const source = cold('a#', undefined, error);
      expectObservable(source.pipe(retryWithPolicy({ maxAttempts: 2, baseDelay: 1 }, scheduler))).toBe('a-a#', undefined, error);
    });
  });
});
