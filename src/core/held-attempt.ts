import { catchError, defer, finalize, mergeMap, Observable, Subject, Subscription, tap, throwError, timeout, type MonoTypeOperatorFunction } from 'rxjs';
import { timed, toRequestError, withRequest, type AttemptOptions, type LaterRequest } from './attempt.js';
import { TimeoutError } from './errors.js';
import { fetchFollowingRedirects } from '#follow-redirects';
import type { SendableRequest } from './prepare.js';
import type { ResponseReader } from './context.js';

/**
 * One attempt whose fetch is held apart from its reading: what streams (many
 * values; the timeout covers the wait for the response only) and interceptors
 * (a chain that may take the first response and let go) need. The request
 * goes through the `intercept` of the options, if any, to the transport; the
 * final response is read by `read` inside the attempt, and the fetch stays
 * abortable until `read` is done (for a stream, until it ends). A stream's
 * `idleTimeout` bounds the wait for each of its values once the response
 * came (a `TimeoutError` whose `scope` is `'idle'`). Errors are classified as
 * `send` does. A client whose calls neither stream nor intercept never loads
 * this module.
 *
 * @example
 * ```ts
 * const stream: StreamReading = { ...PLAIN_STREAM, send: sendHeld };
 * ```
 */
export function sendHeld<T>(request$: LaterRequest | SendableRequest, read: ResponseReader<T>, options: AttemptOptions): Observable<T> {
  const { intercept } = options;
  const { context } = options;
  const classify = <V>(): MonoTypeOperatorFunction<V> => catchError((error: unknown) => throwError(() => toRequestError(error, context)));
  return defer(() => {
    // Completed once `read` has its answer: until then fromFetch keeps the fetch abortable, and
    // after it a downstream `first()` that unsubscribes no longer aborts the body it was handed.
    const readDone = new Subject<never>();
    const settle = () => readDone.complete();
    // The final response is emitted, and its fetch held open (abortable) until `read` is done.
    const held = (response: Response) =>
      new Observable<Response>((subscriber) => {
        const subscription = readDone.subscribe(subscriber);
        subscriber.next(response);
        return subscription;
      });
    const fetchOne = (request: SendableRequest) => fetchFollowingRedirects(request, context, options.redirects, held, options.transport).pipe(classify());
    // An interceptor's fetches end with the attempt, not with the interceptor chain (see withInterceptors).
    const fetches = new Subscription();
    const response$ = withRequest<Response>(request$, (sendable) => (intercept ? intercept(sendable, fetchOne, fetches, context) : fetchOne(sendable)));
    const idle = (options.stream as { readonly idleTimeout?: number } | undefined)?.idleTimeout;
    const readResponse = (response: Response): Observable<T> => {
      let values$ = defer(() => read(response, context));
      // The longest quiet spell of a stream, from its response to its first value and between values.
      if (idle && idle !== Infinity) {
        values$ = values$.pipe(
          timeout({ each: idle, scheduler: options.scheduler, with: () => throwError(() => new TimeoutError(idle, context.target, context.attempt, { scope: 'idle' })) }),
        );
      }
      return values$.pipe(classify(), tap({ next: () => options.stream || settle(), complete: settle, error: settle }));
    };
    const attempt$ = options.stream ? timed(response$, options).pipe(mergeMap(readResponse)) : timed(response$.pipe(mergeMap(readResponse)), options);
    return attempt$.pipe(finalize(() => fetches.unsubscribe()));
  });
}
