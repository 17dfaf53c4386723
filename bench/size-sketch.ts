/**
 * A measurement sketch, not the client: the brief's core written for size, to
 * measure what issue 6's targets leave room for (bench/size-features.ts
 * bundles the example app against it; bench/README.md has the numbers). It
 * keeps a cold Observable on `fromFetch`, a per-attempt timeout, the retry
 * policy with exponential backoff, jitter and `Retry-After` (seconds), the auth
 * helpers, cancellation that aborts the fetch and the body read, errors with
 * method, URL, status and cause, and the invariant that credentials go to the
 * base URL only. It leaves out everything of the feature table and most
 * checks of the options. Nothing imports it but the size script.
 */
import { asyncScheduler, defer, retry, throwError, timeout, timer, type Observable, type SchedulerLike } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';

/** The retry policy: 3 attempts, 2 s then 4 s, 429 and 5xx, network errors and timeouts. */
export interface SketchRetry {
  readonly maxAttempts: number;
  readonly baseDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
  readonly jitter: 'none' | 'full' | 'equal';
  readonly maxRetryAfter: number;
}

const RETRY: SketchRetry = { maxAttempts: 3, baseDelay: 2000, factor: 2, maxDelay: Infinity, jitter: 'none', maxRetryAfter: 60_000 };

/** Where a request went: method and URL without the query. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${url} ${message}`, options);
  }
}

/** A status of 400 or more; the response is left unread. */
export class HttpError extends RequestError {
  override name = 'HttpError';
  constructor(readonly response: Response, method: string, url: string, attempts: number) {
    super(`failed with status ${response.status}`, method, url, attempts);
  }

  get status(): number {
    return this.response.status;
  }
}

/** The network failed; the runtime's error is the cause. */
export class NetworkError extends RequestError {
  override name = 'NetworkError';
}

/** An attempt passed its timeout. */
export class TimeoutError extends RequestError {
  override name = 'TimeoutError';
}

/** `Authorization: Bearer <token>`. */
export const bearerTokenAuth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** `Authorization: Basic <user:password>` (UTF-8). */
export const basicAuth = (user: string, password: string) => ({
  Authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)))}`,
});

/** The API key in a header. */
export const apiKeyAuth = (key: string, name = 'X-API-Key') => ({ [name]: key });

type Params = Record<string, string | number | boolean | null | undefined>;

/** What `#run` does with a response of a status below 400: what the method emits. */
type Read<T> = (response: Response) => Promise<T> | T;

/** The sketch of AsyncAPIClient: request() and getJson(). */
export class AsyncAPIClient {
  readonly #base: URL;
  readonly #retry: SketchRetry;

  constructor(
    baseUrl: string,
    readonly authHeaders: Record<string, string> = {},
    readonly timeout = 30_000,
    retryOptions: Partial<SketchRetry> | false = {},
    readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.#base = new URL(baseUrl.replace(/\/?$/, '/'));
    this.#retry = { ...RETRY, ...(retryOptions === false ? { maxAttempts: 1 } : retryOptions) };
  }

  /** Emits the response (body unread) of a status below 400, or errors with HttpError after the retries. */
  request(method: string, endpoint: string, options: { params?: Params; json?: unknown; headers?: Record<string, string> } = {}): Observable<Response> {
    return this.#run(method, endpoint, options, (response) => response);
  }

  /** GETs an endpoint and emits its parsed JSON body (`undefined` for an empty one). */
  getJson<T = unknown>(endpoint: string, params?: Params): Observable<T> {
    return this.#run('GET', endpoint, { params, headers: { accept: 'application/json' } }, async (response) => {
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    });
  }

  #run<T>(method: string, endpoint: string, options: { params?: Params; json?: unknown; headers?: Record<string, string> }, read: Read<T>): Observable<T> {
    return defer(() => {
      const url = new URL(endpoint.replace(/^\//, ''), this.#base);
      // The credentials must not leave the base URL, whatever the endpoint says.
      if (url.origin !== this.#base.origin || !url.pathname.startsWith(this.#base.pathname)) throw new TypeError(`${endpoint} is outside ${this.#base.href}`);
      for (const [key, value] of Object.entries(options.params ?? {})) if (value != null) url.searchParams.append(key, String(value));
      const shown = url.origin + url.pathname;
      const json = options.json !== undefined;
      const init = {
        method,
        headers: { ...(json && { 'content-type': 'application/json' }), ...this.authHeaders, ...options.headers },
        body: json ? JSON.stringify(options.json) : undefined,
      };
      let attempt = 0;
      return defer(() => {
        attempt += 1;
        const n = attempt;
        const attempt$ = fromFetch(url.href, {
          ...init,
          // Read inside the selector: unsubscribing or the timeout aborts the body read too.
          selector: async (response) => {
            if (response.status >= 400) throw new HttpError(response, method, shown, n);
            return read(response);
          },
        });
        return this.timeout === Infinity
          ? attempt$
          : attempt$.pipe(timeout({ first: this.timeout, scheduler: this.scheduler, with: () => throwError(() => new TimeoutError(`timed out after ${this.timeout} ms`, method, shown, n)) }));
      }).pipe(
        // No count: the delay decides every failure, the last one included, so a network error is always a NetworkError.
        retry({
          delay: (error: unknown, retryCount: number) => {
            const delay = retryCount < this.#retry.maxAttempts ? retryDelay(this.#retry, error, retryCount) : undefined;
            // throwError, never EMPTY: EMPTY would complete and swallow the error.
            return delay === undefined ? throwError(() => asRequestError(error, method, shown, attempt)) : timer(delay, this.scheduler);
          },
        }),
      );
    });
  }
}

/** Network failures (fetch rejects with a TypeError) become NetworkError; the rest pass. */
function asRequestError(error: unknown, method: string, url: string, attempts: number): unknown {
  return error instanceof TypeError ? new NetworkError('failed: network error', method, url, attempts, { cause: error }) : error;
}

/** The wait before retry number `retry`, or undefined for no retry (pure). */
export function retryDelay(policy: SketchRetry, error: unknown, retry: number, random = Math.random): number | undefined {
  const status = error instanceof HttpError ? error.status : 0;
  if (!(error instanceof TypeError || error instanceof TimeoutError || status === 429 || status >= 500)) return undefined;
  const asked = error instanceof HttpError ? /^\s*\d+\s*$/.exec(error.response.headers.get('retry-after') ?? '') : null;
  if (asked) return +asked[0] * 1000 > policy.maxRetryAfter ? undefined : +asked[0] * 1000;
  const delay = Math.min(policy.baseDelay * policy.factor ** (retry - 1), policy.maxDelay, 2 ** 31 - 1);
  return policy.jitter === 'none' ? delay : Math.round(policy.jitter === 'full' ? delay * random() : delay / 2 + (delay / 2) * random());
}
