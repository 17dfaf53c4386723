import { DEFAULTS, MAX_TIMER_MS } from '../core/constants.js';
import type { RetryPolicy } from './policy.js';

/**
 * The wait before retry number `retry` (1 for the first retry), computed by
 * the policy: exponential, `baseDelay * factor ** (retry - 1)` (2 s then 4 s
 * with the defaults), capped at `maxDelay` and at the longest timer a runtime
 * keeps (about 24.8 days, beyond which a timer overflows and fires at once),
 * then randomised by `jitter` with the policy's `random` source: `'full'`
 * anywhere from 0 to that wait, `'equal'` from half of it to all of it.
 * Fields left out of `policy` come from `DEFAULTS.retry`.
 *
 * @example
 * ```ts
 * backoffDelay({}, 2); // 4000: the defaults
 * backoffDelay({ baseDelay: 500, factor: 3 }, 3); // 4500
 * backoffDelay({ jitter: 'full', random: () => 0.25 }, 2); // 1000
 * ```
 */
export function backoffDelay(settings: Partial<RetryPolicy>, retry: number): number {
  const policy: RetryPolicy = { ...DEFAULTS.retry, ...settings };
  const delay = Math.min(policy.baseDelay * policy.factor ** (retry - 1), policy.maxDelay, MAX_TIMER_MS);
  if (policy.jitter === 'none') return delay;
  const share = unit(policy.random());
  return Math.round(policy.jitter === 'full' ? delay * share : delay / 2 + (delay / 2) * share);
}

/** A random source that strays outside [0, 1] (or returns NaN) must not make a negative or endless wait. */
function unit(value: number): number {
  return value > 1 ? 1 : value >= 0 ? value : 0;
}
