/**
 * Every error the client produces. Messages name the method, the URL without
 * its query string and, for HTTP errors, the status; they never hold a header
 * value, so a token cannot leak through `message`, `stack` or `util.inspect()`.
 */

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
  // A getter, not an assignment: the stack header is written during super(), and minifiers rename classes.
  override get name(): string {
    return 'RequestError';
  }

  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL without its query string or fragment. */
  readonly url: string;
  /** How many attempts were made before this error ended the request. */
  readonly attempts: number;

  constructor(message: string, target: RequestTarget, attempts: number, options?: { cause?: unknown }) {
    super(message, options);
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
  override get name(): string {
    return 'HttpError';
  }

  /** The response status, 400 or more. */
  readonly status: number;
  /** The response, with its body unread; its `url` without the query string. */
  declare readonly response: Response;

  constructor(response: Response, target: RequestTarget, attempts: number) {
    super(
      `${target.method} ${target.url} failed with status ${response.status}${
        response.statusText ? ` ${response.statusText}` : ''
      }${attemptsSuffix(attempts)}`,
      target,
      attempts,
    );
    this.status = response.status;
    // Not enumerable: a Response is large, and it belongs to the caller, not to logs.
    Object.defineProperty(this, 'response', { value: withoutQuery(response), enumerable: false });
  }
}

/**
 * The response as an HttpError holds it: when its URL has a query or a
 * fragment, a copy over the same body whose `url` leaves them out, so that
 * logging `error.response` (or expanding it in a browser's console) cannot
 * show a key. A response that cannot be copied (a body already read, a
 * status `Response` refuses) is kept as it is.
 */
