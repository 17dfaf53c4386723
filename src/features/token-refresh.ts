import {
  catchError,
  concatWith,
  defer,
  EMPTY,
  finalize,
  from,
  ignoreElements,
  of,
  share,
  take,
  tap,
  throwError,
  timeout,
  type MonoTypeOperatorFunction,
  type Observable,
  type ObservableInput,
  type SchedulerLike,
} from 'rxjs';
import { BodyNotReplayableError, ConfigurationError, HttpError, RequestError, type RequestTarget } from '../core/errors.js';
import type { Feature } from '../core/feature.js';
import { isErrorOf } from '../core/guards.js';
import { resolveTimeout } from '../core/options.js';

/**
 * Renews the token after a 401: when what it returns resolves, emits or
 * completes, the refresh is done and the request is replayed, calling
 * `authHeaders` again (so `authHeaders` must be a function that reads the new
 * token). `signal` is aborted when every request waiting for the refresh has
 * been unsubscribed; an Observable is unsubscribed then.
 *
 * @example
 * ```ts
 * let token = initialToken;
 * const tokenRefresh: TokenRefresh = async (signal) => {
 *   token = (await (await fetch('https://auth.example.com/token', { method: 'POST', signal })).json()).access_token;
 * };
 * new AsyncAPIClient({ baseUrl, authHeaders: () => bearerTokenAuth(token) }, withTokenRefresh(tokenRefresh));
 * ```
 */
export type TokenRefresh = (signal: AbortSignal) => ObservableInput<unknown> | void;

/**
 * One token refresh at a time for a whole client (single flight): every
 * request that hits a 401 while a refresh runs waits for that same refresh;
 * the refresh is cancelled when none of them waits any more (rxjs `share`
 * reference counting). Each finished refresh moves `generation` on, so that a
 * request whose 401 answers a token older than the last refresh is replayed
 * without another refresh.
 *
 * @example
 * ```ts
 * const shared = new SharedTokenRefresh(tokenRefresh, 30_000, asyncScheduler);
 * const seen = shared.generation;       // before the attempt reads the token
 * shared.after(seen).pipe(concatWith(replay$)); // after its 401
 * ```
 */
export class SharedTokenRefresh {
  #generation = 0;
  readonly #refresh$: Observable<never>;
  readonly #scheduler: SchedulerLike;

  /** @param timeoutMs the longest a refresh may take (`Infinity` for no limit) */
  constructor(refresh: TokenRefresh, timeoutMs: number, scheduler: SchedulerLike) {
    this.#scheduler = scheduler;
    const run$ = defer(() => {
      const controller = new AbortController();
      let settled = false;
      const result = refresh(controller.signal);
      return (result === undefined || result === null ? of(undefined) : from(result)).pipe(
        take(1),
        ignoreElements(),
        tap({
          complete: () => {
            settled = true;
            this.#generation += 1;
          },
          error: () => (settled = true),
        }),
        // Unsubscribed before it settled: nobody waits any more, or it took too long.
        finalize(() => settled || controller.abort()),
      );
    });
    const limited$ =
      timeoutMs === Infinity
        ? run$
        : run$.pipe(timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new Error(`the token refresh took longer than ${timeoutMs} ms`)) }));
    this.#refresh$ = limited$.pipe(share());
  }

  /** How many refreshes have finished. Read it before an attempt reads its token. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Completes once the token is newer than generation `seen`: at once if a
   * refresh finished since, otherwise after the running refresh, started now
   * if none runs. Errors with the refresh's error, or after `limitMs` when the
   * refresh has not finished by then (this wait is given up; the refresh goes
   * on while another request waits for it).
   *
   * @param limitMs the longest this caller waits: its own timeout
   * @default limitMs Infinity
   */
  after(seen: number, limitMs = Infinity): Observable<never> {
    return defer(() => {
      if (this.#generation > seen) return EMPTY;
      if (limitMs === Infinity) return this.#refresh$;
      const tooLong = () => new Error(`the token refresh took longer than the request’s timeout of ${limitMs} ms`);
      return this.#refresh$.pipe(timeout({ first: limitMs, scheduler: this.#scheduler, with: () => throwError(tooLong) }));
    });
  }
}

/**
 * How {@link replayAfterRefresh} treats the request it replays.
 *
 * @example
 * ```ts
 * const options: ReplayOptions = { replayable: prepared.replayable }; // false for a one-shot stream body
 * attempt$.pipe(replayAfterRefresh(shared, () => seen, (cause) => new TokenRefreshError(cause, target, attempt), options));
 * ```
 */
export interface ReplayOptions {
  /**
   * `false` when the body is a stream that can be sent only once: a 401 then
   * ends the request with `BodyNotReplayableError` (the 401 as its `cause`,
   * its response unread), without a refresh, as a retry would.
   * @default true
   */
  readonly replayable?: boolean;
  /**
   * The longest the request waits for the refresh, in ms: its own timeout, so
   * that a refresh that never settles cannot hold it longer than its limits say.
   * @default Infinity
   */
  readonly waitMs?: number;
}

