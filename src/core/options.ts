import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { resolveAuthSource, type AuthHeaders, type AuthSource } from '../auth/provider.js';
import { resolveRetry, type RetryOptions, type RetryPolicy } from '../retry/policy.js';
import { DEFAULTS, MAX_TIMER_MS } from './constants.js';
import { ConfigurationError } from './errors.js';
import { toHeaderRecord, type HeadersLike } from './headers.js';
import { resolveTransport, type Transport } from './transport.js';
import { checkOptionNames } from './suggest.js';
import { parseAllowedOrigins, parseBaseUrl, type QueryParams } from './url.js';

export type { QueryParams, QueryValue } from './url.js';

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
   * or a function returning them, called for every attempt so that a retry or
   * a replay sends the current token (a function whose headers come later, a
   * Promise or an Observable of them, goes through `asyncAuth(fn)`).
   * They are only sent to the base URL's origin (and `allowedOrigins`), and
   * dropped when a redirect leaves the origin.
   */
  authHeaders?: AuthHeaders;
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
   * whatever this says. Node's fetch shows no 3xx of a Blob, file form or stream upload,
   * which it sends without keeping a copy: any redirect of one is a `RedirectError`.
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
   * What requests are sent through: `fetch` (through rxjs `fromFetch`), or
   * in Node `undiciTransport()` from `rx-api-client/undici` (see {@link Transport}).
   * @default fetchTransport
   */
  transport?: Transport;
}

/**
 * A request body: what `fetch` takes as `body` (a string, `Blob`, `FormData`,
 * `URLSearchParams`, an `ArrayBuffer` or a view of one, a `ReadableStream`;
 * in Node also an async iterable such as a `Readable`). Written from
 * `RequestInit` so that the published types need no DOM library: with only
 * `@types/node` it is undici's `BodyInit`, with the DOM library the DOM's.
 *
 * @example
 * ```ts
 * const body: RequestBody = new URLSearchParams({ q: 'lamp' });
 * client.request('POST', '/search', { body });
 * ```
 */
export type RequestBody = NonNullable<RequestInit['body']>;

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
  body?: RequestBody | null | (() => RequestBody);
  /** Headers of this request; they win over auth headers and defaults. */
  headers?: HeadersLike;
  /** Overrides the client's retry policy field by field; `false` for one attempt. */
  retry?: RetryOptions | false;
  /** Overrides the client's per-attempt timeout (ms); `false` for none. */
  timeout?: number | false;
  /**
   * The limit of this whole request (ms): its attempts and the waits between
   * them; `false` for none. Needs the client's `withDeadline()` feature,
   * whose limit it overrides: without it, it is a `ConfigurationError`.
   */
  deadline?: number | false;
}

/**
 * Options of a GET that reads the body: those of `request()` without params
 * (an argument of their own) or a body.
 *
 * @example
 * ```ts
 * const options: ReadOptions = { timeout: 5_000, headers: { 'x-trace': '1' } };
 * ```
 */
export type ReadOptions = Omit<RequestOptions, 'params' | 'json' | 'body'>;

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
 * Options of `client.read()`: those of `request()`, the body size limit of
 * {@link BodyReadOptions}, and the method.
 *
 * @example
 * ```ts
 * const options: CallOptions = { method: 'PUT', json: { name: 'lamp' }, timeout: 5_000 };
 * client.read('/items/42', { read: (response) => response.json() }, options);
 * ```
 */
export interface CallOptions extends RequestOptions, BodyReadOptions {
  /**
   * The HTTP method.
   * @default 'GET'
   */
  method?: string;
}

/** The client's options with every field decided and checked. */
export interface ResolvedClientOptions {
  readonly baseUrl: URL;
  /** The client's headers (not auth), validated, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: AuthSource;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly maxRedirects: number;
  readonly timeout: number;
  readonly retry: RetryPolicy;
  /** In bytes; `Infinity` for no limit. */
  readonly maxBodySize: number;
  readonly scheduler: SchedulerLike;
  readonly transport: Transport;
}

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
  // Message-only checks (the constructor throws either way): development builds only.
  if (process.env.NODE_ENV !== 'production') {
    if (options === null || typeof options !== 'object') throw new ConfigurationError('AsyncAPIClient needs a base URL string or an options object with `baseUrl`');
    checkOptionNames(options);
  }
  const auth = resolveAuthSource(options.authHeaders);
  return {
    baseUrl: parseBaseUrl(options.baseUrl),
    headers: toHeaderRecord(options.headers, 'headers'),
    auth,
    allowedOrigins: parseAllowedOrigins(options.allowedOrigins),
    maxRedirects: checkMaxRedirects(options.maxRedirects),
    timeout: resolveTimeout(options.timeout, DEFAULTS.timeout),
    retry: resolveRetry(options.retry, DEFAULTS.retry),
    maxBodySize: resolveMaxBodySize(options.maxBodySize, DEFAULTS.maxBodySize),
    scheduler: process.env.NODE_ENV !== 'production' ? checkScheduler(options.scheduler) : (options.scheduler ?? asyncScheduler),
    transport: resolveTransport(options.transport),
  };
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
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `maxBodySize must be a whole number of bytes (0 or more), or false for no limit, not ${String(value)}` : 'max-body-size');
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
export function resolveTimeout(value: number | false | undefined, base: number, name?: string): number {
  if (value === undefined) return base;
  if (value === false || value === Infinity) return Infinity;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw new ConfigurationError(
      process.env.NODE_ENV !== 'production' ? `${name ?? 'timeout'} must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS}, or false for none, not ${String(value)}` : 'timeout',
    );
  }
  return value;
}

/** A scheduler that is not one would fail at the first timer, as a bare TypeError: development builds say so when the client is made. */
function checkScheduler(scheduler: SchedulerLike | undefined): SchedulerLike {
  if (scheduler === undefined) return asyncScheduler;
  if (process.env.NODE_ENV !== 'production' && (typeof scheduler?.now !== 'function' || typeof scheduler.schedule !== 'function')) {
    throw new ConfigurationError('scheduler must be an RxJS scheduler (asyncScheduler, a TestScheduler...) with now() and schedule(), or left out');
  }
  return scheduler;
}

function checkMaxRedirects(value: number | undefined): number {
  if (value === undefined) return DEFAULTS.maxRedirects;
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `maxRedirects must be a whole number of 0 or more (0 does not follow redirects), not ${String(value)}` : 'max-redirects');
  }
  return value;
}
