import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/retry/backoff.js';

describe('backoffDelay', () => {
  it.each([
    [2000, 1, 2000],
    [2000, 2, 4000],
    [2000, 3, 8000],
    [500, 1, 500],
    [500, 4, 4000],
    [0, 3, 0],
    [2000, 22, 2 ** 31 - 1],
    [2000, 60, 2 ** 31 - 1],
  ])('baseDelay %i, retry %i → %i ms', (baseDelay, retry, expected) => {
    expect(backoffDelay({ maxAttempts: 10, baseDelay }, retry)).toBe(expected);
  });
});

const fixed = (value: number) => () => value;

describe('backoffDelay: factor, maxDelay and jitter', () => {
  it.each([
    ['the defaults: 2 s', {}, 1, 2000],
    ['the defaults: 4 s', {}, 2, 4000],
    ['factor 3', { baseDelay: 100, factor: 3 }, 3, 900],
    ['factor 1: a constant wait', { baseDelay: 250, factor: 1 }, 5, 250],
    ['maxDelay caps the computed wait', { maxDelay: 5000 }, 3, 5000],
    ['maxDelay above the wait changes nothing', { maxDelay: 5000 }, 2, 4000],
    ['maxDelay 0', { maxDelay: 0 }, 2, 0],
    ['jitter none ignores the random source', { jitter: 'none', random: fixed(0) }, 2, 4000],
    ['full jitter at 0', { jitter: 'full', random: fixed(0) }, 2, 0],
    ['full jitter at 0.25', { jitter: 'full', random: fixed(0.25) }, 2, 1000],
    ['full jitter at 0.999', { jitter: 'full', random: fixed(0.999) }, 1, 1998],
    ['equal jitter at 0: half the wait', { jitter: 'equal', random: fixed(0) }, 2, 2000],
    ['equal jitter at 0.5', { jitter: 'equal', random: fixed(0.5) }, 2, 3000],
    ['jitter applies after maxDelay', { jitter: 'full', random: fixed(0.5), maxDelay: 1000 }, 4, 500],
    ['a random source above 1 counts as 1', { jitter: 'full', random: fixed(7) }, 1, 2000],
    ['a negative random source counts as 0', { jitter: 'full', random: fixed(-1) }, 1, 0],
    ['a NaN random source counts as 0', { jitter: 'equal', random: fixed(Number.NaN) }, 1, 1000],
    ['full jitter rounds to whole ms', { jitter: 'full', random: fixed(1 / 3), baseDelay: 1000 }, 1, 333],
  ] as const)('%s', (_name, policy, retry, expected) => {
    expect(backoffDelay(policy, retry)).toBe(expected);
  });

  it('draws a new random number for each wait', () => {
    const draws = [0.1, 0.9];
    const policy = { jitter: 'full', random: () => draws.shift()! } as const;
    expect([backoffDelay(policy, 1), backoffDelay(policy, 1)]).toEqual([200, 1800]);
  });

  it('with Math.random, full jitter stays within 0 and the computed wait', () => {
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay({ jitter: 'full' }, 3);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });
});
