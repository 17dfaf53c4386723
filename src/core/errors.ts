/**
 * Every error the client produces. Messages name the method, the URL without
 * its query string and, for HTTP errors, the status; they never hold a header
 * value, so a token cannot leak through `message`, `stack` or `util.inspect()`.
 */
import { NEVER_RETRIED } from './constants.js';
import { attemptsSuffix, describeCause } from './messages.js';
import { responseWithoutQuery } from './redact.js';

/**
 * Where a request went: what every request-time error reports.
 *
 * @example
 * ```ts
 * const target: RequestTarget = { method: 'GET', url: 'https://api.example.com/items' };
 * new CircuitOpenError(target, 1, 5_000).message; // 'GET https://api.example.com/items was not sent: the circuit breaker is open (a probe may go in 5000 ms)'
 * ```
 */
export interface RequestTarget {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL without its query string or fragment (queries may hold secrets). */
  readonly url: string;
}

/**
 * The base class of the errors raised while a request runs
 * ({@link HttpError}, {@link NetworkError}, {@link TimeoutError}, {@link ParseError},
 * {@link BodyTooLargeError}).
 *
 * @example
 * ```ts
 * client.getJson('/items').subscribe({
 *   error: (e) => { if (e instanceof RequestError) console.log(e.method, e.url, e.attempts); },
 * });
 * ```
 */
export class RequestError extends Error {
  /**
   * `'RequestError'`: the class's name, kept by minifiers, which rename classes. A getter, not a field:
   * the stack header is written during `super()`, before a field would be set.
   */
  override get name(): string {
    return 'RequestError';
  }

  /** The HTTP method, upper case. */
  declare readonly method: string;
  /** The URL without its query string or fragment. */
  declare readonly url: string;
  /** How many attempts were made before this error ended the request. */
  declare readonly attempts: number;

  /** This package's brand, the same in each copy of it (ESM and CommonJS): what the `is...Error` guards look for. */
  get [Symbol.for('rx-api-client.error')](): true {
    return true;
  }

  /**
   * @param message the whole message in development builds; in production builds only a short code
   *   (`status 503`, `network`, `attempt`...), which the method and URL are put before
   */
  constructor(message: string, target: RequestTarget, attempts: number, options?: { cause?: unknown }) {
    super(process.env.NODE_ENV !== 'production' ? message : `${target.method} ${target.url}: ${message}`, options);
    this.method = target.method;
    this.url = target.url;
    this.attempts = attempts;
  }

  /**
   * What `util.inspect()` and `console.log()` show in Node: the stack, the own
   * fields and the cause, never the response (its URL keeps the query string,
   * where an API key may be).
   */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    const fields: Record<string, unknown> = { ...(this as object) };
    if (this.cause !== undefined) fields.cause = this.shownCause();
    return `${this.stack ?? `${this.name}: ${this.message}`} ${inspect(fields, options)}`;
  }

  /** The cause as `util.inspect()` shows it. */
  protected shownCause(): unknown {
    return this.cause;
  }
}

/**
 * The server answered with a status of 400 or more.
 * The `response` is left unread so that its body can still be inspected.
 * Its `url` has no query string or fragment, as the message has none (a query
 * may hold a key, from `apiKeyAuth(..., { in: 'query' })` or your own params).
 *
 * @example
 * ```ts
 * client.request('GET', '/missing').subscribe({
 *   error: async (e) => {
 *     if (isHttpError(e) && e.status === 404) console.log(await e.response.text());
 *   },
 * });
 * ```
 */
export class HttpError extends RequestError {
  /** `'HttpError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'HttpError';
  }

  /** The response status, 400 or more. */
  declare readonly status: number;
  /** The response, with its body unread; its `url` without the query string. */
  declare readonly response: Response;

  constructor(response: Response, target: RequestTarget, attempts: number) {
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} failed with status ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${attemptsSuffix(attempts)}`
        : `status ${response.status}`,
      target,
      attempts,
    );
    this.status = response.status;
    // Not enumerable (defineProperty's default, as are read-only and not configurable): a Response is large, and it
    // belongs to the caller, not to logs.
    Object.defineProperty(this, 'response', { value: responseWithoutQuery(response) });
  }
}

/**
 * The request never got a complete response: connection refused or reset, DNS
 * failure, or the body stream died. The runtime's error is the `cause`.
 *
 * @example
 * ```ts
 * client.getJson('/items').subscribe({ error: (e) => isNetworkError(e) && console.log(e.cause) });
 * ```
 */
export class NetworkError extends RequestError {
  /** `'NetworkError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'NetworkError';
  }

  constructor(cause: unknown, target: RequestTarget, attempts: number) {
    super(process.env.NODE_ENV !== 'production' ? `${target.method} ${target.url} failed: network error${describeCause(cause)}${attemptsSuffix(attempts)}` : 'network', target, attempts, {
      cause,
    });
  }
}

