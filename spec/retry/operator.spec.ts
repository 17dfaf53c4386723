import { defer, take, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { BodyNotReplayableError, HttpError, NetworkError, TimeoutError } from '../../src/errors.js';
import { RetryBudget } from '../../src/retry/budget.js';
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
    scheduler.run(({ expectObservable }) => {
      let attempt = 0;
      const source = defer(() => throwError(() => responses[attempt++]));
      expectObservable(source.pipe(retryWithPolicy({ maxAttempts: 2, baseDelay: 10 }, scheduler))).toBe('10ms #', undefined, responses[1]);
    });
    await expect(responses[0]!.response.text()).rejects.toThrow();
    await expect(responses[1]!.response.text()).resolves.toBe('second');
  });
});

describe('retryWithPolicy: server hints, deadline, budget and one-shot bodies (marbles)', () => {
  const unavailable = (headers: Record<string, string> = {}) => new HttpError(new Response(null, { status: 503, headers }), target, 1);

  it('waits the server\'s Retry-After instead of the backoff and reports fromServer', () => {
    const scheduler = newScheduler();
    const seen: RetryInfo[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      let attempt = 0;
      const failing = cold('-#', undefined, unavailable({ 'retry-after': '5' }));
      const source = defer(() => (++attempt === 1 ? failing : cold('-a|')));
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, (info) => seen.push(info)))).toBe('5002ms a|');
      expectSubscriptions(failing.subscriptions).toBe('^!');
    });
    expect(seen.map(({ attempt, delayMs, fromServer }) => ({ attempt, delayMs, fromServer }))).toEqual([{ attempt: 1, delayMs: 5000, fromServer: true }]);
  });

  it('a Retry-After beyond maxRetryAfter ends at once with the HttpError, its response unread', () => {
    const scheduler = newScheduler();
    const error = unavailable({ 'retry-after': '3600' });
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, error);
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler))).toBe('-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    expect(error.response.bodyUsed).toBe(false);
  });

  it('deadline: a wait that would pass it is not started; TimeoutError at once, the failure as cause', () => {
    const scheduler = newScheduler();
    const failure = new NetworkError(new TypeError('x'), target, 1);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, failure);
      // Attempt 1 fails at 1 ms, waits 2 s, attempt 2 fails at 2002 ms: a 4 s wait would end at 6002 ms, past 5000.
      const expected = new TimeoutError(5000, target, 2, { scope: 'deadline', cause: failure });
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, deadline: 5000 }))).toBe('2002ms #', undefined, expected);
      expectSubscriptions(source.subscriptions).toBe(['^!', '2001ms ^!']);
    });
  });

  it('deadline: a wait that ends exactly at the deadline is not started either', () => {
    const scheduler = newScheduler();
    const failure = new NetworkError(new TypeError('x'), target, 1);
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('#', undefined, failure);
      const expected = new TimeoutError(2000, target, 1, { scope: 'deadline', cause: failure });
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, deadline: 2000 }))).toBe('#', undefined, expected);
    });
  });

  it('deadline: an attempt in flight when it passes is unsubscribed (aborted) and the request ends', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      let attempt = 0;
      const first = cold('-#', undefined, new NetworkError(new TypeError('x'), target, 1));
      const hanging = cold('-');
      const source = defer(() => (++attempt === 1 ? first : hanging));
      const expected = new TimeoutError(3000, target, 2, { scope: 'deadline' });
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, deadline: 3000 }))).toBe('3000ms #', undefined, expected);
      expectSubscriptions(hanging.subscriptions).toBe('2001ms ^ 998ms !');
    });
  });

  it('deadline: a request that ends in time is untouched', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|').pipe(retryWithPolicy(policy, scheduler, undefined, { target, deadline: 5 }))).toBe('-a|');
    });
  });

  it('budget: when it cannot pay for a retry, the failure is returned as it is', () => {
    const scheduler = newScheduler();
    const budget = new RetryBudget({ capacity: 7 });
    const error = unavailable();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, error);
      // 7 tokens pay for one retry (5), not a second.
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, budget }))).toBe('2002ms #', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!', '2001ms ^!']);
    });
    expect(budget.available).toBe(2);
  });

  it('budget: a success after a retry gives its cost back; a first-attempt success adds successRefill', () => {
    const scheduler = newScheduler();
    const budget = new RetryBudget({ capacity: 20 });
    budget.tryAcquire(10);
    scheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const source = defer(() => (++attempt === 1 ? cold('#', undefined, new TimeoutError(1, target, 1)) : cold('a|')));
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, budget }))).toBe('2000ms a|');
    });
    // 10 - 10 (timeout retry) + 10 (given back)
    expect(budget.available).toBe(10);
    const again = newScheduler();
    again.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|').pipe(retryWithPolicy(policy, again, undefined, { target, budget }))).toBe('a|');
    });
    expect(budget.available).toBe(11);
  });

  it('a one-shot body: the first retryable failure ends with BodyNotReplayableError, its cause the failure', () => {
    const scheduler = newScheduler();
    const failure = unavailable();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, failure);
      const expected = new BodyNotReplayableError(failure, target, 1);
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, replayable: false }))).toBe('-#', undefined, expected);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('a one-shot body with a failure that would not be retried anyway keeps that error', () => {
    const scheduler = newScheduler();
    const notFound = new HttpError(new Response(null, { status: 404 }), target, 1);
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-#', undefined, notFound);
      expectObservable(source.pipe(retryWithPolicy(policy, scheduler, undefined, { target, replayable: false }))).toBe('-#', undefined, notFound);
    });
  });
});