function withoutQuery(response: Response): Response {
  const { url } = response;
  const end = url.search(/[?#]/);
  if (end < 0) return response;
  let copy: Response;
  try {
    copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch {
    return response;
  }
  return Object.defineProperties(copy, { url: { value: url.slice(0, end) }, redirected: { value: response.redirected }, type: { value: response.type } });
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
  override get name(): string {
    return 'NetworkError';
  }

  constructor(cause: unknown, target: RequestTarget, attempts: number) {
    super(`${target.method} ${target.url} failed: network error${describeCause(cause)}${attemptsSuffix(attempts)}`, target, attempts, {
      cause,
    });
  }
}

/**
 * The response body is larger than `maxBodySize` (counted after
 * decompression). The read stops as soon as the limit is passed, or before it
 * starts when `content-length` already says so, and the connection is
 * released. Never retried: the server would most likely send the same body.
 *
 * @example
 * ```ts
 * client.getJson('/export', undefined, { maxBodySize: 1024 ** 2 }).subscribe({
 *   error: (e) => isBodyTooLargeError(e) && console.log(`over ${e.maxBodySize} bytes`),
 * });
 * ```
 */
export class BodyTooLargeError extends RequestError {
  override get name(): string {
    return 'BodyTooLargeError';
  }

  /** The response status. */
  readonly status: number;
  /** The limit that was passed, in bytes. */
  readonly maxBodySize: number;
  /** The size the `content-length` header declared, when that alone decided; otherwise `undefined`. */
  readonly contentLength: number | undefined;
  /** The bytes read (after decompression) before the read was stopped; 0 when `content-length` decided. */
  readonly receivedBytes: number;

  constructor(
    size: { readonly maxBodySize: number; readonly contentLength?: number; readonly receivedBytes: number },
    status: number,
    target: RequestTarget,
    attempts: number,
  ) {
    const why =
      size.contentLength === undefined
        ? `stopped after ${size.receivedBytes} bytes`
        : `content-length is ${size.contentLength}, nothing read`;
    super(`${target.method} ${target.url} returned a body larger than maxBodySize (${size.maxBodySize} bytes): ${why}`, target, attempts);
    this.status = status;
    this.maxBodySize = size.maxBodySize;
    this.contentLength = size.contentLength;
    this.receivedBytes = size.receivedBytes;
  }
}

/**
 * An attempt took longer than the per-attempt `timeout` (`scope: 'attempt'`),
 * or the whole request, attempts and waits together, would pass its
 * `deadline` (`scope: 'deadline'`); the connection in flight was aborted.
 * When the deadline stopped a retry before its wait, the failed attempt's
 * error is the `cause`.
 *
 * @example
 * ```ts
 * client.request('GET', '/slow', { timeout: 1_000 }).subscribe({ error: (e) => isTimeoutError(e) && retryLater() });
 * ```
 */
export class TimeoutError extends RequestError {
  override get name(): string {
    return 'TimeoutError';
  }

  /** The limit that was passed, in milliseconds: the per-attempt `timeout` or the `deadline`. */
  readonly timeoutMs: number;
  /** Which limit was passed: one attempt's `timeout` or the request's `deadline`. */
  readonly scope: 'attempt' | 'deadline';

  constructor(
    timeoutMs: number,
    target: RequestTarget,
    attempts: number,
    options?: { readonly scope?: 'attempt' | 'deadline'; readonly cause?: unknown },
  ) {
    const scope = options?.scope ?? 'attempt';
    super(
      `${target.method} ${target.url} ${
        scope === 'deadline' ? `did not finish within its deadline of ${timeoutMs} ms` : `timed out after ${timeoutMs} ms`
      }${attemptsSuffix(attempts)}`,
      target,
      attempts,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.timeoutMs = timeoutMs;
    this.scope = scope;
  }
}

/**
 * The response body was not valid JSON (or, for `ndjson()`, one of its lines;
 * for `sse()`, the response was not an event stream). Never retried: the
 * server would most likely answer the same. The message holds at most a short
 * excerpt of the body.
 *
 * @example
 * ```ts
 * client.getJson('/page.html').subscribe({ error: (e) => isParseError(e) && console.log(e.message) });
 * ```
 */
export class ParseError extends RequestError {
  override get name(): string {
    return 'ParseError';
  }

  /** The response status. */
  readonly status: number;
  /** For `ndjson()`: the number of the line that is not JSON, from 1. */
  readonly line?: number;

  /**
   * @param body the text that did not parse (only an excerpt reaches the message)
   * @param where `line`: the line of a stream that did not parse; `contentType`: a response
   *   that is not the event stream `sse()` expects (then `body` is unused)
   */
  constructor(
    cause: unknown,
    body: string,
    status: number,
    target: RequestTarget,
    attempts: number,
    where: { line?: number; contentType?: string } = {},
  ) {
    const what =
      where.contentType !== undefined
        ? `content-type ${excerpt(where.contentType)} where text/event-stream was expected`
        : where.line !== undefined
          ? `line ${where.line} that is not valid JSON (it starts with ${excerpt(body)})`
          : `a body that is not valid JSON (body starts with ${excerpt(body)})`;
    super(`${target.method} ${target.url} returned ${what}`, target, attempts, { cause });
    this.status = status;
    if (where.line !== undefined) this.line = where.line;
  }
}

/**
 * The client's circuit breaker is open (or half-open with its one probe in
 * flight), so the attempt was not sent: the request fails fast without
 * touching the network. Never retried.
 *
 * @example
 * ```ts
 * client.getJson('/items').subscribe({
 *   error: (e) => isCircuitOpenError(e) && showBanner(`service down, next try in ${e.retryAfterMs / 1000} s`),
 * });
 * ```
 */
export class CircuitOpenError extends RequestError {
  override get name(): string {
    return 'CircuitOpenError';
  }

  /** How long until the breaker lets a probe through, in ms (0 when a probe is already in flight). */
  readonly retryAfterMs: number;

  constructor(target: RequestTarget, attempts: number, retryAfterMs: number) {
    super(
      `${target.method} ${target.url} was not sent: the circuit breaker is open (${
        retryAfterMs > 0 ? `a probe may go in ${retryAfterMs} ms` : 'a probe is in flight'
      })${attemptsSuffix(attempts)}`,
      target,
      attempts,
    );
    this.retryAfterMs = retryAfterMs;
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
  override get name(): string {
    return 'RedirectError';
  }

  /** @param reason completes "GET https://h/x ...", as in "was redirected more than 20 times" */
  constructor(reason: string, target: RequestTarget, attempts: number) {
    super(`${target.method} ${target.url} ${reason}`, target, attempts);
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
  override get name(): string {
    return 'BodyNotReplayableError';
  }

  constructor(cause: unknown, target: RequestTarget, attempts: number) {
    super(
      `${target.method} ${target.url} failed and was not retried: its body is a stream, which can be sent only once (pass body as a function that returns a new stream to allow retries)`,
      target,
      attempts,
      { cause },
    );
  }
}

/**
 * A request got a 401, and the `tokenRefresh` that should have renewed the
 * token failed (its error is the `cause`). Every request that was waiting for
 * that refresh ends with this error; none is replayed or retried.
 *
 * @example
 * ```ts
 * client.getJson('/me').subscribe({ error: (e) => isTokenRefreshError(e) && signInAgain() });
 * ```
 */
export class TokenRefreshError extends RequestError {
  override get name(): string {
    return 'TokenRefreshError';
  }

  constructor(cause: unknown, target: RequestTarget, attempts: number) {
    // The cause's message is left out: a refresh error may quote a refresh token or a credentialed URL.
    super(`${target.method} ${target.url} got status 401 and the token refresh failed; the request was not replayed (see cause)`, target, attempts, {
      cause,
    });
  }

  // Logs show only what kind of error the refresh ended with: its message may quote a refresh token.
  protected override shownCause(): unknown {
    return `[${this.cause instanceof Error ? this.cause.name : typeof this.cause}: not shown, read error.cause]`;
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
  override get name(): string {
    return 'ConfigurationError';
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Whether `error` is an {@link HttpError}.
 * @example
 * ```ts
 * catchError((e) => (isHttpError(e) && e.status === 404 ? of(null) : throwError(() => e)))
 * ```
 */
export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;

/**
 * Whether `error` is a {@link NetworkError}.
 * @example
 * ```ts
 * if (isNetworkError(e)) showOfflineBanner();
 * ```
 */
export const isNetworkError = (error: unknown): error is NetworkError => error instanceof NetworkError;

/**
 * Whether `error` is a {@link BodyTooLargeError}.
 * @example
 * ```ts
 * if (isBodyTooLargeError(e)) console.log(`the body passed ${e.maxBodySize} bytes`);
 * ```
 */
export const isBodyTooLargeError = (error: unknown): error is BodyTooLargeError => error instanceof BodyTooLargeError;

/**
 * Whether `error` is a {@link TimeoutError}.
 * @example
 * ```ts
 * if (isTimeoutError(e)) console.log(`gave up after ${e.timeoutMs} ms`);
 * ```
 */
export const isTimeoutError = (error: unknown): error is TimeoutError => error instanceof TimeoutError;

/**
 * Whether `error` is a {@link ParseError}.
 * @example
 * ```ts
 * if (isParseError(e)) console.log('the server did not send JSON');
 * ```
 */
export const isParseError = (error: unknown): error is ParseError => error instanceof ParseError;

/**
 * Whether `error` is a {@link RedirectError}.
 * @example
 * ```ts
 * if (isRedirectError(e)) console.log('the server redirects in a loop or to a bad URL');
 * ```
 */
export const isRedirectError = (error: unknown): error is RedirectError => error instanceof RedirectError;

/**
 * Whether `error` is a {@link TokenRefreshError}.
 * @example
 * ```ts
 * if (isTokenRefreshError(e)) signInAgain();
 * ```
 */
export const isTokenRefreshError = (error: unknown): error is TokenRefreshError => error instanceof TokenRefreshError;

/**
 * Whether `error` is a {@link ConfigurationError}.
 * @example
 * ```ts
 * if (isConfigurationError(e)) console.error('fix the client setup:', e.message);
 * ```
 */
export const isConfigurationError = (error: unknown): error is ConfigurationError => error instanceof ConfigurationError;

/**
 * Whether `error` is a {@link CircuitOpenError}.
 * @example
 * ```ts
 * if (isCircuitOpenError(e)) console.log(`circuit open, retry in ${e.retryAfterMs} ms`);
 * ```
 */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError => error instanceof CircuitOpenError;

/**
 * Whether `error` is a {@link BodyNotReplayableError}.
 * @example
 * ```ts
 * if (isBodyNotReplayableError(e)) console.log('the upload failed once; its stream cannot be sent again', e.cause);
 * ```
 */
export const isBodyNotReplayableError = (error: unknown): error is BodyNotReplayableError => error instanceof BodyNotReplayableError;

const EXCERPT_LENGTH = 80;

function excerpt(body: string): string {
  const head = body.length > EXCERPT_LENGTH ? `${body.slice(0, EXCERPT_LENGTH)}…` : body;
  return JSON.stringify(head);
}

function attemptsSuffix(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

function describeCause(cause: unknown): string {
  // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED...) is one level down.
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (inner && typeof inner.code === 'string') return ` (${inner.code})`;
  if (cause instanceof Error && cause.message) return ` (${cause.message})`;
  return '';
}
