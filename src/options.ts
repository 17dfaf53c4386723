import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { ConfigurationError } from './errors.js';
import { toHeaderRecord, type HeadersLike } from './headers.js';
import { parseBaseUrl } from './url.js';

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
  /** Headers sent with every request, for credentials: see `bearerTokenAuth` and friends. */
  authHeaders?: HeadersLike;
  /** Other headers sent with every request; auth headers and per-request headers win over them. */
  headers?: HeadersLike;
  /**
   * The limit of one attempt in milliseconds (until the response headers for
   * `request()`, until the body is parsed for `getJson()`); `false` for none.
   * @default 30000
   */
  timeout?: number | false;
  /**
   * The retry policy; `false` makes one attempt only.
   * @default { maxAttempts: 3, baseDelay: 2000 }
   */
  retry?: RetryOptions | false;
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
  // Frozen: clients share this object, and a change to it would change their policy.
  retry: Object.freeze({ maxAttempts: 3, baseDelay: 2_000 }) satisfies RetryPolicy,
} as const);

/** The client's options with every field decided and checked. */
export interface ResolvedClientOptions {
  readonly baseUrl: URL;
  /** Client headers then auth headers, already validated, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout: number;
  readonly retry: RetryPolicy;
  /** In bytes; `Infinity` for no limit. */
  readonly maxBodySize: number;
  readonly scheduler: SchedulerLike;
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
  return {
    baseUrl: parseBaseUrl(options.baseUrl),
    headers: { ...toHeaderRecord(options.headers, 'headers'), ...toHeaderRecord(options.authHeaders, 'authHeaders') },
    timeout: resolveTimeout(options.timeout, DEFAULTS.timeout),
    retry: resolveRetry(options.retry, DEFAULTS.retry),
    maxBodySize: resolveMaxBodySize(options.maxBodySize, DEFAULTS.maxBodySize),
    scheduler: options.scheduler ?? asyncScheduler,
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
