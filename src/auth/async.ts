import { defer, map, switchMap, take, throwIfEmpty, type Observable, type ObservableInput } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import { LATER, type HeadersLike } from '../core/headers.js';
import { isSubscribable, isThenable, readGiven, type AsyncAuthResult, type AuthProvider, type AuthRecord } from './provider.js';

/*
 * Auth headers that come later: a token from an async store, a refresh in flight, an OAuth library's
 * Observable. Opt-in, so that a client whose headers are at hand (fixed, or a function that reads the current
 * token) carries none of the rxjs operators that waiting for them takes.
 */

/**
 * A function that gives the auth headers of one attempt, now or later: the
 * headers, a Promise of them, or an Observable of them (its first value).
 *
 * @example
 * ```ts
 * const provider: AsyncAuthProvider = () => tokenStore.current().then((token) => bearerTokenAuth(token));
 * ```
 */
export type AsyncAuthProvider = () => HeadersLike | AuthRecord | PromiseLike<HeadersLike | AuthRecord> | Observable<HeadersLike | AuthRecord>;

/**
 * Auth headers that come later, for `authHeaders`: `provider` is called for
 * every attempt (retries and replays included, in Angular's injection
 * context under `provideApiClient`), and the attempt waits for its Promise,
 * or for the first value of its Observable, within the attempt's timeout.
 * Headers it gives are checked like fixed ones; an Observable that completes
 * empty, `undefined` or bad headers end the request with a
 * `ConfigurationError` (never retried); an error of its own passes through
 * unchanged.
 *
 * @param provider gives the headers of one attempt, or a Promise or an Observable of them
 * @returns an auth function for `authHeaders`
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com', authHeaders: asyncAuth(() => oidc.getAccessToken().then(bearerTokenAuth)) });
 * ```
 */
export function asyncAuth(provider: AsyncAuthProvider): AuthProvider {
  if (typeof provider !== 'function') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'asyncAuth needs a function that gives headers, a Promise or an Observable of them' : 'auth');
  }
  return () => {
    const given = provider();
    // asyncAuth(asyncAuth(fn)), in plain JavaScript: what it gives waits already.
    if ((given as Partial<AsyncAuthResult> | null | undefined)?.[LATER]) return given as unknown as AsyncAuthResult;
    return {
      // A Headers object and an array of pairs are iterable: only Observables and thenables are waited for, known
      // as the core knows them when it refuses them without asyncAuth() (another library's Observable too).
      [LATER]: (send) =>
        defer(() => (isThenable(given) || isSubscribable(given) ? given : [given]) as ObservableInput<HeadersLike | AuthRecord>).pipe(
          take(1),
          throwIfEmpty(
            () => new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'authHeaders (the function) completed without giving headers: emit or resolve headers such as bearerTokenAuth(token)' : 'auth'),
          ),
          map(readGiven),
          switchMap(send),
        ),
    };
  };
}
