import { defer, retry, tap, throwError, timeout, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { BodyNotReplayableError, HttpError, TimeoutError, type RequestTarget } from '../errors.js';
import { DEFAULTS, type RetryPolicy } from '../options.js';
import type { RetryBudget } from './budget.js';
import { decideRetry, type RetryDecision } from './decide.js';

/**
 * What is known when a retry is scheduled.
 *
 * @example
 * ```ts
 * const onRetry = (info: RetryInfo) => console.log(`attempt ${info.attempt} failed, next in ${info.delayMs} ms`, info.error);
 * attempt$.pipe(retryWithPolicy({ maxAttempts: 3 }, asyncScheduler, onRetry));
 * ```
 */
export interface RetryInfo {
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number;
  /** The wait before the next attempt, in milliseconds. */
  readonly delayMs: number;
  /** Whether the wait is the server's (`Retry-After` and the like) rather than the computed backoff. */
  readonly fromServer: boolean;
  /** The error of the failed attempt. */
  readonly error: unknown;
}

/**
 * How a caller tunes {@link retryWithPolicy} (streams do).
 *
 * @example
 * ```ts
 * const tuning: RetryTuning = { resetOnSuccess: true, decide: (error, attempt, now) => decideRetry({ maxAttempts: 5 }, error, attempt, now) };
 * stream$.pipe(retryWithPolicy({ maxAttempts: 5 }, asyncScheduler, undefined, tuning));
 * ```
 */
export interface RetryTuning {
  /**
   * Decides instead of `decideRetry(policy, error, attempt, now)`; `now` is the scheduler's.
   * @default decideRetry with the policy
   */
  readonly decide?: (error: unknown, attempt: number, now: number) => RetryDecision;
  /**
   * Counts attempts afresh after each value, as a stream that reconnects does.
   * With a budget, the first value after each reconnection gives back what
   * that reconnection cost, so a healthy stream does not drain the budget.
   * @default false
   */
  readonly resetOnSuccess?: boolean;
}

/**
 * What limits the retries of one request beyond its policy (with a tuning, as streams need).
 *
 * @example
 * ```ts
 * const guards: RetryGuards = { target: { method: 'PUT', url: 'https://api.example.com/files/1' }, deadline: 10_000, budget: new RetryBudget() };
 * attempt$.pipe(retryWithPolicy({ maxAttempts: 3 }, asyncScheduler, undefined, guards));
 * ```
 */
export interface RetryGuards extends RetryTuning {
  /** The request, for the errors the guards raise. */
  readonly target: RequestTarget;
  /**
   * `false` when the body is a stream that can be sent only once: a retry the
   * policy allows ends the request with `BodyNotReplayableError` instead.
   * @default true
   */
  readonly replayable?: boolean;
  /**
   * The limit of the whole request in ms, from subscription: an attempt in
   * flight when it passes is aborted, a wait that would pass it is not
   * started, and the request ends with a `TimeoutError` of scope `'deadline'`.
   * For a stream, it limits the time to its first value.
   * @default Infinity
   */
  readonly deadline?: number;
  /** The retry budget that every retry must be paid from; none when absent. */
  readonly budget?: RetryBudget;
  /**
   * The attempts made so far, for the `attempts` of the errors the guards
   * raise (`TimeoutError` of the deadline, `BodyNotReplayableError`). The
   * caller's count, when it sees attempts that this operator does not (a
   * replay after a token refresh re-subscribes the source from inside).
   * @default the operator's own count of its subscriptions to the source
   */
  readonly attempts?: () => number;
}

/**
 * Re-subscribes to the source after a failure when {@link decideRetry} says
 * so, after the wait it gives, on `scheduler`, within the `guards`: a body
 * that can be replayed, the deadline, the retry budget. Unsubscribing
 * cancels a pending wait. An error that is not retried passes through
 * unchanged. Fields left out of `policy` come from `DEFAULTS.retry`.
 *
 * @param onRetry called when a retry is scheduled, before the wait
 * @param options another decision or a count that restarts after each value (streams); with a `target`, the request's deadline, budget, body replayability and count of attempts
 * @example
 * ```ts
 * attempt$.pipe(retryWithPolicy({ maxAttempts: 3, baseDelay: 2000 }, asyncScheduler));
 * attempt$.pipe(retryWithPolicy(policy, asyncScheduler, undefined, { target, deadline: 10_000, budget }));
 * ```
 */
export function retryWithPolicy<T>(
  settings: Partial<RetryPolicy>,
  scheduler: SchedulerLike,
  onRetry?: (info: RetryInfo) => void,
  options: RetryTuning | RetryGuards = {},
): MonoTypeOperatorFunction<T> {
  const policy = completePolicy(settings);
  const guards = 'target' in options ? options : undefined;
  const deadline = guards?.deadline ?? Infinity;
  const budget = guards?.budget;
  return (source) =>
    defer(() => {
      const deadlineAt = scheduler.now() + deadline;
      const decide = options.decide ?? ((error: unknown, attempt: number, now: number) => decideRetry(policy, error, attempt, now));
      let subscribed = 0;
      const attempts = guards?.attempts ?? (() => subscribed);
      // What the last retry cost: the first value after it gives it back to the budget.
      let spent = 0;
      let succeeded = false;
      // The caller that counts its attempts needs no count here (one layer less per attempt).
      const counted$ = guards?.attempts
        ? source
        : defer(() => {
            subscribed += 1;
            return source;
          });
      const retried$ = counted$.pipe(
        retry({
          count: policy.maxAttempts - 1,
          resetOnSuccess: options.resetOnSuccess ?? false,
          delay: (error: unknown, attempt: number) => {
            const now = scheduler.now();
            const decision = decide(error, attempt, now);
            // throwError, never EMPTY: EMPTY would complete silently and swallow the error.
            if (!decision.retry) return throwError(() => error);
            if (guards?.replayable === false) {
              // Already said (a 401 that could not be replayed): wrapping it again would bury the cause.
              return throwError(() => (error instanceof BodyNotReplayableError ? error : new BodyNotReplayableError(error, guards.target, attempts())));
            }
            if (guards && now + decision.delayMs >= deadlineAt) {
              return throwError(() => new TimeoutError(deadline, guards.target, attempts(), { scope: 'deadline', cause: error }));
            }
            if (budget) {
              const cost = budget.costOf(error);
              if (!budget.tryAcquire(cost)) return throwError(() => error);
              spent = cost;
            }
            // A stream that reconnects (resetOnSuccess) emits again: its next value pays this retry back,
            // or every healthy reconnection would drain the budget shared by the whole client.
            succeeded = false;
            // The response of a retried attempt is thrown away: free its connection now, not at GC.
            if (error instanceof HttpError) error.response.body?.cancel().catch(() => undefined);
            onRetry?.({ attempt, delayMs: decision.delayMs, fromServer: decision.fromServer, error });
            return timer(decision.delayMs, scheduler);
          },
        }),
        tap(() => {
          if (succeeded) return;
          succeeded = true;
          budget?.recordSuccess(spent);
        }),
      );
      if (!guards || deadline === Infinity) return retried$;
      const { target } = guards;
      return retried$.pipe(
        timeout({
          first: deadline,
          scheduler,
          with: () => throwError(() => new TimeoutError(deadline, target, attempts(), { scope: 'deadline' })),
        }),
      );
    });
}

// A client hands the same resolved (frozen) policy to every request: completed once, not per request.
const COMPLETED = new WeakMap<Partial<RetryPolicy>, RetryPolicy>();

function completePolicy(settings: Partial<RetryPolicy>): RetryPolicy {
  if (!Object.isFrozen(settings)) return { ...DEFAULTS.retry, ...settings };
  let policy = COMPLETED.get(settings);
  if (policy === undefined) COMPLETED.set(settings, (policy = { ...DEFAULTS.retry, ...settings }));
  return policy;
}
