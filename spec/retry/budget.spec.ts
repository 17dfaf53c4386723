import { describe, expect, it } from 'vitest';
import { ConfigurationError, HttpError, NetworkError, ParseError, TimeoutError } from '../../src/errors.js';
import { RetryBudget, toRetryBudget } from '../../src/retry/budget.js';

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
    [{ capacity: -1 }, /retryBudget.capacity must be a number of tokens of 0 or more, not -1/],
    [{ retryCost: Number.NaN }, /retryBudget.retryCost/],
    [{ timeoutCost: Infinity }, /retryBudget.timeoutCost/],
    [{ successRefill: '1' }, /retryBudget.successRefill/],
    [null, /retryBudget must be an object/],
  ])('refuses %j', (options, message) => {
    expect(() => new RetryBudget(options as never)).toThrow(ConfigurationError);
    expect(() => new RetryBudget(options as never)).toThrow(message);
  });
});

describe('toRetryBudget', () => {
  it('gives each client its own budget by default, none for false, and keeps a shared one', () => {
    const shared = new RetryBudget({ capacity: 7 });
    expect(toRetryBudget(undefined)).toBeInstanceOf(RetryBudget);
    expect(toRetryBudget(undefined)).not.toBe(toRetryBudget(undefined));
    expect(toRetryBudget(true)?.capacity).toBe(500);
    expect(toRetryBudget({ retryCost: 2 })).toMatchObject({ capacity: 500, retryCost: 2 });
    expect(toRetryBudget(false)).toBeUndefined();
    expect(toRetryBudget(shared)).toBe(shared);
  });
});
