import type { Interceptor } from '../interceptors.js';
import { DEFAULTS, MAX_TIMER_MS, type RetryPolicy } from '../options.js';
import { decideRetry, type RetryDecision } from '../retry/decide.js';
import type { RetryTuning } from '../retry/operator.js';

/**
 * How a streaming call differs from a one-value call: the timeout covers the
 * wait for the response only, the connection stays open until the stream
 * ends, and retries follow {@link decideStreamRetry}.
 *
 * @example
 * ```ts
 * const mode: StreamMode = { interceptors: [], resumable: true, serverDelay: () => 1_000 }; // sseMode with a fixed wait
 * streamRetryTuning(policy, mode, () => emitted).resetOnSuccess; // true: failures are counted afresh after each value
 * ```
 */
export interface StreamMode {
  /** The method's own interceptors, run before the client's on every attempt. */
  readonly interceptors: readonly Interceptor[];
  /** Whether a stream that emitted resumes after a failure (an event stream) or ends with it. */
  readonly resumable: boolean;
  /** The wait the stream asked for, used instead of the backoff (a failed response's `Retry-After` wins over it); `undefined` for none. */
  readonly serverDelay: () => number | undefined;
}

/**
 * The mode of `chunks()`, `lines()` and `ndjson()`: retried only until the first value.
 *
 * @example
 * ```ts
 * PLAIN_STREAM.resumable; // false
 * ```
 */
export const PLAIN_STREAM: StreamMode = Object.freeze({ interceptors: [], resumable: false, serverDelay: () => undefined });

/**
 * Decides a stream's retry: a stream that emitted and cannot resume is not
 * retried (its values would repeat); otherwise the policy decides. A wait
 * that a failed response asks for (`Retry-After` and the like) wins; else
 * the wait the stream asked for (`serverDelayMs`, the event stream's
 * `retry:`) replaces the backoff. Either is bounded by `maxRetryAfter`: a
 * server that asks for longer gets no retry.
 *
 * @param state whether the stream emitted and can resume, the wait it asked for, and the time now (the scheduler's `now()`, for `Retry-After` dates)
 * @example
 * ```ts
 * decideStreamRetry(policy, networkError, 1, { emitted: true, resumable: false });                       // { retry: false }
 * decideStreamRetry(policy, networkError, 1, { emitted: true, resumable: true, serverDelayMs: 500 });  // { retry: true, delayMs: 500, fromServer: true }
 * ```
 */
export function decideStreamRetry(
  policy: Partial<RetryPolicy>,
  error: unknown,
  attempt: number,
  state: { readonly emitted: boolean; readonly resumable: boolean; readonly serverDelayMs?: number | undefined; readonly now?: number },
): RetryDecision {
  if (state.emitted && !state.resumable) return { retry: false };
  const decision = decideRetry(policy, error, attempt, state.now);
  // A status's own Retry-After is the server's word on its load now; the stream's retry: is older and more general.
  if (!decision.retry || decision.fromServer || state.serverDelayMs === undefined) return decision;
  const { maxRetryAfter } = { ...DEFAULTS.retry, ...policy };
  if (state.serverDelayMs > maxRetryAfter) return { retry: false };
  return { retry: true, delayMs: Math.min(state.serverDelayMs, MAX_TIMER_MS), fromServer: true };
}

/**
 * The retry tuning of a stream: {@link decideStreamRetry}, and for a stream
 * that resumes, a count of attempts that restarts after each value (the
 * policy bounds consecutive failures, not the life of the stream).
 *
 * @param emitted whether the stream has emitted a value yet
 * @example
 * ```ts
 * attempt$.pipe(retryWithPolicy(policy, scheduler, onRetry, streamRetryTuning(policy, PLAIN_STREAM, () => emitted)));
 * ```
 */
export function streamRetryTuning(policy: RetryPolicy, mode: StreamMode, emitted: () => boolean): RetryTuning {
  return {
    resetOnSuccess: mode.resumable,
    decide: (error, attempt, now) =>
      decideStreamRetry(policy, error, attempt, { emitted: emitted(), resumable: mode.resumable, serverDelayMs: mode.serverDelay(), now }),
  };
}
