import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, HttpError, NetworkError, TimeoutError } from '../../src/core/errors.js';
import { ParseError } from '../../src/core/body-errors.js';
import { AsyncAPIClient } from '../../src/core/client.js';
import type { Feature } from '../../src/core/feature.js';
import { RetryBudget, withRetryBudget } from '../../src/features/retry-budget.js';
import { statusReply, testTransport } from '../../src/testing/index.js';

const target = { method: 'GET', url: 'https://h/x' };

/** One step on a budget: try to pay for a retry, or record a success that spent `n` on its last retry. */
type Step = ['acquire', number, boolean] | ['success', number];

describe('RetryBudget', () => {
  it('starts full with the AWS standard settings', () => {
    const budget = new RetryBudget();
    expect(budget).toMatchObject({ capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1, available: 500 });
  });

  it.each([
    ['HttpError', new HttpError(new Response(null, { status: 503 }), target, 1), 5],
    ['TimeoutError', new TimeoutError(100, target, 1), 10],
    ['NetworkError', new NetworkError(new TypeError('x'), target, 1), 10],
    ['any other error', new ParseError(new SyntaxError('x'), 'x', 200, target, 1), 5],
  ])('a retry after a %s costs %i', (_name, error, cost) => {
    expect(new RetryBudget().costOf(error)).toBe(cost);
  });

  it.each<[string, number, Step[], number]>([
    ['a retry spends its cost', 20, [['acquire', 5, true]], 15],
    ['the bucket pays while it holds enough', 10, [['acquire', 5, true], ['acquire', 5, true], ['acquire', 5, false]], 0],
    ['a cost above what is left is refused and spends nothing', 8, [['acquire', 5, true], ['acquire', 5, false]], 3],
    ['a success after a retry gives back what that retry cost', 20, [['acquire', 10, true], ['success', 10]], 20],
    ['a first-attempt success gives back successRefill', 20, [['acquire', 5, true], ['success', 0], ['success', 0]], 17],
    ['never above capacity', 20, [['success', 0], ['success', 10]], 20],
    ['an empty bucket fills again with successes', 5, [['acquire', 5, true], ['acquire', 5, false], ['success', 0], ['success', 0], ['success', 0], ['success', 0], ['success', 0], ['acquire', 5, true]], 0],
  ])('%s', (_name, capacity, steps, available) => {
    const budget = new RetryBudget({ capacity });
    for (const step of steps) {
      if (step[0] === 'acquire') expect(budget.tryAcquire(step[1])).toBe(step[2]);
      else budget.recordSuccess(step[1]);
    }
    expect(budget.available).toBe(available);
  });

  it('under a full outage, the default bucket pays for 100 retries and then none', () => {
    const budget = new RetryBudget();
    let retries = 0;
    while (budget.tryAcquire(budget.retryCost)) retries += 1;
    expect(retries).toBe(100);
  });

  it.each([
    [{ capacity: -1 }, /withRetryBudget: capacity must be a number of tokens of 0 or more, not -1/],
    [{ retryCost: Number.NaN }, /withRetryBudget: retryCost/],
    [{ timeoutCost: Infinity }, /withRetryBudget: timeoutCost/],
    [{ successRefill: '1' }, /withRetryBudget: successRefill/],
    [null, /withRetryBudget takes settings such as \{ capacity: 500 \}, a RetryBudget, or nothing/],
  ])('refuses %j', (options, message) => {
    expect(() => new RetryBudget(options as never)).toThrow(ConfigurationError);
    expect(() => new RetryBudget(options as never)).toThrow(message);
  });
});

describe('withRetryBudget', () => {
  /**
   * How many attempts one GET makes on a client with `features`, when every attempt gets a 503
   * and the policy would allow `maxAttempts` (no wait between them, in virtual time).
   */
  function attemptsOf(maxAttempts: number, ...features: Feature[]): number {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const transport = testTransport({ scheduler }).on('GET', '/x', statusReply(503));
    const client = new AsyncAPIClient({ baseUrl: 'https://h/', transport, scheduler, retry: { maxAttempts, baseDelay: 0 } }, ...features);
    let failed = false;
    client.request('GET', 'x').subscribe({ error: () => (failed = true) });
    scheduler.flush();
    expect(failed).toBe(true);
    return transport.requests.length;
  }

  it('is off unless named; withRetryBudget() gives each client its own default bucket; settings fill in the defaults; a shared one is kept', () => {
    // No budget by default: every attempt the policy allows is made.
    expect(attemptsOf(200)).toBe(200);
    // The old option is refused, false included (to turn the budget off, leave the feature out).
    expect(() => new AsyncAPIClient({ baseUrl: 'https://h/', retryBudget: false } as never)).toThrow(ConfigurationError);
    expect(() => new AsyncAPIClient({ baseUrl: 'https://h/', retryBudget: true } as never)).toThrow(/withRetryBudget/);
    // The default bucket (500 tokens, 5 a retry of a status) pays for 100 retries: 101 attempts.
    expect(attemptsOf(200, withRetryBudget())).toBe(101);
    // One feature value given to two clients: a bucket for each.
    const perClient = withRetryBudget();
    expect(attemptsOf(200, perClient)).toBe(101);
    expect(attemptsOf(200, perClient)).toBe(101);
    // Settings: what they leave out is the default (capacity 500).
    expect(attemptsOf(300, withRetryBudget({ retryCost: 2 }))).toBe(251);
    // A shared instance is kept: 7 tokens pay for one retry, on the first client only.
    const shared = new RetryBudget({ capacity: 7 });
    expect(attemptsOf(200, withRetryBudget(shared))).toBe(2);
    expect(attemptsOf(200, withRetryBudget(shared))).toBe(1);
    expect(shared.available).toBe(2);
  });
});
