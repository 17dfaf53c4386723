import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { resolveAuthSource, type AuthHeaders, type AuthSource } from './auth-provider.js';
import type { CircuitBreaker, CircuitBreakerOptions } from './circuit-breaker.js';
import { ConfigurationError } from './errors.js';
import { resolveTransport, type Transport } from './fetch-transport.js';
import { checkHeader, toHeaderRecord, type HeadersLike } from './headers.js';
import { resolveInterceptors, type Interceptor } from './interceptors.js';
import type { RetryBudget, RetryBudgetOptions } from './retry/budget.js';
import type { TokenRefresh } from './token-refresh.js';
import { parseAllowedOrigins, parseBaseUrl } from './url.js';

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
  /**
   * Sends an `Idempotency-Key` header with every request whose method is not
   * idempotent (POST, PATCH...), the same value for all the attempts of one
   * logical request: `true` for a `crypto.randomUUID()`, or a function that
   * makes the key. A key set in the request's headers is kept.
   * @default false
   */
  idempotencyKey?: boolean | (() => string);
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
  readonly idempotencyKey: boolean | (() => string);
}

/** Query parameter values: `undefined` and `null` are left out, arrays repeat the key. */
export type QueryValue = string | number | boolean | bigint | null | undefined;

/** Query parameters: a record (arrays repeat the key: `a=1&a=2`) or a `URLSearchParams`. */
export type QueryParams = Readonly<Record<string, QueryValue | readonly QueryValue[]>> | URLSearchParams;

/**
 * Options of an {@link AsyncAPIClient}.
 *
 * @example
 * ```ts
 * const client = new AsyncAPIClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   authHeaders: bearerTokenAuth(token),
 *   timeout: 10_000,
 *   retry: { maxAttempts: 4 },
 * });
 * ```
 */
export interface ClientOptions {
  /** An absolute http(s) URL; its path is kept (`/v1` + `items` → `/v1/items`). */
  baseUrl: string;
  /**
   * Credentials for every request: headers from `bearerTokenAuth` and friends,
   * or a function returning them (or a Promise or an Observable of them),
   * called for every attempt so that a retry or a replay sends the current token.
   * They are only sent to the base URL's origin (and `allowedOrigins`), and
   * dropped when a redirect leaves the origin.
   */
  authHeaders?: AuthHeaders;
  /**
   * Renews the token after a 401: one refresh at a time for the whole client,
   * then each waiting request is replayed once (a 401 after the replay is
   * final). Needs `authHeaders` to be a function that reads the new token.
   */
  tokenRefresh?: TokenRefresh;
  /**
   * Origins other than the base URL's that absolute endpoints may point to,
   * such as `['https://uploads.example.com']`; requests there carry the auth
   * headers. Any other absolute endpoint is refused before anything is sent.
   * @default []
   */
  allowedOrigins?: readonly string[];
  /**
   * How many redirects one attempt follows (in Node, where the client follows
   * them itself); 0 emits the 3xx response as it is. Browsers follow up to 20
   * whatever this says.
   * @default 20
   */
  maxRedirects?: number;
  /** Other headers sent with every request; auth headers and per-request headers win over them. */
  headers?: HeadersLike;
  /**
   * The limit of one attempt in milliseconds (until the response headers for
   * `request()` and the stream methods, until the body is parsed for `getJson()`
   * and each page of `paginate()`); `false` for none.
   * @default 30000
   */
  timeout?: number | false;
  /**
   * The retry policy; `false` makes one attempt only.
   * @default { maxAttempts: 3, baseDelay: 2000 }
   */
  retry?: RetryOptions | false;
  /**
   * The limit of a whole request, in milliseconds: all its attempts and the
   * waits between them. A wait that would pass it is not started; the request
   * ends with a `TimeoutError` whose `scope` is `'deadline'`. `false` for none.
   * @default false
   */
  deadline?: number | false;
  /**
   * The retry budget shared by all requests of this client (a token bucket,
   * as in the AWS SDK's standard retry strategy): each retry spends tokens,
   * successes refill them; when it is empty, failures are returned without
   * retrying, so an outage does not triple the load. Settings, a
   * `RetryBudget` to share between clients, or `false` for none.
   * @default { capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 }
   */
  retryBudget?: RetryBudgetOptions | RetryBudget | boolean;
  /**
   * A circuit breaker shared by all requests of this client: after
   * `failureThreshold` failures in a row it fails fast with
   * `CircuitOpenError`, lets one probe through after `resetTimeout`, and
   * closes when the probe succeeds. `true` for the default settings, or a
   * `CircuitBreaker` to share between clients.
   * @default false (off); when on, { failureThreshold: 5, resetTimeout: 30000 }
   */
  circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | boolean;
  /**
   * The largest body `getJson` reads, in bytes after decompression; `false`
   * for no limit. See {@link BodyReadOptions}.
   * @default 52428800 (50 MiB)
   */
  maxBodySize?: number | false;
  /**
   * The scheduler of every timer (backoff, timeout): pass a `TestScheduler` or
   * use fake timers to test in virtual time.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /**
   * Functions run in order on every attempt, around the transport (see {@link Interceptor}).
   * @default []
   */
  interceptors?: readonly Interceptor[];
  /**
   * What requests are sent through: `fetch` (through rxjs `fromFetch`), or
   * in Node `undiciTransport()` from `rx-api-client/undici` (see {@link Transport}).
   * @default fetchTransport
   */
  transport?: Transport;
}

