import { ConfigurationError, NetworkError, TimeoutError } from '../errors.js';
import { DEFAULTS } from '../options.js';

/**
 * Settings of a {@link RetryBudget}; what is left out comes from `DEFAULTS.retryBudget`.
 *
 * @example
 * ```ts
 * const retryBudget: RetryBudgetOptions = { capacity: 100, timeoutCost: 20 };
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com', retryBudget });
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
 * Every client has its own by default; pass one instance to several clients
 * to share it.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget({ capacity: 100 });
 * const a = new AsyncAPIClient({ baseUrl: 'https://api.example.com/a', retryBudget: budget });
 * const b = new AsyncAPIClient({ baseUrl: 'https://api.example.com/b', retryBudget: budget });
 * ```
 */
export class RetryBudget {
  readonly capacity: number;
  readonly retryCost: number;
  readonly timeoutCost: number;
  readonly successRefill: number;
  #available: number;

  constructor(options: RetryBudgetOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigurationError('retryBudget must be an object such as { capacity: 500 }, a RetryBudget, or false');
    }
    const settings = { ...DEFAULTS.retryBudget, ...options };
    for (const [name, value] of Object.entries(settings)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new ConfigurationError(`retryBudget.${name} must be a number of tokens of 0 or more, not ${String(value)}`);
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
 * The budget a client uses: its own with the defaults (for `undefined` or
 * `true`), one built from settings, the instance it was given, or none for `false`.
 *
 * @example
 * ```ts
 * toRetryBudget(undefined)?.capacity; // 500
 * toRetryBudget(false); // undefined
 * ```
 */
export function toRetryBudget(option: RetryBudgetOptions | RetryBudget | boolean | undefined): RetryBudget | undefined {
  if (option === false) return undefined;
  if (option instanceof RetryBudget) return option;
  return new RetryBudget(option === true ? {} : option);
}
