import {
  catchError,
  defer,
  mergeMap,
  Observable,
  Subject,
  switchMap,
  tap,
  throwError,
  timeout,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { NetworkError, RequestError, TimeoutError } from './errors.js';
import { fetchFollowingRedirects, type RedirectOptions } from './follow-redirects.js';
import { chainInterceptors, type Interceptor } from './interceptors.js';
import type { SendableRequest } from './prepare.js';
import type { AttemptContext, ResponseReader } from './response.js';

/** How one attempt runs. */
export interface AttemptOptions {
  readonly context: AttemptContext;
  /** The limit of the attempt, from its credentials to `read` being done (to the response, for a stream); `Infinity` for none. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly redirects: RedirectOptions;
  /** Run in order around the transport, on this attempt's `Request`. */
  readonly interceptors?: readonly Interceptor[];
  /**
   * `false`: the first value of `read` is the whole answer; the timeout runs
   * until it. `true` (a stream): the timeout covers the wait for the response
   * only, and the connection stays abortable until `read` ends.
   * @default false
   */
  readonly stream?: boolean;
}

/**
 * One attempt: the request (once its credentials are known) through the
 * interceptors to `fetch` (through `fromFetch`, redirects followed), the final
 * response handed to `read` inside the attempt. Unsubscribing, or passing
 * `timeoutMs`, aborts the connection and the body read: the fetch stays
 * abortable until `read` has its answer. Failures of the network or of the
 * body stream become {@link NetworkError}, the timeout {@link TimeoutError};
 * what an interceptor or an auth function throws passes unchanged.
 *
 * @param request$ the request of this attempt: it may wait for a token
 * @example
 * ```ts
 * send(of(authorize(prepared, credentials)), readJson, { context, timeoutMs: 30_000, scheduler: asyncScheduler, redirects })
 *   .subscribe(console.log);
 * ```
 */
export function send<T>(request$: Observable<SendableRequest>, read: ResponseReader<T>, options: AttemptOptions): Observable<T> {
  const { context, timeoutMs, scheduler } = options;
  const interceptors = options.interceptors ?? [];
  const classify = <V>(): MonoTypeOperatorFunction<V> => catchError((error: unknown) => throwError(() => toRequestError(error, context)));
  const timed = <V>(source: Observable<V>): Observable<V> =>
    timeoutMs === Infinity
      ? source
      : source.pipe(timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new TimeoutError(timeoutMs, context.target, context.attempt)) }));
  return defer(() => {
    // Completed once `read` has its answer: until then fromFetch keeps the fetch abortable, and
    // after it a downstream `first()` that unsubscribes no longer aborts the body it was handed.
    const readDone = new Subject<never>();
    const settle = () => readDone.complete();
    const fetchOne = (request: SendableRequest) => fetchFollowingRedirects(request, context, options.redirects, readDone).pipe(classify());
    const response$ = request$.pipe(
      switchMap((sendable) => {
        if (interceptors.length === 0) return fetchOne(sendable);
        const original = new Request(sendable.url.href, sendable.init);
        // Passed on as it is, the request keeps its prepared body (a string, not a stream read once).
        return chainInterceptors(interceptors, (request) => fetchOne(request === original ? sendable : fromRequest(request, sendable)))(original);
      }),
    );
    const readResponse = (response: Response): Observable<T> =>
      defer(() => read(response, context)).pipe(classify(), tap({ next: () => options.stream || settle(), complete: settle, error: settle }));
    return options.stream ? timed(response$).pipe(mergeMap(readResponse)) : timed(response$.pipe(mergeMap(readResponse)));
  });
}

/**
 * The sendable form of a `Request` an interceptor made: its URL, method,
 * headers, body and signal. The auth header names and query credential stay
 * those of the attempt, so a redirect to another origin still drops them.
 */
function fromRequest(request: Request, attempt: SendableRequest): SendableRequest {
  const init: SendableRequest['init'] = { method: request.method, headers: Object.fromEntries(request.headers), signal: request.signal };
  if (request.body !== null) {
    init.body = request.body;
    init.duplex = 'half';
  }
  return { url: new URL(request.url), init, authNames: attempt.authNames, query: attempt.query };
}

/**
 * What `fetch` and body reads reject with when the network fails is a
 * `TypeError` (a `DOMException` named `NetworkError` in some browsers); those
 * become {@link NetworkError}. The client's own errors, and anything else (an
 * `AbortError` from elsewhere, a bug in a reader), pass through unchanged and
 * are not retried.
 */
function toRequestError(error: unknown, context: AttemptContext): unknown {
  if (error instanceof RequestError) return error;
  if (error instanceof TypeError || (error instanceof Error && error.name === 'NetworkError')) {
    return new NetworkError(error, context.target, context.attempt);
  }
  return error;
}
