import { Subject, type Observable } from 'rxjs';
import type { CircuitState } from './circuit-breaker.js';

interface EventBase {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL without its query string. */
  readonly url: string;
}

/**
 * An attempt is about to be sent.
 *
 * @example
 * ```ts
 * client.events$
 *   .pipe(filter((e): e is RequestEvent => e.type === 'request'))
 *   .subscribe((e) => console.log(`-> ${e.method} ${e.url} (attempt ${e.attempt})`, e.headers));
 * ```
 */
export interface RequestEvent extends EventBase {
  readonly type: 'request';
  /** 1 for the first attempt. */
  readonly attempt: number;
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
 * client.events$
 *   .pipe(filter((e): e is ResponseEvent => e.type === 'response'))
 *   .subscribe((e) => console.log(`<- ${e.status} ${e.method} ${e.url} (attempt ${e.attempt})`));
 * ```
 */
export interface ResponseEvent extends EventBase {
  readonly type: 'response';
  readonly attempt: number;
  readonly status: number;
  /** The response headers, lower-case names, `Set-Cookie` and other credentials redacted. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An attempt was redirected, and the client follows (Node only: browsers follow redirects unseen).
 *
 * @example
 * ```ts
 * client.events$
 *   .pipe(filter((e): e is RedirectEvent => e.type === 'redirect'))
 *   .subscribe((e) => console.log(`${e.status} ${e.url} -> ${e.location}, dropped: ${e.dropped.join(', ')}`));
 * ```
 */
export interface RedirectEvent extends EventBase {
  readonly type: 'redirect';
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
 * client.events$
 *   .pipe(filter((e): e is RetryEvent => e.type === 'retry'))
 *   .subscribe((e) => console.log(`attempt ${e.attempt} failed (${e.reason}), next in ${e.delayMs} ms${e.fromServer ? ' as the server asked' : ''}`));
 * ```
 */
export interface RetryEvent extends EventBase {
  readonly type: 'retry';
  /** The attempt that failed. */
  readonly attempt: number;
  /** The wait before the next attempt, in milliseconds. */
  readonly delayMs: number;
  /** Whether the wait is the server's (`Retry-After`, `retry-after-ms`, `RateLimit-Reset`) rather than the computed backoff. */
  readonly fromServer: boolean;
  /** Why: `status 503`, `network error` or `timeout`. */
  readonly reason: string;
  readonly error: unknown;
}

/**
 * The request ended with an error (retries exhausted or a final error).
 *
 * @example
 * ```ts
 * client.events$
 *   .pipe(filter((e): e is GiveUpEvent => e.type === 'giveUp'))
 *   .subscribe((e) => console.error(`${e.method} ${e.url} failed after ${e.attempts} attempts`, e.error));
 * ```
 */
export interface GiveUpEvent extends EventBase {
  readonly type: 'giveUp';
  /** How many attempts were made. */
  readonly attempts: number;
  readonly error: unknown;
}

/**
 * The subscriber unsubscribed before the request ended (an abort, `switchMap`, `takeUntil`...).
 *
 * @example
 * ```ts
 * client.events$
 *   .pipe(filter((e): e is CancelEvent => e.type === 'cancel'))
 *   .subscribe((e) => console.log(`${e.method} ${e.url} cancelled after ${e.attempts} attempts`));
 * ```
 */
export interface CancelEvent extends EventBase {
  readonly type: 'cancel';
  /** How many attempts were started; 0 when cancelled before the first. */
  readonly attempts: number;
}

/**
 * The client's circuit breaker changed state; `method` and `url` are those of
 * the request whose attempt caused the change.
 *
 * @example
 * ```ts
 * client.events$
 *   .pipe(filter((e): e is CircuitEvent => e.type === 'circuit'))
 *   .subscribe((e) => console.warn(`circuit ${e.previous} -> ${e.state} (at ${e.method} ${e.url})`));
 * ```
 */
export interface CircuitEvent extends EventBase {
  readonly type: 'circuit';
  /** The new state: `open` (failing fast), `halfOpen` (a probe may go) or `closed`. */
  readonly state: CircuitState;
  readonly previous: CircuitState;
}

/**
 * What `client.events$` emits: switch on `type` to read each event's fields.
 *
 * @example
 * ```ts
 * client.events$.subscribe((e: ClientEvent) => {
 *   if (e.type === 'retry') console.log(`retry in ${e.delayMs} ms`);
 *   else if (e.type === 'giveUp') console.error(`${e.method} ${e.url} failed`, e.error);
 * });
 * ```
 */
export type ClientEvent = RequestEvent | ResponseEvent | RedirectEvent | RetryEvent | GiveUpEvent | CancelEvent | CircuitEvent;

/**
 * The client's lifecycle events. Emitting costs one check when nobody
 * listens: events are built only for subscribers.
 *
 * @example
 * ```ts
 * const events = new EventStream();
 * events.emit(() => ({ type: 'request', method: 'GET', url: 'https://h/x', attempt: 1, headers: {} }));
 * ```
 */
export class EventStream {
  readonly #subject = new Subject<ClientEvent>();
  /** The events, hot: a subscriber sees those after it subscribed. */
  readonly events$: Observable<ClientEvent> = this.#subject.asObservable();

  /** Emits the event `make` builds, and builds it only if somebody listens. */
  emit(make: () => ClientEvent): void {
    if (this.#subject.observed) this.#subject.next(make());
  }
}