describe('retryWithPolicy tuning (marbles)', () => {
  it('decide replaces the decision: here, never after a value', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new NetworkError(new TypeError('x'), target, 1);
      const source = cold('-a-#', undefined, error);
      let emitted = false;
      const decide = () => (emitted ? { retry: false as const } : { retry: true as const, delayMs: 10, fromServer: false });
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

describe('retryWithPolicy: a stream that reconnects pays its budget back (marbles)', () => {
  it('resetOnSuccess: each value after a reconnection gives back what that reconnection cost', () => {
    const scheduler = newScheduler();
    // Two reconnections' worth of tokens (a network error costs 10): without the refunds the third could not be paid.
    const budget = new RetryBudget({ capacity: 20 });
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a#', undefined, new NetworkError(new TypeError('dropped'), target, 1));
      const result = source.pipe(
        retryWithPolicy({ maxAttempts: 2, baseDelay: 1 }, scheduler, undefined, { target, budget, resetOnSuccess: true }),
        take(10),
      );
      expectObservable(result).toBe('a-a-a-a-a-a-a-a-a-(a|)');
    });
    expect(budget.available).toBe(20);
  });

  it('the refund follows the last retry before the value: one per reconnection, however many values follow', () => {
    const scheduler = newScheduler();
    const budget = new RetryBudget({ capacity: 100 });
    budget.tryAcquire(50);
    scheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const dropped = new NetworkError(new TypeError('dropped'), target, 1);
      const source = defer(() => {
        attempt += 1;
        if (attempt === 1) return cold('ab#', undefined, dropped);
        if (attempt === 2) return cold('#', undefined, unavailable503());
        return cold('cd|');
      });
      const result = source.pipe(retryWithPolicy({ maxAttempts: 3, baseDelay: 1 }, scheduler, undefined, { target, budget, resetOnSuccess: true }));
      // a, b; dropped at 2 ms: wait 1; a 503 at 3 ms: wait 2; c, d from 5 ms.
      expectObservable(result).toBe('ab---cd|');
    });
    // 50 + 1 (first value) - 10 (the drop) - 5 (the 503) + 5 (what the last retry cost, once).
    expect(budget.available).toBe(41);
  });
});

function unavailable503(): HttpError {
  return new HttpError(new Response(null, { status: 503 }), target, 1);
}

describe('retryWithPolicy: the errors it makes count the attempts the caller counts (marbles)', () => {
  // The client counts a replay after a token refresh as an attempt; the operator, which does not see it, asks.
  const attempts = () => 5;
  const failure = new NetworkError(new TypeError('x'), target, 5);

  it('the deadline before a wait', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const expected = new TimeoutError(2000, target, 5, { scope: 'deadline', cause: failure });
      const result = cold('#', undefined, failure).pipe(retryWithPolicy(policy, scheduler, undefined, { target, deadline: 2000, attempts }));
      expectObservable(result).toBe('#', undefined, expected);
    });
  });

  it('the deadline during an attempt', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const expected = new TimeoutError(3, target, 5, { scope: 'deadline' });
      expectObservable(cold('-').pipe(retryWithPolicy(policy, scheduler, undefined, { target, deadline: 3, attempts }))).toBe('3ms #', undefined, expected);
    });
  });

  it('a one-shot body', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const expected = new BodyNotReplayableError(failure, target, 5);
      const result = cold('#', undefined, failure).pipe(retryWithPolicy(policy, scheduler, undefined, { target, replayable: false, attempts }));
      expectObservable(result).toBe('#', undefined, expected);
    });
  });

  it('a one-shot body that already ended with BodyNotReplayableError (a 401 it could not replay) keeps it, not wrapped twice', () => {
    const scheduler = newScheduler();
    const notReplayable = new BodyNotReplayableError(new HttpError(new Response(null, { status: 401 }), target, 1), target, 1);
    scheduler.run(({ cold, expectObservable }) => {
      const result = cold('#', undefined, notReplayable).pipe(
        retryWithPolicy({ ...policy, retryOn: () => true }, scheduler, undefined, { target, replayable: false, attempts }),
      );
      expectObservable(result).toBe('#', undefined, notReplayable);
    });
  });
});
