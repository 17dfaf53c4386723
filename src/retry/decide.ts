import { HttpError, NetworkError, TimeoutError } from '../errors.js';
import type { RetryPolicy } from '../options.js';
import { backoffDelay } from './backoff.js';

/** What to do after a failed attempt. */
export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/**
 * Whether an HTTP status is worth another attempt: 429 (too many requests)
 * and every 5xx. Other statuses of 400 or more fail at once.
 *
 * @example
 * ```ts
 * isRetryableStatus(503); // true
 * isRetryableStatus(404); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Whether an error is worth another attempt: a retryable status, a network
 * failure or a timeout. Anything else (bad JSON, bad configuration, an error
 * of the caller's) is final.
 *
 * @example
 * ```ts
 * isRetryableError(new TypeError('x')); // false: only the client's own error types are classified
 * ```
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof HttpError) return isRetryableStatus(error.status);
  return error instanceof NetworkError || error instanceof TimeoutError;
}

/**
 * Decides, after attempt number `attempt` (1 for the first) failed with
 * `error`, whether to try again and after how long.
 *
 * @example
 * ```ts
 * decideRetry({ maxAttempts: 3, baseDelay: 2000 }, networkError, 1); // { retry: true, delayMs: 2000 }
 * decideRetry({ maxAttempts: 3, baseDelay: 2000 }, networkError, 3); // { retry: false }
 * ```
 */
export function decideRetry(policy: RetryPolicy, error: unknown, attempt: number): RetryDecision {
  if (attempt >= policy.maxAttempts || !isRetryableError(error)) return { retry: false };
  return { retry: true, delayMs: backoffDelay(policy, attempt) };
}
