import { retry, throwError, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { HttpError } from '../errors.js';
import type { RetryPolicy } from '../options.js';
import { decideRetry, type RetryDecision } from './decide.js';

/** What is known when a retry is scheduled. */
export interface RetryInfo {
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number;
  /** The wait before the next attempt, in milliseconds. */
  readonly delayMs: number;
  /** The error of the failed attempt. */
  readonly error: unknown;
}

/** How a caller tunes {@link retryWithPolicy} (streams do). */
export interface RetryTuning {
  /**
   * Decides instead of `decideRetry(policy, error, attempt)`.
   * @default decideRetry with the policy
   */
  readonly decide?: (error: unknown, attempt: number) => RetryDecision;
  /**
   * Counts attempts afresh after each value, as a stream that reconnects does.
   * @default false
   */
  readonly resetOnSuccess?: boolean;
}

/**
 * Re-subscribes to the source after a failure when {@link decideRetry} says
 * so, after the wait it gives, on `scheduler`. Unsubscribing cancels a pending
 * wait. An error that is not retried passes through unchanged.
 *
 * @param onRetry called when a retry is scheduled, before the wait
 * @param tuning another decision, or a count that restarts after each value
 * @example
 * ```ts
 * attempt$.pipe(retryWithPolicy({ maxAttempts: 3, baseDelay: 2000 }, asyncScheduler));
 * ```
 */
export function retryWithPolicy<T>(
  policy: RetryPolicy,
  scheduler: SchedulerLike,
  onRetry?: (info: RetryInfo) => void,
  tuning: RetryTuning = {},
): MonoTypeOperatorFunction<T> {
  const decide = tuning.decide ?? ((error: unknown, attempt: number) => decideRetry(policy, error, attempt));
  return retry({
    count: policy.maxAttempts - 1,
    resetOnSuccess: tuning.resetOnSuccess ?? false,
    delay: (error: unknown, attempt: number) => {
      const decision = decide(error, attempt);
      // throwError, never EMPTY: EMPTY would complete silently and swallow the error.
      if (!decision.retry) return throwError(() => error);
      // The response of a retried attempt is thrown away: free its connection now, not at GC.
      if (error instanceof HttpError) error.response.body?.cancel().catch(() => undefined);
      onRetry?.({ attempt, delayMs: decision.delayMs, error });
      return timer(decision.delayMs, scheduler);
    },
  });
}
