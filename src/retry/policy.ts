import { DEFAULTS, MAX_TIMER_MS } from '../core/constants.js';
import { ConfigurationError } from '../core/errors.js';
import { checkHeader } from '../core/headers.js';
import { didYouMean, RETRY_ALIASES } from '../core/suggest.js';

/**
 * How failed attempts are retried. Every field is optional; what is left out
 * comes from the client's policy, and from {@link DEFAULTS} below that.
 *
 * @example
 * ```ts
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', retry: { maxAttempts: 5, baseDelay: 500 } });
 * ```
 */
export interface RetryOptions {
  /**
   * How many attempts in all, the first one included.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * The wait before the first retry, in milliseconds; the nth retry waits
   * `baseDelay * factor ** (n - 1)` (2 s, then 4 s).
   * @default 2000
   */
  baseDelay?: number;
  /**
   * The growth of the computed wait from one retry to the next (1 or more).
   * @default 2
   */
  factor?: number;
  /**
   * The longest computed wait, in milliseconds (a server's `Retry-After` is
   * capped by `maxRetryAfter` instead).
   * @default Infinity (no cap)
   */
  maxDelay?: number;
  /**
   * Randomises the computed wait `d` so that clients do not retry in step:
   * `'full'` waits between 0 and `d`, `'equal'` between `d / 2` and `d`,
   * `'none'` exactly `d`.
   * @default 'none'
   */
  jitter?: RetryJitter;
  /**
   * The random source of `jitter`: a number from 0 to 1, for tests to inject.
   * @default Math.random
   */
  random?: () => number;
  /**
   * The statuses that are retried: a list (`[429, 503]`) or a predicate.
   * @default 429 and every status of 500 or more
   */
  statuses?: readonly number[] | ((status: number) => boolean);
  /**
   * The methods that are retried (`IDEMPOTENT_METHODS` for the safe ones), or `'all'`.
   * @default 'all'
   */
  methods?: readonly string[] | 'all';
  /**
   * A custom rule, asked first after each failure: `true` retries (even an
   * error the rules above would not), `false` does not, `undefined` leaves the
   * decision to `statuses`, `methods` and the error type. `maxAttempts`,
   * `maxRetryAfter`, the deadline and the retry budget still apply.
   * @default none
   */
  retryOn?: RetryPredicate;
  /**
   * The longest server-requested wait (`Retry-After`, `retry-after-ms`,
   * `RateLimit-Reset`) that is honoured, in milliseconds. When the server
   * asks for longer, the request is not retried: it errors at once with the
   * `HttpError`, whose response holds the header.
   * @default 60000
   */
  maxRetryAfter?: number;
}

/** How the computed wait is randomised: see {@link RetryOptions.jitter}. */
export type RetryJitter = 'none' | 'full' | 'equal';

/** A custom retry rule: see {@link RetryOptions.retryOn}. */
export type RetryPredicate = (error: unknown, attempt: number) => boolean | undefined;

/** A retry policy with every field decided. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
  readonly jitter: RetryJitter;
  readonly random: () => number;
  readonly statuses: (status: number) => boolean;
  /** Upper-case method names, or `'all'`. */
  readonly methods: readonly string[] | 'all';
  readonly retryOn: RetryPredicate | undefined;
  readonly maxRetryAfter: number;
}

/**
 * Applies a retry override to a policy. `false` means one attempt; `undefined`
 * keeps `base`.
 *
 * @example
 * ```ts
 * resolveRetry({ maxAttempts: 5 }, DEFAULTS.retry).maxAttempts; // 5
 * ```
 */
