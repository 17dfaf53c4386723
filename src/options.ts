import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { resolveAuthSource, type AuthHeaders, type AuthSource } from './auth-provider.js';
import { ConfigurationError } from './errors.js';
import { toHeaderRecord, type HeadersLike } from './headers.js';
import { resolveInterceptors, type Interceptor } from './interceptors.js';
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
   * `baseDelay * 2 ** (n - 1)` (2 s, then 4 s).
   * @default 2000
   */
  baseDelay?: number;
}

/** A retry policy with every field decided. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelay: number;
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
  /** A raw body (string, `Blob`, `FormData`, `URLSearchParams`, `ArrayBuffer`...). Not with `json`. */
  body?: BodyInit | null;
  /** Headers of this request; they win over auth headers and defaults. */
  headers?: HeadersLike;
  /** Overrides the client's retry policy field by field; `false` for one attempt. */
  retry?: RetryOptions | false;
  /** Overrides the client's per-attempt timeout (ms); `false` for none. */
  timeout?: number | false;
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
  timeout: 30_000,
  // Frozen: clients share this object, and a change to it would change their policy.
  retry: Object.freeze({ maxAttempts: 3, baseDelay: 2_000 }) satisfies RetryPolicy,
  maxRedirects: 20,
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
  readonly scheduler: SchedulerLike;
  readonly interceptors: readonly Interceptor[];
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
    scheduler: options.scheduler ?? asyncScheduler,
    interceptors: resolveInterceptors(options.interceptors),
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
  if (override === false) return { ...base, maxAttempts: 1 };
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
  return { maxAttempts, baseDelay };
}

/**
 * Checks a timeout. `false` and `Infinity` mean none; `undefined` keeps `base`.
 *
 * @example
 * ```ts
 * resolveTimeout(false, 30_000); // Infinity
 * ```
 */
export function resolveTimeout(value: number | false | undefined, base: number): number {
  if (value === undefined) return base;
  if (value === false || value === Infinity) return Infinity;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw new ConfigurationError(
      `timeout must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS}, or false for none, not ${String(value)}`,
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
