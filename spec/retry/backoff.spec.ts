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