export function resolveRetry(override: RetryOptions | false | undefined, base: RetryPolicy): RetryPolicy {
  if (override === undefined) return base;
  if (override === false) return Object.freeze({ ...base, maxAttempts: 1 });
  if (override === null || typeof override !== 'object') {
    throw new ConfigurationError(
      process.env.NODE_ENV !== 'production'
        ? `retry must be an object such as { maxAttempts: 3 } or false${typeof override === 'number' ? `: did you mean retry: { maxAttempts: ${override + 1} }? (ky's retry: ${override} counts retries; maxAttempts counts the first attempt too)` : ''}`
        : 'retry',
    );
  }
  const maxAttempts = override.maxAttempts ?? base.maxAttempts;
  const baseDelay = override.baseDelay ?? base.baseDelay;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `retry.maxAttempts must be a whole number of 1 or more (it counts the first attempt), not ${String(maxAttempts)}` : 'retry.maxAttempts');
  }
  if (!Number.isFinite(baseDelay) || baseDelay < 0 || baseDelay > MAX_TIMER_MS) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `retry.baseDelay must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, not ${String(baseDelay)}` : 'retry.baseDelay');
  }
  if (process.env.NODE_ENV !== 'production') checkFields(override, base);
  const factor = override.factor ?? base.factor;
  const maxDelay = override.maxDelay ?? base.maxDelay;
  const maxRetryAfter = override.maxRetryAfter ?? base.maxRetryAfter;
  // In every build: out of these ranges the waits are 0 or overflow a timer, and the retries come at once.
  if (!(factor >= 1 && factor < Infinity && maxDelay >= 0 && maxRetryAfter >= 0 && maxRetryAfter <= MAX_TIMER_MS)) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'retry: factor, maxDelay or maxRetryAfter is out of range' : 'retry');
  }
  const { statuses, methods } = override;
  // Frozen: shared by every request of a client.
  return Object.freeze({
    maxAttempts,
    baseDelay,
    factor,
    maxDelay,
    jitter: override.jitter ?? base.jitter,
    random: override.random ?? base.random,
    statuses: statuses === undefined ? base.statuses : typeof statuses === 'function' ? statuses : (status: number) => statuses.includes(status),
    methods: methods === undefined || methods === 'all' ? (methods ?? base.methods) : methods.map((method) => method.toUpperCase()),
    retryOn: override.retryOn ?? base.retryOn,
    maxRetryAfter,
  });
}

/**
 * The checks of every field, with a message that says what to write: development builds only.
 * Production builds check in one line, above, the fields whose bad values would make retries storm.
 */
function checkFields(override: RetryOptions, base: RetryPolicy): void {
  for (const name of Object.keys(override)) {
    if (name === 'idempotencyKey') throw new ConfigurationError('retry.idempotencyKey is a feature now: pass withIdempotencyKey() after the client options');
    if (!RETRY_FIELDS.includes(name)) {
      throw new ConfigurationError(`retry has no option ${JSON.stringify(name)}${didYouMean(name, (override as Record<string, unknown>)[name], RETRY_FIELDS, RETRY_ALIASES)}`);
    }
  }
  check(override.factor ?? base.factor, 'factor', (v) => typeof v === 'number' && v >= 1 && Number.isFinite(v), 'a number of 1 or more');
  check(override.maxDelay ?? base.maxDelay, 'maxDelay', (v) => typeof v === 'number' && v >= 0, 'a number of milliseconds from 0 (Infinity for no cap)');
  check(override.jitter ?? base.jitter, 'jitter', (v) => v === 'none' || v === 'full' || v === 'equal', "'none', 'full' or 'equal'");
  check(override.random ?? base.random, 'random', isFunction, 'a function that returns a number from 0 to 1');
  if (override.statuses !== undefined) checkStatuses(override.statuses);
  if (override.methods !== undefined) checkMethods(override.methods);
  if (override.retryOn !== undefined) check(override.retryOn, 'retryOn', isFunction, 'a function (error, attempt) => boolean | undefined');
  check(override.maxRetryAfter ?? base.maxRetryAfter, 'maxRetryAfter', (v) => typeof v === 'number' && v >= 0 && v <= MAX_TIMER_MS, `a number of milliseconds from 0 to ${MAX_TIMER_MS}`);
}

const RETRY_FIELDS = ['maxAttempts', 'baseDelay', 'factor', 'maxDelay', 'jitter', 'random', 'statuses', 'methods', 'retryOn', 'maxRetryAfter'];

const isFunction = (value: unknown): boolean => typeof value === 'function';

function check<T>(value: T, name: string, valid: (value: T) => boolean, expected: string): void {
  if (!valid(value)) throw new ConfigurationError(`retry.${name} must be ${expected}, not ${describe(value)}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
}

function checkStatuses(statuses: NonNullable<RetryOptions['statuses']>): void {
  if (typeof statuses === 'function') return;
  const valid = Array.isArray(statuses) && statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599);
  if (!valid) throw new ConfigurationError(`retry.statuses must be a list of statuses from 400 to 599 or a function, not ${describe(statuses)}`);
}

function checkMethods(methods: NonNullable<RetryOptions['methods']>): void {
  if (methods === 'all') return;
  if (!Array.isArray(methods)) throw new ConfigurationError(`retry.methods must be a list of methods or 'all', not ${describe(methods)}`);
  for (const method of methods as unknown[]) {
    if (typeof method !== 'string' || method === '') throw new ConfigurationError(`retry.methods must hold method names, not ${describe(method)}`);
    checkHeader(method, '', 'retry.methods');
  }
}