/**
 * Options of one request; `retry`, `timeout` and `headers` override the client's.
 *
 * @example
 * ```ts
 * client.request('POST', '/items', { json: { name: 'a' }, retry: false, timeout: 5_000 });
 * ```
 */
export interface RequestOptions {
  /** Query parameters, appended to any query the endpoint has. */
  params?: QueryParams;
  /** A value sent as JSON, with `content-type: application/json`. */
  json?: unknown;
  /**
   * A raw body (string, `Blob`, `FormData`, `URLSearchParams`, `ArrayBuffer`...). Not with `json`.
   * A stream can be sent once: pass a function that returns a new one for each attempt, or a
   * failure ends the request with `BodyNotReplayableError` instead of a retry.
   */
  body?: BodyInit | null | (() => BodyInit);
  /** Headers of this request; they win over auth headers and defaults. */
  headers?: HeadersLike;
  /** Overrides the client's retry policy field by field; `false` for one attempt. */
  retry?: RetryOptions | false;
  /** Overrides the client's per-attempt timeout (ms); `false` for none. */
  timeout?: number | false;
  /** Overrides the client's deadline for the whole request (ms); `false` for none. */
  deadline?: number | false;
}

/**
 * Options of the methods that read the body for you (`getJson`); `request()`
 * hands the body over unread, so they do not apply to it.
 *
 * @example
 * ```ts
 * client.getJson('/export', undefined, { maxBodySize: 200 * 1024 ** 2 });
 * ```
 */
