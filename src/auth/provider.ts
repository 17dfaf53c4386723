import { defer, isObservable, map, take, throwIfEmpty, type Observable } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import { QUERY_CREDENTIAL, toHeaderRecord, type HeadersLike } from '../core/headers.js';

/**
 * An API key sent in the query string, from `apiKeyAuth(key, { in: 'query' })`.
 *
 * @example
 * ```ts
 * const credential: QueryCredential = { name: 'api_key', value: 'k-123' }; // sent as ?api_key=k-123
 * ```
 */
export interface QueryCredential {
  /** The query parameter's name. */
  readonly name: string;
  /** The API key: the parameter's value, percent-encoded when it is sent, never shown in errors or events. */
  readonly value: string;
}

/**
 * Headers that may also carry a query-string API key (see `apiKeyAuth`).
 *
 * @example
 * ```ts
 * const auth: AuthRecord = { ...bearerTokenAuth(token), ...apiKeyAuth(key, { in: 'query' }) };
 * ```
 */
export type AuthRecord = Readonly<Record<string, string>> & {
  /** The query-string API key of `apiKeyAuth(key, { in: 'query' })`, under a symbol so that it is never taken for a header. */
  readonly [QUERY_CREDENTIAL]?: QueryCredential;
};

/**
 * A function that gives the auth headers of one attempt: the headers
 * themselves, a Promise of them or an Observable of them (its first value is
 * used). It is called again for every attempt, retries and replays included,
 * so it can hand out the current token.
 *
 * @example
 * ```ts
 * const provider: AuthProvider = () => tokenStore.current().then((token) => bearerTokenAuth(token));
 * ```
 */
export type AuthProvider = () => HeadersLike | AuthRecord | PromiseLike<HeadersLike | AuthRecord> | Observable<HeadersLike | AuthRecord>;

/**
 * What `authHeaders` accepts: fixed headers, or a function called for every attempt.
 *
 * @example
 * ```ts
 * const fixed: AuthHeaders = bearerTokenAuth(token);
 * const current: AuthHeaders = () => bearerTokenAuth(store.token);
 * ```
 */
export type AuthHeaders = HeadersLike | AuthRecord | AuthProvider;

/**
 * The credentials of one attempt, checked.
 *
 * @example
 * ```ts
 * credentialsOf(resolveAuthSource(apiKeyAuth('k-123', { in: 'query' })))
 *   .subscribe(({ headers, query }) => console.log(headers, query)); // {} { name: 'api_key', value: 'k-123' }
 * ```
 */
export interface Credentials {
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query?: QueryCredential;
}

/**
 * `authHeaders` once checked: fixed credentials, or a provider to call per attempt.
 *
 * @example
 * ```ts
 * const source: AuthSource = resolveAuthSource(bearerTokenAuth('t'));
 * if (source.kind === 'fixed') console.log(Object.keys(source.credentials.headers)); // ['authorization']
 * ```
 */
export type AuthSource = { readonly kind: 'fixed'; readonly credentials: Credentials } | { readonly kind: 'provider'; readonly provider: AuthProvider };

const NO_CREDENTIALS: Credentials = { headers: {} };

/**
 * Checks `authHeaders` when the client is made: fixed headers are validated
 * at once (a bad one throws {@link ConfigurationError} naming the header, never
 * its value); a function is kept to be called for every attempt.
 *
 * @example
 * ```ts
 * resolveAuthSource(bearerTokenAuth('t'));  // { kind: 'fixed', credentials: { headers: { authorization: 'Bearer t' } } }
 * resolveAuthSource(() => bearerTokenAuth(store.token)); // { kind: 'provider', provider }
 * ```
 */
export function resolveAuthSource(input: AuthHeaders | undefined): AuthSource {
  if (typeof input === 'function') return { kind: 'provider', provider: input };
  return { kind: 'fixed', credentials: input === undefined ? NO_CREDENTIALS : readCredentials(input, process.env.NODE_ENV !== 'production' ? 'authHeaders' : '') };
}

/**
 * The credentials of one attempt: the fixed ones, or what the provider gives
 * now. Headers from a provider are checked like fixed ones; a provider that
 * gives nothing, or bad headers, errors with {@link ConfigurationError} (never
 * retried). An error the provider throws passes through unchanged.
 *
 * @example
 * ```ts
 * defer(() => credentialsOf(source).pipe(switchMap((credentials) => sendWith(credentials))));
 * ```
 */
export function credentialsOf(source: AuthSource): Observable<Credentials> {
  if (source.kind === 'fixed') return defer(() => [source.credentials]);
  // What the messages call it (development builds only: production messages are codes).
  const where = process.env.NODE_ENV !== 'production' ? 'authHeaders (the function)' : '';
  return defer(() => {
    const given = source.provider();
    // A Headers object and an array of pairs are iterable: only Observables and thenables are awaited.
    return isObservable(given) || isThenable(given) ? given : [given];
  }).pipe(
    take(1),
    throwIfEmpty(() => new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${where} completed without giving headers: emit or resolve headers such as bearerTokenAuth(token)` : 'auth')),
    map((headers) => {
      if (headers === undefined) {
        throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${where} gave undefined: return headers such as bearerTokenAuth(token), or {} for none` : 'auth');
      }
      return readCredentials(headers, where);
    }),
  );
}

function readCredentials(input: HeadersLike | AuthRecord, where: string): Credentials {
  if (input !== null && typeof input === 'object' && QUERY_CREDENTIAL in input) {
    const { [QUERY_CREDENTIAL]: query, ...headers } = input as AuthRecord;
    return { headers: toHeaderRecord(headers, where), query };
  }
  return { headers: toHeaderRecord(input, where) };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}
