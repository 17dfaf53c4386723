import { HttpError, NetworkError, TimeoutError } from '../core/errors.js';
import { DEFAULTS, NEVER_RETRIED } from '../core/constants.js';
import type { RetryPolicy } from './policy.js';
import { backoffDelay } from './backoff.js';
import { serverRetryDelay } from './retry-after.js';

/**
 * What to do after a failed attempt: retry after `delayMs`, which came from
 * the server's `Retry-After` (or a related header) when `fromServer` is true
 * and from the policy's backoff otherwise; or do not retry.
 *
 * @example
 * ```ts
 * const decision: RetryDecision = decideRetry({ maxAttempts: 3 }, error, 1);
 * if (decision.retry) console.log(`retry in ${decision.delayMs} ms${decision.fromServer ? ' (the server asked)' : ''}`);
 * ```
 */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly fromServer: boolean }
  | { readonly retry: false };

/** The decision not to retry, one object for every such answer. */
export const NO_RETRY: RetryDecision = { retry: false };

/**
 * Whether an HTTP status is worth another attempt by default: 429 (too many
 * requests) and every 5xx. Other statuses of 400 or more fail at once.
 *
 * @example
 * ```ts
 * isRetryableStatus(503); // true
 * isRetryableStatus(404); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return DEFAULTS.retry.statuses(status);
}

/**
 * Whether an error is worth another attempt under `policy`'s `statuses` and
 * `methods`: a retried status, a network failure or a per-attempt timeout,
 * of a retried method. Anything else (bad JSON, bad configuration, an open
 * circuit, an error of the caller's) is final.
 *
 * @param policy the statuses and methods to retry; those left out come from `DEFAULTS.retry` (429 and 5xx, all methods)
 * @example
 * ```ts
 * isRetryableError(new TypeError('x')); // false: only the client's own error types are classified
 * ```
 */
export function isRetryableError(error: unknown, policy: Partial<RetryPolicy> = DEFAULTS.retry): boolean {
  if (!(error instanceof HttpError || error instanceof NetworkError || error instanceof TimeoutError)) return false;
  const { methods, statuses } = { ...DEFAULTS.retry, ...policy };
  if (methods !== 'all' && !methods.includes(error.method)) return false;
  return error instanceof HttpError ? statuses(error.status) : true;
}

/**
 * Decides, after attempt number `attempt` (1 for the first) failed with
 * `error`, whether to try again and after how long. `retryOn` is asked
 * first; then the error must be retryable under `statuses` and `methods`.
 * The wait is the server's when the response asks for one (see
 * {@link serverRetryDelay}), unless it asks for more than `maxRetryAfter`,
 * in which case there is no retry; otherwise it is the policy's backoff.
 * Pure: the same arguments give the same decision. Fields left out of
 * `policy` come from `DEFAULTS.retry`.
 *
 * @param now the current time in ms (the scheduler's `now()`), for `Retry-After` dates
 * @example
 * ```ts
 * decideRetry({ maxAttempts: 3, baseDelay: 2000 }, networkError, 1, Date.now()); // { retry: true, delayMs: 2000, fromServer: false }
 * decideRetry({ maxAttempts: 3, baseDelay: 2000 }, networkError, 3, Date.now()); // { retry: false }
 * ```
 */
export function decideRetry(settings: Partial<RetryPolicy>, error: unknown, attempt: number, now: number = Date.now()): RetryDecision {
  const policy: RetryPolicy = { ...DEFAULTS.retry, ...settings };
  // An error marked final (a misconfiguration, an open circuit) is not retried, whatever retryOn says.
  if (attempt >= policy.maxAttempts || (error as { [NEVER_RETRIED]?: true } | null | undefined)?.[NEVER_RETRIED]) return NO_RETRY;
  const verdict = policy.retryOn?.(error, attempt);
  if (verdict === false || (verdict !== true && !isRetryableError(error, policy))) return NO_RETRY;
  const asked = error instanceof HttpError ? serverRetryDelay(error.response.headers, error.status, now) : undefined;
  if (asked === undefined) return { retry: true, delayMs: backoffDelay(policy, attempt), fromServer: false };
  return asked > policy.maxRetryAfter ? NO_RETRY : { retry: true, delayMs: asked, fromServer: true };
}
