import { MAX_TIMER_MS, type RetryPolicy } from '../options.js';

/**
 * The wait before retry number `retry` (1 for the first retry): exponential,
 * `baseDelay * 2 ** (retry - 1)`, so 2 s then 4 s with the defaults. Capped at
 * the longest timer a runtime keeps (about 24.8 days), which would otherwise
 * overflow and fire at once.
 *
 * @example
 * ```ts
 * backoffDelay({ maxAttempts: 3, baseDelay: 2000 }, 2); // 4000
 * ```
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.baseDelay * 2 ** (retry - 1), MAX_TIMER_MS);
}
