import { Subject, tap, type Observable } from 'rxjs';
import { HttpError, NetworkError, TimeoutError } from '../core/errors.js';
import type { Feature } from '../core/feature.js';
import { redactHeaders } from '../core/redact.js';
import { displayUrl } from '../core/url.js';
import { requestId } from './request-id.js';
import type { CircuitEvent } from './circuit-breaker/index.js';

interface EventBase {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL without its query string. */
  readonly url: string;
  /**
   * The id of the logical request (one subscription) the event is about: the
   * same in all its events, whichever feature tells them, and another for each
   * request, so that two requests to one URL at once can be told apart.
   */
  readonly requestId: number;
  /** When it happened: the client's `scheduler.now()`, in ms (virtual time under a `TestScheduler`). */
  readonly time: number;
}

/**
 * An attempt is about to be sent.
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is RequestEvent => e.type === 'request'))
 *   .subscribe((e) => console.log(`-> ${e.method} ${e.url} (attempt ${e.attempt})`, e.headers));
 * ```
 */
export interface RequestEvent extends EventBase {
  /** `'request'`: emitted as each fetch of an attempt goes to the transport, after the interceptors. */
  readonly type: 'request';
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * Credentials that were not sent because an interceptor sent the request to
   * an origin that is neither the base URL's nor in `allowedOrigins`: header
   * names, and `?name` for a query-string key. Absent when none was dropped.
   */
  readonly dropped?: readonly string[];
  /**
   * The headers sent, lower-case names; credentials redacted (auth headers
   * whatever their name, `Authorization`, `Cookie`, and names with `token`,
   * `key`, `secret`...).
   */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An attempt got response headers (any status).
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is ResponseEvent => e.type === 'response'))
 *   .subscribe((e) => console.log(`<- ${e.status} ${e.method} ${e.url} (attempt ${e.attempt})`));
 * ```
 */
export interface ResponseEvent extends EventBase {
  /** `'response'`: emitted when an attempt has its final response headers, before its body is read. */
  readonly type: 'response';
  /** The attempt that got the response: 1 for the first. */
  readonly attempt: number;
  /** The HTTP status, whatever it is (an error status too). */
  readonly status: number;
  /** The response headers, lower-case names, `Set-Cookie` and other credentials redacted. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An attempt was redirected, and the client follows (Node only: browsers follow redirects unseen).
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is RedirectEvent => e.type === 'redirect'))
 *   .subscribe((e) => console.log(`${e.status} ${e.url} -> ${e.location}, dropped: ${e.dropped.join(', ')}`));
 * ```
 */
export interface RedirectEvent extends EventBase {
  /** `'redirect'`: emitted for each redirect the client follows (Node only). */
  readonly type: 'redirect';
  /** The attempt that was redirected: 1 for the first. */
  readonly attempt: number;
  /** 301, 302, 303, 307 or 308. */
  readonly status: number;
  /** Where the next hop goes, without its query string. `url` is where this hop went. */
  readonly location: string;
  /** Lower-case names of the headers not sent to `location`: credentials when the origin changes, body headers when it becomes a GET. */
  readonly dropped: readonly string[];
}

/**
 * An attempt failed and another one is scheduled.
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is RetryEvent => e.type === 'retry'))
 *   .subscribe((e) => console.log(`attempt ${e.attempt} failed (${e.reason}), next in ${e.delayMs} ms${e.fromServer ? ' as the server asked' : ''}`));
 * ```
 */
export interface RetryEvent extends EventBase {
  /** `'retry'`: emitted when an attempt failed and the next one is scheduled, before the wait. */
  readonly type: 'retry';
  /** The attempt that failed. */
  readonly attempt: number;
  /** The wait before the next attempt, in milliseconds. */
  readonly delayMs: number;
  /** Whether the wait is the server's (`Retry-After`, `retry-after-ms`, `RateLimit-Reset`) rather than the computed backoff. */
  readonly fromServer: boolean;
  /** Why: `status 503`, `network error` or `timeout`. */
  readonly reason: string;
  /** The error of the attempt that failed (an `HttpError`, `NetworkError`, `TimeoutError`...). */
  readonly error: unknown;
}

/**
 * The request ended with an error (retries exhausted or a final error).
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is GiveUpEvent => e.type === 'giveUp'))
 *   .subscribe((e) => console.error(`${e.method} ${e.url} failed after ${e.attempts} attempts`, e.error));
 * ```
 */
export interface GiveUpEvent extends EventBase {
  /** `'giveUp'`: emitted when the request ends with an error, a `ConfigurationError` before the first attempt included. */
  readonly type: 'giveUp';
  /** How many attempts were made. */
  readonly attempts: number;
  /** The error the request ended with, as its subscriber gets it. */
  readonly error: unknown;
}

