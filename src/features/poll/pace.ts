import { MAX_TIMER_MS } from '../../core/constants.js';
import { ConfigurationError, HttpError } from '../../core/errors.js';
import { serverRetryDelay } from '../../retry/retry-after.js';

/**
 * Which of the server's hints set a poll's pace; each is on unless set to `false`.
 *
 * @example
 * ```ts
 * const pace: PollPace = { maxAge: false }; // a CDN's max-age does not slow this poll
 * ```
 */
export interface PollPace {
  /**
   * After a failed poll of 429 or 503, wait what `Retry-After` (or `retry-after-ms`, `RateLimit-Reset`) says when it is longer than the backoff.
   * @default true
   */
  readonly retryAfter?: boolean;
  /**
   * Wait at least `X-Poll-Interval` seconds (GitHub's hint) before the next poll.
   * @default true
   */
  readonly pollInterval?: boolean;
  /**
   * Wait at least the response's `Cache-Control: max-age` when it is longer than `interval`.
   * @default true
   */
  readonly maxAge?: boolean;
}

/**
 * The growing wait after failed polls: `baseDelay * factor ** (failures - 1)`, at most `maxDelay`.
 *
 * @example
 * ```ts
 * const backoff: PollBackoff = { baseDelay: 5_000, factor: 2, maxDelay: 60_000 }; // 5 s, 10 s, 20 s, 40 s, 60 s...
 * ```
 */
export interface PollBackoff {
  /**
   * The wait after the first failed poll, in ms.
   * @default the poll's `interval`
   */
  readonly baseDelay?: number;
  /**
   * The growth from one failed poll to the next (1 or more).
   * @default 2
   */
  readonly factor?: number;
  /**
   * The longest wait, in ms.
   * @default 300000 (5 minutes), or `baseDelay` when that is longer
   */
  readonly maxDelay?: number;
}

/**
 * The pace of one poller, resolved once: what {@link nextDelay} and {@link failureDelay} read.
 *
 * @example
 * ```ts
 * const pace: ResolvedPace = resolvePace({ interval: 5_000, backoff: { maxDelay: 60_000 } });
 * ```
 */
export interface ResolvedPace {
  readonly interval: number;
  readonly jitter: number;
  readonly random: () => number;
  readonly retryAfter: boolean;
  readonly pollInterval: boolean;
  readonly maxAge: boolean;
  readonly baseDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
}

/**
 * Checks and resolves the timing options of a poll: a bad value is a `ConfigurationError` before anything is sent.
 *
 * @param options the poll's `interval`, `jitter`, `random`, `pace` and `backoff`
 * @returns the pace with every default filled in
 * @example
 * ```ts
 * resolvePace({ interval: 5_000 }); // { interval: 5000, jitter: 0, baseDelay: 5000, factor: 2, maxDelay: 300000, ... }
 * ```
 */
export function resolvePace(options: { interval?: number; jitter?: number; random?: () => number; pace?: PollPace | false; backoff?: PollBackoff }): ResolvedPace {
  const interval = positive('interval', options.interval ?? 30_000);
  const pace = options.pace === false ? { retryAfter: false, pollInterval: false, maxAge: false } : (options.pace ?? {});
  const backoff = options.backoff ?? {};
  const baseDelay = positive('backoff.baseDelay', backoff.baseDelay ?? interval);
  const factor = backoff.factor ?? 2;
  if (!(factor >= 1)) throw new ConfigurationError(`poll option backoff.factor must be 1 or more, not ${factor}`);
  return {
    interval,
    jitter: options.jitter === undefined ? 0 : positive('jitter', options.jitter, true),
    random: options.random ?? Math.random,
    retryAfter: pace.retryAfter !== false,
    pollInterval: pace.pollInterval !== false,
    maxAge: pace.maxAge !== false,
    baseDelay,
    factor,
    maxDelay: Math.max(baseDelay, positive('backoff.maxDelay', backoff.maxDelay ?? 300_000)),
  };
}

function positive(name: string, value: number, zero = false): number {
  if (typeof value !== 'number' || !(zero ? value >= 0 : value > 0) || value > MAX_TIMER_MS) {
    // As the features' checks do, in every build: the message is what says what to fix.
    throw new ConfigurationError(`poll option ${name} must be a number of milliseconds ${zero ? 'from 0' : 'above 0'} to ${MAX_TIMER_MS}, not ${String(value)}`);
  }
  return value;
}

/**
 * The wait after a successful poll (200 or 304): `interval` plus up to `jitter`,
 * or longer when the server says so (`X-Poll-Interval` seconds, `Cache-Control: max-age`).
 *
 * @param headers the response's headers
 * @returns the wait in ms
 * @example
 * ```ts
 * nextDelay(resolvePace({ interval: 5_000 }), new Headers({ 'x-poll-interval': '60' })); // 60000
 * ```
 */
export function nextDelay(pace: ResolvedPace, headers: Headers): number {
  let delay = pace.interval + Math.round(pace.jitter * pace.random());
  if (pace.pollInterval) delay = Math.max(delay, seconds(headers.get('x-poll-interval')));
  if (pace.maxAge) delay = Math.max(delay, seconds(/(?:^|,)\s*max-age\s*=\s*"?(\d+)/i.exec(headers.get('cache-control') ?? '')?.[1] ?? null));
  return Math.min(delay, MAX_TIMER_MS);
}

function seconds(value: string | null): number {
  const parsed = value === null ? NaN : Number(value);
  return parsed > 0 ? parsed * 1000 : 0;
}

/**
 * The wait after the `failures`th failed poll in a row (the retry policy has given up on it):
 * the poll's own backoff, or a 429's or 503's `Retry-After` when that is longer.
 *
 * @param failures failed polls in a row, from 1
 * @param now the scheduler's time, to read an HTTP-date `Retry-After`
 * @returns the wait in ms
 * @example
 * ```ts
 * failureDelay(resolvePace({ interval: 1_000 }), 3, networkError, 0); // 4000
 * ```
 */
export function failureDelay(pace: ResolvedPace, failures: number, error: unknown, now: number): number {
  let delay = Math.min(pace.baseDelay * pace.factor ** (failures - 1), pace.maxDelay);
  if (pace.retryAfter && error instanceof HttpError && (error.status === 429 || error.status === 503)) {
    delay = Math.max(delay, serverRetryDelay(error.response.headers, error.status, now) ?? 0);
  }
  return Math.min(delay, MAX_TIMER_MS);
}

/**
 * Whether an error ends a poll: a final 401, 403 or 404 (the resource is not
 * there for this client, and polling again will not change that), or a
 * misconfiguration. Everything else is waited out.
 *
 * @returns `true` when the poll errors with it
 * @example
 * ```ts
 * endsPoll(new ConfigurationError('x')); // true
 * ```
 */
export function endsPoll(error: unknown): boolean {
  return error instanceof ConfigurationError || (error instanceof HttpError && (error.status === 401 || error.status === 403 || error.status === 404));
}