/**
 * An attempt took longer than the per-attempt `timeout` (`scope: 'attempt'`),
 * or the whole request, attempts and waits together (and a stream's whole
 * life), would pass its `deadline` (`scope: 'deadline'`), or a stream went
 * quiet for longer than its `idleTimeout` (`scope: 'idle'`); the connection
 * in flight was aborted.
 * When the deadline stopped a retry before its wait, the failed attempt's
 * error is the `cause`.
 *
 * @example
 * ```ts
 * client.request('GET', '/slow', { timeout: 1_000 }).subscribe({ error: (e) => isTimeoutError(e) && retryLater() });
 * ```
 */
export class TimeoutError extends RequestError {
  /** `'TimeoutError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'TimeoutError';
  }

  /** The limit that was passed, in milliseconds: the per-attempt `timeout`, the `deadline` or a stream's `idleTimeout`. */
  declare readonly timeoutMs: number;
  /** Which limit was passed: one attempt's `timeout`, the request's `deadline`, or a stream's `idleTimeout`. */
  declare readonly scope: 'attempt' | 'deadline' | 'idle';

  constructor(
    timeoutMs: number,
    target: RequestTarget,
    attempts: number,
    options?: { readonly scope?: 'attempt' | 'deadline' | 'idle'; readonly cause?: unknown },
  ) {
    const scope = options?.scope ?? 'attempt';
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} ${
            scope === 'deadline'
              ? `did not finish within its deadline of ${timeoutMs} ms`
              : scope === 'idle'
                ? `went quiet: no data for ${timeoutMs} ms (idleTimeout)`
                : `timed out after ${timeoutMs} ms`
          }${attemptsSuffix(attempts)}`
        : scope,
      target,
      attempts,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.timeoutMs = timeoutMs;
    this.scope = scope;
  }
}

/**
 * A redirect could not be followed: more redirects than `maxRedirects`, a
 * `Location` that is not a valid http(s) URL or that holds credentials, or a
 * 307/308 that needs a stream body sent a second time. Never retried: the
 * server would answer the same.
 *
 * @example
 * ```ts
 * client.getJson('/loop').subscribe({ error: (e) => isRedirectError(e) && console.log(e.message) });
 * ```
 */
export class RedirectError extends RequestError {
  /** `'RedirectError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'RedirectError';
  }

  /** @param reason completes "GET https://h/x ...", as in "was redirected more than 20 times" */
  constructor(reason: string, target: RequestTarget, attempts: number) {
    super(process.env.NODE_ENV !== 'production' ? `${target.method} ${target.url} ${reason}` : 'redirect', target, attempts);
  }
}

/**
 * An attempt failed in a way the retry policy would retry, but the request
 * body is a stream, which can be sent only once: rather than a broken retry,
 * the request ends here. The failed attempt's error is the `cause`. Pass
 * `body` as a function that returns a new stream to allow retries.
 *
 * @example
 * ```ts
 * client.request('PUT', '/upload', { body: () => file.stream() }); // retried with a fresh stream each time
 * ```
 */
export class BodyNotReplayableError extends RequestError {
  /** `'BodyNotReplayableError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'BodyNotReplayableError';
  }

  constructor(cause: unknown, target: RequestTarget, attempts: number) {
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} failed and was not retried: its body is a stream, which can be sent only once (pass body as a function that returns a new stream to allow retries)`
        : 'not-replayable',
      target,
      attempts,
      { cause },
    );
  }
}

/**
 * The client or a request was set up wrongly (a bad base URL, an invalid
 * header, a body that cannot be serialised...). Raised before anything is
 * sent and never retried; the message says what to fix.
 *
 * @example
 * ```ts
 * try { new AsyncAPIClient('api.example.com'); } catch (e) { console.log((e as ConfigurationError).message); }
 * ```
 */
export class ConfigurationError extends Error {
  /** `'ConfigurationError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'ConfigurationError';
  }

  /** This package's brand, as on {@link RequestError}. */
  get [Symbol.for('rx-api-client.error')](): true {
    return true;
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Misconfiguration is never retried, whatever retryOn says (retry/decide.ts).
    neverRetried(this);
  }
}

/**
 * Marks `error` as one that no retry rule may retry, `retryOn` included (`decideRetry` reads the mark).
 *
 * @example
 * ```ts
 * neverRetried(this); // in the constructor of an error that is an answer, not a failure
 * ```
 */
export function neverRetried(error: Error): void {
  Object.defineProperty(error, NEVER_RETRIED, { value: true });
}