/**
 * The subscriber unsubscribed before the request ended (an abort, `switchMap`, `takeUntil`...).
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is CancelEvent => e.type === 'cancel'))
 *   .subscribe((e) => console.log(`${e.method} ${e.url} cancelled after ${e.attempts} attempts`));
 * ```
 */
export interface CancelEvent extends EventBase {
  /** `'cancel'`: emitted when the subscriber unsubscribes before the request ended (for a stream, before it completed). */
  readonly type: 'cancel';
  /** How many attempts were started; 0 when cancelled before the first. */
  readonly attempts: number;
}

/**
 * What `events.events$` emits: switch on `type` to read each event's fields.
 *
 * @example
 * ```ts
 * events.events$.subscribe((e: ClientEvent) => {
 *   if (e.type === 'retry') console.log(`retry in ${e.delayMs} ms`);
 *   else if (e.type === 'giveUp') console.error(`${e.method} ${e.url} failed`, e.error);
 * });
 * ```
 */
export type ClientEvent = RequestEvent | ResponseEvent | RedirectEvent | RetryEvent | GiveUpEvent | CancelEvent | CircuitEvent;

export type { CircuitEvent };

/**
 * The `withEvents()` feature, and where its events come out.
 *
 * @example
 * ```ts
 * const events: ClientEvents = withEvents();
 * events.events$.subscribe((e) => console.log(e.type));
 * ```
 */
export interface ClientEvents extends Feature {
  /** The events of every request of the clients this feature was given to, hot: a subscriber sees those after it subscribed. */
  readonly events$: Observable<ClientEvent>;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * Lifecycle events of every request (`request`, `response`, `redirect`,
 * `retry`, `giveUp`, `cancel`, and `circuit` with `withCircuitBreaker()`),
 * for logs and dashboards. Header values that may hold a credential are
 * redacted and URLs have no query. An event is built only while somebody
 * subscribes to `events$`.
 *
 * @example
 * ```ts
 * const events = withEvents();
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, events);
 * events.events$.pipe(filter((e) => e.type === 'retry')).subscribe((e) => show(`retrying in ${e.delayMs / 1000} s`));
 * ```
 */
export function withEvents(): ClientEvents {
  const subject = new Subject<ClientEvent>();
  const emit = (make: () => ClientEvent) => {
    if (subject.observed) subject.next(make());
  };
  return {
    events$: subject.asObservable(),
    order: 90,
    setup: (client) => {
      client.listen((make) => emit(make as () => ClientEvent));
      return {
        start: (request) => {
          const { method, url } = request.target;
          // What every event of this request has, built with the event (only when somebody listens).
          const base = () => ({ method, url, requestId: requestId(request), time: client.scheduler.now() });
          // The request has its answer (or, for a stream, completed): unsubscribing after it is no cancel.
          let ended = false;
          return {
            // What is sent, after the interceptors: its method and URL, and the credentials they could not take along.
            sent: ({ url: to, init, authNames, dropped }, attempt) =>
              emit(() => ({ type: 'request', ...base(), method: init.method, url: displayUrl(to), attempt, headers: redactHeaders(init.headers, authNames), ...(dropped && { dropped }) })),
            received: (response, attempt) =>
              emit(() => ({ type: 'response', ...base(), attempt, status: response.status, headers: redactHeaders(response.headers, NO_NAMES) })),
            redirected: ({ status, from, to, dropped }, attempt) =>
              emit(() => ({ type: 'redirect', ...base(), url: displayUrl(from), attempt, status, location: displayUrl(to), dropped })),
            // `attempt` counts every attempt, replays after a token refresh included.
            retrying: ({ attempt, delayMs, fromServer, error }) =>
              emit(() => ({ type: 'retry', ...base(), attempt, delayMs, fromServer, reason: describeFailure(error), error })),
            whole: (request$) =>
              request$.pipe(
                tap({
                  // One value is the whole answer: a `first()` downstream that unsubscribes after it is no cancel.
                  // A stream has ended only when it completes.
                  next: () => (ended ||= !request.stream),
                  complete: () => (ended = true),
                  error: (error: unknown) => {
                    ended = true;
                    emit(() => ({ type: 'giveUp', ...base(), attempts: request.attempts, error }));
                  },
                  // Unsubscribed before the end: say so, or a dashboard would count the request in flight forever.
                  unsubscribe: () => ended || emit(() => ({ type: 'cancel', ...base(), attempts: request.attempts })),
                }),
              ),
          };
        },
      };
    },
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof HttpError) return `status ${error.status}`;
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof NetworkError) return 'network error';
  return error instanceof Error ? error.name : 'error';
}
