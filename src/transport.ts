import { catchError, throwError, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { NetworkError, RequestError, TimeoutError } from './errors.js';
import { attemptInit, type PreparedRequest } from './prepare.js';
import type { AttemptContext, ResponseReader } from './response.js';

/**
 * One attempt: `fetch` through `fromFetch`, the response handed to `read`
 * inside the attempt. Unsubscribing, or passing `timeoutMs` before `read`
 * is done, aborts the connection and the body read. Failures of the network
 * or of the body stream become {@link NetworkError}, the timeout
 * {@link TimeoutError}.
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
): Observable<T> {
  const context: AttemptContext = { target: request.target, attempt };
  const attempt$ = fromFetch(request.href, { ...attemptInit(request), selector: (response) => read(response, context) }).pipe(
    catchError((error: unknown) => throwError(() => toRequestError(error, context))),
  );
  if (timeoutMs === Infinity) return attempt$;
  return attempt$.pipe(
    timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new TimeoutError(timeoutMs, request.target, attempt)) }),
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