export interface BodyReadOptions {
  /**
   * The largest body to read, in bytes after decompression; `false` for no
   * limit. A larger body errors with `BodyTooLargeError` (not retried) as soon
   * as the limit is passed, or before reading when `content-length` says so.
   * Overrides the client's.
   * @default 52428800 (50 MiB)
   */
  maxBodySize?: number | false;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * DEFAULTS.retry.baseDelay; // 2000
 * ```
 */
export const DEFAULTS = Object.freeze({
  maxBodySize: 50 * 1024 * 1024,
  timeout: 30_000,
  // Frozen: every client shares these objects, and a change to one would change their policy.
  retry: Object.freeze<RetryPolicy>({
    maxAttempts: 3,
    baseDelay: 2_000,
    factor: 2,
    maxDelay: Infinity,
    jitter: 'none',
    random: Math.random,
    statuses: (status: number): boolean => status === 429 || status >= 500,
    methods: 'all',
    retryOn: undefined,
    maxRetryAfter: 60_000,
    idempotencyKey: false,
  }),
  maxRedirects: 20,
  /** No deadline: only the per-attempt timeout. */
  deadline: Infinity,
  /** On unless `retryBudget: false`. */
  retryBudget: Object.freeze({ capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 }),
  /** The settings of the circuit breaker once it is turned on; it is off unless `circuitBreaker` is given. */
  circuitBreaker: Object.freeze({ failureThreshold: 5, resetTimeout: 30_000 }),
} as const);

/** The client's options with every field decided and checked. */
export interface ResolvedClientOptions {
  readonly baseUrl: URL;
  /** The client's headers (not auth), validated, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: AuthSource;
  readonly tokenRefresh?: TokenRefresh;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly maxRedirects: number;
  readonly timeout: number;
  readonly retry: RetryPolicy;
  /** The whole-request limit in ms, `Infinity` for none. */
  readonly deadline: number;
  /** In bytes; `Infinity` for no limit. */
  readonly maxBodySize: number;
  readonly scheduler: SchedulerLike;
  readonly interceptors: readonly Interceptor[];
  readonly transport: Transport;
}

/** The longest timer browsers and Node keep: a longer one overflows and fires after about 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks and completes the client's options. Throws {@link ConfigurationError}
 * with a message that says what to fix.
 *
 * @example
 * ```ts
 * resolveClientOptions({ baseUrl: 'https://h/api' }).timeout; // 30000
 * ```
 */
export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('AsyncAPIClient needs a base URL string or an options object with `baseUrl`');
  }
  const auth = resolveAuthSource(options.authHeaders);
  return {
    baseUrl: parseBaseUrl(options.baseUrl),
    headers: toHeaderRecord(options.headers, 'headers'),
    auth,
    tokenRefresh: checkTokenRefresh(options.tokenRefresh, auth),
    allowedOrigins: parseAllowedOrigins(options.allowedOrigins),
    maxRedirects: checkMaxRedirects(options.maxRedirects),
    timeout: resolveTimeout(options.timeout, DEFAULTS.timeout),
    retry: resolveRetry(options.retry, DEFAULTS.retry),
    deadline: resolveTimeout(options.deadline, DEFAULTS.deadline, 'deadline'),
    maxBodySize: resolveMaxBodySize(options.maxBodySize, DEFAULTS.maxBodySize),
    scheduler: options.scheduler ?? asyncScheduler,
    interceptors: resolveInterceptors(options.interceptors),
    transport: resolveTransport(options.transport),
  };
}

/**
 * Applies a retry override to a policy. `false` means one attempt; `undefined`
 * keeps `base`.
 *
 * @example
 * ```ts
 * resolveRetry({ maxAttempts: 5 }, DEFAULTS.retry); // { maxAttempts: 5, baseDelay: 2000 }
 * ```
 */
export function resolveRetry(override: RetryOptions | false | undefined, base: RetryPolicy): RetryPolicy {
  if (override === undefined) return base;
  if (override === false) return Object.freeze({ ...base, maxAttempts: 1 });
  if (override === null || typeof override !== 'object') {
    throw new ConfigurationError('retry must be an object such as { maxAttempts: 3 } or false');
  }
  const maxAttempts = override.maxAttempts ?? base.maxAttempts;
  const baseDelay = override.baseDelay ?? base.baseDelay;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ConfigurationError(`retry.maxAttempts must be a whole number of 1 or more (it counts the first attempt), not ${String(maxAttempts)}`);
  }
  if (!Number.isFinite(baseDelay) || baseDelay < 0 || baseDelay > MAX_TIMER_MS) {
    throw new ConfigurationError(`retry.baseDelay must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, not ${String(baseDelay)}`);
  }
  // Frozen: shared by every request of a client, and completed once by the retry operator.
  return Object.freeze({
    maxAttempts,
    baseDelay,
    factor: check(override.factor ?? base.factor, 'factor', (v) => typeof v === 'number' && v >= 1 && Number.isFinite(v), 'a number of 1 or more'),
    maxDelay: check(override.maxDelay ?? base.maxDelay, 'maxDelay', (v) => typeof v === 'number' && v >= 0, 'a number of milliseconds from 0 (Infinity for no cap)'),
    jitter: check(override.jitter ?? base.jitter, 'jitter', (v) => v === 'none' || v === 'full' || v === 'equal', "'none', 'full' or 'equal'"),
    random: check(override.random ?? base.random, 'random', isFunction, 'a function that returns a number from 0 to 1'),
    statuses: override.statuses === undefined ? base.statuses : resolveStatuses(override.statuses),
    methods: override.methods === undefined ? base.methods : resolveMethods(override.methods),
    retryOn: override.retryOn === undefined ? base.retryOn : check(override.retryOn, 'retryOn', isFunction, 'a function (error, attempt) => boolean | undefined'),
    maxRetryAfter: check(
      override.maxRetryAfter ?? base.maxRetryAfter,
      'maxRetryAfter',
      (v) => typeof v === 'number' && v >= 0 && v <= MAX_TIMER_MS,
      `a number of milliseconds from 0 to ${MAX_TIMER_MS}`,
    ),
    idempotencyKey: check(
      override.idempotencyKey ?? base.idempotencyKey,
      'idempotencyKey',
      (v) => typeof v === 'boolean' || isFunction(v),
      'true, false or a function that returns a key',
    ),
  });
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

function check<T>(value: T, name: string, valid: (value: T) => boolean, expected: string): T {
  if (!valid(value)) throw new ConfigurationError(`retry.${name} must be ${expected}, not ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
}

