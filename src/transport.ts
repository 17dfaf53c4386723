import { catchError, switchMap, throwError, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { NetworkError, RequestError, TimeoutError } from './errors.js';
import { fetchFollowingRedirects, type RedirectOptions } from './follow-redirects.js';
import type { SendableRequest } from './prepare.js';
import type { AttemptContext, ResponseReader } from './response.js';

/** How one attempt runs. */
export interface AttemptOptions {
  readonly context: AttemptContext;
  /** The limit of the attempt, from its credentials to `read` being done; `Infinity` for none. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly redirects: RedirectOptions;
}

/**
 * One attempt: the request (once its credentials are known), sent through
 * `fromFetch`, redirects followed, the final response handed to `read` inside
 * the attempt. Unsubscribing, or passing `timeoutMs` before `read` is done,
 * aborts the connection and the body read. Failures of the network or of the
 * body stream become {@link NetworkError}, the timeout {@link TimeoutError}.
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
  const attempt$ = request$.pipe(
    switchMap((request) =>
      fetchFollowingRedirects(request, (response) => read(response, context), context, options.redirects).pipe(
        // Only what fetch and the reader throw: an error of an auth function passes through unchanged.
        catchError((error: unknown) => throwError(() => toRequestError(error, context))),
      ),
    ),
  );
  if (timeoutMs === Infinity) return attempt$;
  return attempt$.pipe(
    timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new TimeoutError(timeoutMs, context.target, context.attempt)) }),
  );
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