/**
 * After a 401, waits for `shared` to renew the token and re-subscribes the
 * source once (the replay reads the new token). A 401 after that, and any
 * other error, passes through; a failed refresh errors with what
 * `refreshFailed` makes of its error. Call it once per logical request: the
 * "once" survives the retries that re-subscribe it, until the source emits a
 * value. A stream that reconnects (`sse()`) may thus refresh again for a 401
 * after fresh events; a one-value request has ended by then.
 *
 * @param seenGeneration the `generation` read when the failed attempt took its token
 * @param options whether the request can be sent again (see {@link ReplayOptions})
 * @example
 * ```ts
 * attempt$.pipe(replayAfterRefresh(shared, () => seen, (cause) => new TokenRefreshError(cause, target, attempt)), retryWithPolicy(policy, scheduler));
 * ```
 */
export function replayAfterRefresh<T>(
  shared: SharedTokenRefresh,
  seenGeneration: () => number,
  refreshFailed: (cause: unknown) => unknown,
  options: ReplayOptions = {},
): MonoTypeOperatorFunction<T> {
  let replayed = false;
  return (source) => {
    // A value answers the last 401: the next one (a stream's reconnection that finds the token expired) may refresh again.
    const attempt$ = source.pipe(tap(() => (replayed = false)));
    return attempt$.pipe(
      catchError((error: unknown) => {
        if (replayed || !(error instanceof HttpError) || error.status !== 401) return throwError(() => error);
        // The stream was read as it was sent: a replay would send nothing (fetch fails), and the 401 would be lost.
        if (options.replayable === false) {
          return throwError(() => new BodyNotReplayableError(error, { method: error.method, url: error.url }, error.attempts));
        }
        replayed = true;
        // The 401 is answered by the replay: free its connection now.
        error.response.body?.cancel().catch(() => undefined);
        return shared.after(seenGeneration(), options.waitMs).pipe(
          catchError((cause: unknown) => throwError(() => refreshFailed(cause))),
          concatWith(attempt$),
        );
      }),
    );
  };
}

/**
 * A request got a 401, and the token refresh (`withTokenRefresh`) that should have renewed the
 * token failed (its error is the `cause`). Every request that was waiting for
 * that refresh ends with this error; none is replayed or retried.
 *
 * @example
 * ```ts
 * client.getJson('/me').subscribe({ error: (e) => isTokenRefreshError(e) && signInAgain() });
 * ```
 */
export class TokenRefreshError extends RequestError {
  /** `'TokenRefreshError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'TokenRefreshError';
  }

  constructor(cause: unknown, target: RequestTarget, attempts: number) {
    // The cause's message is left out: a refresh error may quote a refresh token or a credentialed URL.
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} got status 401 and the token refresh failed; the request was not replayed (see cause)`
        : 'token-refresh',
      target,
      attempts,
      {
        cause,
      },
    );
  }

  // Logs show only what kind of error the refresh ended with: its message may quote a refresh token.
  protected override shownCause(): unknown {
    return `[${this.cause instanceof Error ? this.cause.name : typeof this.cause}: not shown, read error.cause]`;
  }
}

/**
 * Whether `error` is a {@link TokenRefreshError}.
 * @example
 * ```ts
 * if (isTokenRefreshError(e)) signInAgain();
 * ```
 */
export const isTokenRefreshError = (error: unknown): error is TokenRefreshError => isErrorOf(error, 'TokenRefreshError');

/**
 * Renews the token after a 401: one refresh at a time for the whole client
 * (every request that hits a 401 meanwhile waits for the same one), then each
 * waiting request is replayed once, calling `authHeaders` again; a 401 after
 * the replay is final. A refresh that fails ends the waiting requests with
 * `TokenRefreshError`; one that takes longer than the client's `timeout` is
 * abandoned, and a request stops waiting for it after its own `timeout` (or
 * its deadline, with `withDeadline()`). Needs `authHeaders` to be a function that reads the current
 * token: with fixed headers the client is refused when it is made.
 *
 * @param refresh renews the token; see {@link TokenRefresh}
 * @example
 * ```ts
 * let token = initialToken;
 * const client = new AsyncAPIClient(
 *   { baseUrl: 'https://api.example.com', authHeaders: () => bearerTokenAuth(token) },
 *   withTokenRefresh(async (signal) => { token = await renew(signal); }),
 * );
 * ```
 */
export function withTokenRefresh(refresh: TokenRefresh): Feature {
  if (typeof refresh !== 'function') throw new ConfigurationError('withTokenRefresh needs a function that renews the token');
  return {
    order: 20,
    setup: ({ auth, timeout, scheduler, run }) => {
      if (auth.kind !== 'provider') {
        throw new ConfigurationError(
          'withTokenRefresh needs authHeaders to be a function that reads the current token, such as () => bearerTokenAuth(store.token): fixed headers would replay the old token',
        );
      }
      // The refresh in the host's context (Angular's injection context), when there is one.
      const shared = new SharedTokenRefresh(run ? (signal) => run(() => refresh(signal)) : refresh, timeout, scheduler);
      return {
        start: (request) => {
          const { target, replayable } = request;
          // The request's own timeout bounds its wait for the refresh, which is shared and bounded by the client's only.
          const waitMs = resolveTimeout(request.options.timeout, timeout);
          // The token generation when the last attempt started: a 401 after a newer one replays without refreshing.
          let seen = 0;
          return {
            attempts: (attempt$) =>
              defer(() => {
                seen = shared.generation;
                return attempt$;
              }).pipe(replayAfterRefresh(shared, () => seen, (cause) => new TokenRefreshError(cause, target, request.attempts), { replayable, waitMs })),
          };
        },
      };
    },
  };
}
