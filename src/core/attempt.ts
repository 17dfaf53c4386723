import { defer, Observable, throwError, timeout, type ObservableInput, type SchedulerLike, type Subscription } from 'rxjs';
import { NetworkError, RequestError, TimeoutError } from './errors.js';
import { fetchFollowingRedirects } from '#follow-redirects';
import type { RedirectOptions } from './follow-redirects.js';
import type { SendableRequest } from './prepare.js';
import type { AttemptContext, ResponseReader } from './context.js';
import type { Transport } from './transport.js';

/**
 * Sends one fetch of an attempt: what an {@link Intercept} calls with the
 * request it wants sent.
 */
export type FetchOne = (request: SendableRequest) => Observable<Response>;

/**
 * Stands around the transport for every fetch of an attempt (the interceptors
 * feature). `attempt` ends with the attempt: a fetch added to it may outlive
 * the interceptor chain's own subscription, until the attempt is over. `context`
 * is the attempt's: its target and number, for the errors the feature raises.
 */
export type Intercept = (request: SendableRequest, fetch: FetchOne, attempt: Subscription, context: AttemptContext) => Observable<Response>;

/** How one attempt runs. */
export interface AttemptOptions {
  readonly context: AttemptContext;
  /** The limit of the attempt, from its credentials to `read` being done (to the response, for a stream); `Infinity` for none. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly redirects: RedirectOptions;
  /** Stands around every fetch of the attempt (the interceptors feature). */
  readonly intercept?: Intercept | undefined;
  /** What each fetch goes through. @default fetchTransport */
  readonly transport?: Transport;
  /**
   * `false`: the first value of `read` is the whole answer; the timeout runs
   * until it. Set (a stream, its `StreamReading`): the timeout covers the wait
   * for the response only, and the connection stays abortable until `read`
   * ends; its `idleTimeout` (ms) is the longest wait for each value of `read`
   * once the response came.
   * @default false
   */
  readonly stream?: boolean | { readonly idleTimeout?: number | undefined } | undefined;
}

/**
 * One attempt: the request (once its credentials are known) through the
 * features' `intercept` to `fetch` (through `fromFetch`, redirects followed), the final
 * response handed to `read` inside the attempt. Unsubscribing, or passing
 * `timeoutMs`, aborts the connection and the body read: the fetch stays
 * abortable until `read` has its answer. Failures of the network or of the
 * body stream become {@link NetworkError}, the timeout {@link TimeoutError};
 * what an interceptor or an auth function throws passes unchanged.
 *
 * @param request$ the request of this attempt, or (when it waits for a token: `asyncAuth()`) what sends it once known
 * @example
 * ```ts
 * send(authorize(prepared, credentials), readJson, { context, timeoutMs: 30_000, scheduler: asyncScheduler, redirects })
 *   .subscribe(console.log);
 * ```
 */
export function send<T>(request$: LaterRequest | SendableRequest, read: ResponseReader<T>, options: AttemptOptions): Observable<T> {
  // `read` runs as the transport's selector, so the fetch stays abortable until it is done.
  return timed(withRequest(request$, (request) => readWhileHeld(request, read, options)), options);
}

/**
 * How an attempt is sent: {@link send} for one value, or the held attempt
 * of ./held-attempt.ts that streams and interceptors bring with them.
 */
export type Sender = typeof send;

/**
 * The request of an attempt that waits for its credentials (`asyncAuth()`): given what sends the request,
 * the Observable that sends it once it is known. The waiting (its rxjs operators) is the opt-in module's.
 */
export type LaterRequest = <V>(sendRequest: (request: SendableRequest) => Observable<V>) => Observable<V>;

/** The request, once it is known (after an `asyncAuth()` function), sent by `sendRequest`. */
export function withRequest<V>(request$: LaterRequest | SendableRequest, sendRequest: (request: SendableRequest) => Observable<V>): Observable<V> {
  return typeof request$ === 'function' ? request$(sendRequest) : sendRequest(request$);
}

/** `source` within the attempt's `timeoutMs`, after which it errors with {@link TimeoutError}. */
export function timed<V>(source: Observable<V>, { timeoutMs, scheduler, context }: AttemptOptions): Observable<V> {
  if (timeoutMs === Infinity) return source;
  return source.pipe(timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new TimeoutError(timeoutMs, context.target, context.attempt)) }));
}

/**
 * One fetch (redirects followed) whose final response is read by `read`
 * while the fetch is held, so unsubscribing aborts the body read too. Its one
 * value goes out only once the fetch has let go: a `first()` downstream that
 * unsubscribes on it does not abort the body of the `Response` it was handed.
 * Errors are classified as {@link send} says.
 */
function readWhileHeld<T>(request: SendableRequest, read: ResponseReader<T>, options: AttemptOptions): Observable<T> {
  const { context } = options;
  return new Observable<T>((subscriber) => {
    let answer: { readonly value: T } | undefined;
    // What the selector emits is ignored below: only `answer`, taken once the fetch has let go, goes out.
    const select = (response: Response): ObservableInput<unknown> => {
      const result = read(response, context);
      if (result instanceof Promise) return result.then((value: T) => void (answer ??= { value }));
      // The first value is the whole answer (as AttemptOptions.stream says): the read ends with it.
      return new Observable<never>((reading) =>
        defer(() => result).subscribe({
          next: (value) => {
            answer = { value };
            reading.complete();
          },
          error: (error: unknown) => reading.error(error),
          complete: () => reading.complete(),
        }),
      );
    };
    return fetchFollowingRedirects(request, context, options.redirects, select, options.transport).subscribe({
      error: (error: unknown) => subscriber.error(toRequestError(error, context)),
      complete: () => {
        if (answer) subscriber.next(answer.value);
        subscriber.complete();
      },
    });
  });
}

/**
 * What `fetch` and body reads reject with when the network fails is a
 * `TypeError` (a `DOMException` named `NetworkError` in some browsers); those
 * become {@link NetworkError}. The client's own errors, and anything else (an
 * `AbortError` from elsewhere, a bug in a reader), pass through unchanged and
 * are not retried.
 */
export function toRequestError(error: unknown, context: AttemptContext): unknown {
  if (error instanceof RequestError) return error;
  if (error instanceof TypeError || (error instanceof Error && error.name === 'NetworkError')) {
    return new NetworkError(error, context.target, context.attempt);
  }
  return error;
}