function resolveStatuses(statuses: NonNullable<RetryOptions['statuses']>): (status: number) => boolean {
  if (typeof statuses === 'function') return statuses;
  const valid = Array.isArray(statuses) && statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599);
  if (!valid) {
    throw new ConfigurationError(`retry.statuses must be a list of statuses from 400 to 599 or a function, not ${describe(statuses)}`);
  }
  const retried = new Set(statuses);
  return (status) => retried.has(status);
}

function resolveMethods(methods: NonNullable<RetryOptions['methods']>): readonly string[] | 'all' {
  if (methods === 'all') return methods;
  if (!Array.isArray(methods)) throw new ConfigurationError(`retry.methods must be a list of methods or 'all', not ${describe(methods)}`);
  return methods.map((method: unknown) => {
    if (typeof method !== 'string' || method === '') throw new ConfigurationError(`retry.methods must hold method names, not ${describe(method)}`);
    checkHeader(method, '', 'retry.methods');
    return method.toUpperCase();
  });
}

/**
 * Checks a body size limit. `false` and `Infinity` mean none; `undefined`
 * keeps `base`.
 *
 * @example
 * ```ts
 * resolveMaxBodySize(1024, DEFAULTS.maxBodySize); // 1024
 * resolveMaxBodySize(false, DEFAULTS.maxBodySize); // Infinity
 * ```
 */
export function resolveMaxBodySize(value: number | false | undefined, base: number): number {
  if (value === undefined) return base;
  if (value === false || value === Infinity) return Infinity;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(`maxBodySize must be a whole number of bytes (0 or more), or false for no limit, not ${String(value)}`);
  }
  return value;
}

/**
 * Checks a timeout (or, with `name`, another limit in ms such as the
 * deadline). `false` and `Infinity` mean none; `undefined` keeps `base`.
 *
 * @example
 * ```ts
 * resolveTimeout(false, 30_000); // Infinity
 * ```
 */
export function resolveTimeout(value: number | false | undefined, base: number, name = 'timeout'): number {
  if (value === undefined) return base;
  if (value === false || value === Infinity) return Infinity;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw new ConfigurationError(
      `${name} must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS}, or false for none, not ${String(value)}`,
    );
  }
  return value;
}

function checkTokenRefresh(refresh: TokenRefresh | undefined, auth: AuthSource): TokenRefresh | undefined {
  if (refresh === undefined) return undefined;
  if (typeof refresh !== 'function') throw new ConfigurationError('tokenRefresh must be a function that renews the token');
  if (auth.kind !== 'provider') {
    throw new ConfigurationError(
      'tokenRefresh needs authHeaders to be a function that reads the current token, such as () => bearerTokenAuth(store.token): fixed headers would replay the old token',
    );
  }
  return refresh;
}

function checkMaxRedirects(value: number | undefined): number {
  if (value === undefined) return DEFAULTS.maxRedirects;
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`maxRedirects must be a whole number of 0 or more (0 does not follow redirects), not ${String(value)}`);
  }
  return value;
}
