import {
  catchError,
  defer,
  finalize,
  from,
  isObservable,
  mergeMap,
  Observable,
  Subject,
  Subscription,
  switchMap,
  take,
  tap,
  throwError,
  throwIfEmpty,
  timeout,
  type MonoTypeOperatorFunction,
  type ObservableInput,
  type SchedulerLike,
} from 'rxjs';
import { ConfigurationError, NetworkError, RequestError, TimeoutError } from './errors.js';
import type { Transport } from './fetch-transport.js';
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
  /** What each fetch goes through. @default fetchTransport */
  readonly transport?: Transport;
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
 * @param request$ the request of this attempt, or an Observable of it when it waits for a token
 * @example
 * ```ts
 * send(of(authorize(prepared, credentials)), readJson, { context, timeoutMs: 30_000, scheduler: asyncScheduler, redirects })
 *   .subscribe(console.log);
 * ```
 */
export function send<T>(request$: Observable<SendableRequest> | SendableRequest, read: ResponseReader<T>, options: AttemptOptions): Observable<T> {
  const interceptors = options.interceptors ?? [];
  const withRequest = <V>(sendRequest: (request: SendableRequest) => Observable<V>): Observable<V> =>
    isObservable(request$) ? request$.pipe(switchMap(sendRequest)) : sendRequest(request$);
  if (interceptors.length === 0 && !options.stream) {
    // The common case, kept short: `read` runs as the transport's selector, so the fetch stays abortable until it is done.
    return timed(withRequest((request) => readWhileHeld(request, read, options)), options);
  }
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
    // The fetches of this attempt: they end with the attempt, not with the interceptor chain.
    const fetches = new Subscription();
    const fetchOne = (request: SendableRequest) => heldByAttempt(fetchFollowingRedirects(request, context, options.redirects, held, options.transport).pipe(classify()), fetches);
    const response$ = withRequest((sendable) => {
      if (interceptors.length === 0) return fetchOne(sendable);
      const original = new Request(sendable.url.href, sendable.init);
      // Passed on as it is, the request keeps its prepared body (a string, not a stream read once).
      const last = (request: Request) => (request === original ? fetchOne(sendable) : fromRequest(request, sendable).pipe(switchMap(fetchOne)));
      return chainInterceptors(interceptors, last)(original).pipe(
        take(1),
        throwIfEmpty(() => new ConfigurationError('the interceptors completed without a response: each must emit the Response of next(request), or one of its own')),
      );
    });
    const readResponse = (response: Response): Observable<T> =>
      defer(() => {
        // A Response handed out twice (a cache interceptor without clone()) cannot be read again; fetch would call it a network error.
        if (response.bodyUsed || response.body?.locked) {
          throw new ConfigurationError('the response body was already read: an interceptor that caches responses must hand out response.clone()');
        }
        return read(response, context);
      }).pipe(classify(), tap({ next: () => options.stream || settle(), complete: settle, error: settle }));
    const attempt$ = options.stream ? timed(response$, options).pipe(mergeMap(readResponse)) : timed(response$.pipe(mergeMap(readResponse)), options);
    return attempt$.pipe(finalize(() => fetches.unsubscribe()));
  });
}

/** `source` within the attempt's `timeoutMs`, after which it errors with {@link TimeoutError}. */
function timed<V>(source: Observable<V>, { timeoutMs, scheduler, context }: AttemptOptions): Observable<V> {
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
        from(result).subscribe({
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
 * Runs a fetch on behalf of the attempt: the first response is passed on and
 * the Observable completes, while the fetch itself stays subscribed in
 * `owner` (its body abortable) until it ends or the attempt does. So an
 * interceptor that takes the first response and lets go (`take(1)`,
 * `firstValueFrom`) does not abort the body the reader is about to read;
 * letting go before the response still aborts the fetch.
 */
function heldByAttempt(fetch$: Observable<Response>, owner: Subscription): Observable<Response> {
  return new Observable<Response>((subscriber) => {
    let answered = false;
    const subscription = fetch$.subscribe({
      next: (response) => {
        answered = true;
        subscriber.next(response);
        subscriber.complete();
      },
      error: (error: unknown) => subscriber.error(error),
    });
    owner.add(subscription);
    return () => {
      if (!answered) subscription.unsubscribe();
    };
  });
}

// RequestInit fields an interceptor may set on its Request, besides method, headers and body;
// `redirect` stays the client's, as it follows redirects itself where it can.
const REQUEST_FIELDS = ['cache', 'credentials', 'integrity', 'keepalive', 'mode', 'referrer', 'referrerPolicy'] as const;
let defaultRequest: Request | undefined;

/**
 * The sendable form of a `Request` an interceptor made: its URL, method,
 * headers, body, signal and other fetch options. The body is read into a
 * buffer (what the interceptor made of it, exactly), so it keeps a
 * content-length and can follow a 307; only a stream upload stays a stream.
 * The auth header names and query credential stay those of the attempt, so a
 * redirect to another origin still drops them.
 */
function fromRequest(request: Request, attempt: SendableRequest): Observable<SendableRequest> {
  return defer(async () => {
    const init: SendableRequest['init'] = { method: request.method, headers: Object.fromEntries(request.headers), signal: request.signal };
    for (const field of REQUEST_FIELDS) {
      // Only what differs from a plain Request: the runtime's defaults stay implicit.
      defaultRequest ??= new Request('http://localhost/');
      if (request[field] !== defaultRequest[field]) (init as unknown as Record<string, unknown>)[field] = request[field];
    }
    if (request.body !== null) {
      if (typeof ReadableStream !== 'undefined' && attempt.init.body instanceof ReadableStream) {
        init.body = request.body;
        init.duplex = 'half';
      } else {
        init.body = await request.arrayBuffer();
      }
    }
    return { url: new URL(request.url), init, authNames: attempt.authNames, query: attempt.query };
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
