import {
  catchError,
  defer,
  mergeMap,
  Observable,
  Subject,
  tap,
  throwError,
  timeout,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { NetworkError, RequestError, TimeoutError } from './errors.js';
import { chainInterceptors, type HttpHandler, type Interceptor } from './interceptors.js';
import type { PreparedRequest } from './prepare.js';
import type { AttemptContext, ResponseReader } from './response.js';

/** How an attempt runs beyond the basics. */
export interface SendOptions {
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
 * One attempt: a fresh `Request` through the interceptors to `fetch` (through
 * `fromFetch`), the response handed to `read` inside the attempt. Unsubscribing,
 * or passing `timeoutMs`, aborts the connection and the body read: the fetch
 * stays abortable until `read` has its answer. Failures of the network or of
 * the body stream become {@link NetworkError}, the timeout {@link TimeoutError};
 * what an interceptor throws passes unchanged.
 *
 * @example
 * ```ts
 * send(prepared, readJson, 1, 30_000, asyncScheduler).subscribe(console.log);
 * ```
 */
export function send<T>(
  request: PreparedRequest,
  read: ResponseReader<T>,
  attempt: number,
  timeoutMs: number,
  scheduler: SchedulerLike,
  options: SendOptions = {},
): Observable<T> {
  const context: AttemptContext = { target: request.target, attempt };
  const classify = <V>(): MonoTypeOperatorFunction<V> => catchError((error: unknown) => throwError(() => toRequestError(error, context)));
  const timed = <V>(source: Observable<V>): Observable<V> =>
    timeoutMs === Infinity
      ? source
      : source.pipe(timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new TimeoutError(timeoutMs, request.target, attempt)) }));
  return defer(() => {
    // Completed once `read` has its answer: until then fromFetch keeps the fetch abortable.
    const readDone = new Subject<never>();
    const settle = () => readDone.complete();
    const transport: HttpHandler = (req) =>
      fromFetch(req, {
        signal: req.signal,
        // Subscribed before the response goes out, so that a `read` that settles at once
        // (a status error, a Response handed over) ends the fetch before anyone unsubscribes.
        selector: (response) =>
          new Observable<Response>((subscriber) => {
            const subscription = readDone.subscribe(subscriber);
            subscriber.next(response);
            return subscription;
          }),
      }).pipe(classify());
    const readResponse = (response: Response): Observable<T> =>
      defer(() => read(response, context)).pipe(
        classify(),
        tap({ next: () => options.stream || settle(), complete: settle, error: settle }),
      );
    const response$ = chainInterceptors(options.interceptors ?? [], transport)(new Request(request.href, request.init));
    return options.stream ? timed(response$).pipe(mergeMap(readResponse)) : timed(response$.pipe(mergeMap(readResponse)));
  });
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
