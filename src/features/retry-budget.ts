import { tap } from 'rxjs';
import { ConfigurationError, NetworkError, TimeoutError } from '../core/errors.js';
import type { Feature } from '../core/feature.js';

/**
 * A budget's settings when none are given: 100 retries of an HTTP error
 * status (50 after timeouts) before it is empty.
 *
 * @example
 * ```ts
 * RETRY_BUDGET_DEFAULTS.capacity; // 500
 * ```
 */
export const RETRY_BUDGET_DEFAULTS = Object.freeze({ capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 });

/**
 * Settings of a {@link RetryBudget}; what is left out takes its default (`capacity: 500`, `retryCost: 5`, `timeoutCost: 10`, `successRefill: 1`).
 *
 * @example
 * ```ts
 * const retryBudget: RetryBudgetOptions = { capacity: 100, timeoutCost: 20 };
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withRetryBudget(retryBudget));
 * ```
 */
export interface RetryBudgetOptions {
  /**
   * The tokens the bucket holds, and starts with.
   * @default 500
   */
  capacity?: number;
  /**
   * The tokens a retry spends after an HTTP error status.
   * @default 5
   */
  retryCost?: number;
  /**
   * The tokens a retry spends after a timeout or a network error (they cost
   * the server and the client more than an answered request).
   * @default 10
   */
  timeoutCost?: number;
  /**
   * The tokens a request that succeeds at its first attempt gives back. A
   * request that succeeds after retrying gives back what its last retry spent.
   * @default 1
   */
  successRefill?: number;
}

/**
 * A retry budget: a token bucket shared by the requests of a client, in the
 * manner of the AWS SDK's standard retry strategy. Each retry spends tokens
 * (more after a timeout or network error), each success puts some back, and
 * when the bucket cannot pay for a retry the failure is returned as it is.
 * Under a full outage the bucket drains and the load on the server stays
 * close to one attempt per request; at a low failure rate the refills keep
 * it full and retries happen as usual.
 *
 * Each client gets its own from settings; pass one instance to several
 * clients to share it.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget({ capacity: 100 });
 * const a = new AsyncAPIClient({ baseUrl: 'https://api.example.com/a' }, withRetryBudget(budget));
 * const b = new AsyncAPIClient({ baseUrl: 'https://api.example.com/b' }, withRetryBudget(budget));
 * ```
 */
export class RetryBudget {
  /** The most tokens the bucket holds, and what it starts with (default 500). */
  readonly capacity: number;
  /** The tokens a retry spends after an HTTP error status, or any error but a timeout or a network one (default 5). */
  readonly retryCost: number;
  /** The tokens a retry spends after a timeout or a network error (default 10). */
  readonly timeoutCost: number;
  /** The tokens a request that succeeds at its first attempt gives back (default 1). */
  readonly successRefill: number;
  #available: number;

  constructor(options: RetryBudgetOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigurationError('withRetryBudget takes settings such as { capacity: 500 }, a RetryBudget, or nothing');
    }
    const settings = { ...RETRY_BUDGET_DEFAULTS, ...options };
    for (const [name, value] of Object.entries(settings)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new ConfigurationError(`withRetryBudget: ${name} must be a number of tokens of 0 or more, not ${String(value)}`);
      }
    }
    this.capacity = settings.capacity;
    this.retryCost = settings.retryCost;
    this.timeoutCost = settings.timeoutCost;
    this.successRefill = settings.successRefill;
    this.#available = this.capacity;
  }

  /** The tokens in the bucket now. */
  get available(): number {
    return this.#available;
  }

  /**
   * What a retry after `error` costs: `timeoutCost` after a timeout or
   * network error, `retryCost` otherwise.
   *
   * @example
   * ```ts
   * new RetryBudget().costOf(timeoutError); // 10
   * ```
   */
  costOf(error: unknown): number {
    return error instanceof TimeoutError || error instanceof NetworkError ? this.timeoutCost : this.retryCost;
  }

  /**
   * Takes `cost` tokens for a retry if the bucket holds that many.
   *
   * @returns whether the retry may go ahead
   * @example
   * ```ts
   * if (budget.tryAcquire(budget.costOf(error))) scheduleRetry();
   * ```
   */
  tryAcquire(cost: number): boolean {
    if (cost > this.#available) return false;
    this.#available -= cost;
    return true;
  }

  /**
   * Records a request that succeeded: it gives back `spent` (what its last
   * retry cost) or, when it did not retry, `successRefill`. Never above `capacity`.
   *
   * @example
   * ```ts
   * budget.recordSuccess(0); // a first-attempt success: + successRefill
   * ```
   */
  recordSuccess(spent: number): void {
    this.#available = Math.min(this.capacity, this.#available + (spent > 0 ? spent : this.successRefill));
  }
}

/**
 * A retry budget for the client: every retry must be paid from a token
 * bucket shared by all its requests, and successes refill it, so that under
 * a full outage the load stays close to one attempt per request instead of
 * three. A retry the bucket cannot pay for is not made: the request ends with
 * the failure it had. A stream that reconnects gives back what the
 * reconnection cost with its next value.
 *
 * Off unless named: with the default policy a full outage multiplies the load
 * by at most 3 (`maxAttempts`), which a client that sends a few requests can
 * afford; a client that sends hundreds a second should name it.
 *
 * @param options settings (each client gets its own bucket), or a
 *   `RetryBudget` to share between clients
 * @default { capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 }
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withRetryBudget({ capacity: 100 }));
 * ```
 */
export function withRetryBudget(options: RetryBudgetOptions | RetryBudget = {}): Feature {
  const checked = options instanceof RetryBudget ? options : new RetryBudget(options);
  let given: RetryBudget | undefined = checked;
  return {
    order: 15,
    setup: () => {
      // Settings make one bucket per client; an instance is shared by every client it is given to.
      const budget = options instanceof RetryBudget ? options : (given ?? new RetryBudget(options));
      given = undefined;
      return {
        start: () => {
          // What the last retry cost: the first value after it gives it back.
          let spent = 0;
          let succeeded = false;
          return {
            retry: (error: unknown) => {
              const cost = budget.costOf(error);
              if (!budget.tryAcquire(cost)) return error;
              spent = cost;
              succeeded = false;
              return undefined;
            },
            // The first value after the retries (for a stream, after each reconnection) pays back.
            whole: (request$) =>
              request$.pipe(
                tap(() => {
                  if (succeeded) return;
                  succeeded = true;
                  budget.recordSuccess(spent);
                }),
              ),
          };
        },
      };
    },
  };
}
