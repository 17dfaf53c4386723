import type { Observable } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import { LATER, QUERY_CREDENTIAL, toHeaderRecord, type HeadersLike } from '../core/headers.js';

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
 * A function that gives the auth headers of one attempt, at once. It is
 * called again for every attempt, retries and replays included, so it can
 * hand out the current token. A token that comes later (a Promise or an
 * Observable of headers) goes through `asyncAuth(provider)`, which makes
 * such a function.
 *
 * @example
 * ```ts
 * const provider: AuthProvider = () => bearerTokenAuth(session.token);
 * ```
 */
export type AuthProvider = () => HeadersLike | AuthRecord | AsyncAuthResult;

/**
 * What the function made by `asyncAuth()` gives (a function that returns a
 * Promise or an Observable of headers goes through `asyncAuth(fn)`, which is
 * why TypeScript names this type when one is passed bare): the credentials of one
 * attempt later. Given what sends the attempt with them, it returns the
 * Observable that waits for them and then sends it (within the attempt's
 * timeout, which the attempt applies).
 *
 * @example
 * ```ts
 * const auth = asyncAuth(() => tokenStore.current().then(bearerTokenAuth));
 * const later: AsyncAuthResult = auth() as AsyncAuthResult; // what the client calls for every attempt
 * ```
 */
export interface AsyncAuthResult {
  /** Sends the attempt with the credentials once they are known (`send`), and returns what it returns. */
  readonly [LATER]: <V>(send: (credentials: Credentials) => Observable<V>) => Observable<V>;
}

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
  /** The query-string API key, when `apiKeyAuth(key, { in: 'query' })` gave one. */
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
 * now, checked like fixed ones, or (a provider made by `asyncAuth()`) a
 * function that sends the attempt with them once they are known. A provider
 * that gives nothing, bad headers, or a Promise or an Observable without
 * `asyncAuth()` throws {@link ConfigurationError} (never retried); an error
 * the provider throws passes through unchanged.
 *
 * @example
 * ```ts
 * const credentials = credentialsOf(source);
 * typeof credentials === 'function' ? credentials(sendWith) : sendWith(credentials);
 * ```
 */
export function credentialsOf(source: AuthSource): Credentials | AsyncAuthResult[typeof LATER] {
  if (source.kind === 'fixed') return source.credentials;
  const given = source.provider();
  return (given as Partial<AsyncAuthResult> | null | undefined)?.[LATER] ?? readGiven(given as HeadersLike | AuthRecord | undefined);
}

/**
 * Headers that an auth function gave, checked: `undefined`, a Promise or an
 * Observable (without `asyncAuth()`, which waits for them) would otherwise
 * send the request without its credentials.
 *
 * @example
 * ```ts
 * readGiven(bearerTokenAuth('t')); // { headers: { authorization: 'Bearer t' } }
 * ```
 */
export function readGiven(given: HeadersLike | AuthRecord | undefined): Credentials {
  // What the messages call it (development builds only: production messages are codes).
  const where = process.env.NODE_ENV !== 'production' ? 'authHeaders (the function)' : '';
  if (given === undefined) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${where} gave undefined: return headers such as bearerTokenAuth(token), or {} for none` : 'auth');
  }
  const thenable = isThenable(given);
  if (thenable || isSubscribable(given)) {
    // Nobody waits for it: its rejection must not end the process as an unhandled one.
    if (thenable) given.then(undefined, () => undefined);
    throw new ConfigurationError(
      process.env.NODE_ENV !== 'production'
        ? `${where} gave a Promise or an Observable: wrap the function in asyncAuth(), as in authHeaders: asyncAuth(() => tokenStore.current().then(bearerTokenAuth))`
        : 'auth',
    );
  }
  return readCredentials(given, where);
}

function readCredentials(input: HeadersLike | AuthRecord, where: string): Credentials {
  if (input !== null && typeof input === 'object' && QUERY_CREDENTIAL in input) {
    const { [QUERY_CREDENTIAL]: query, ...headers } = input as AuthRecord;
    return { headers: toHeaderRecord(headers, where), query };
  }
  return { headers: toHeaderRecord(input, where) };
}

/**
 * Whether `value` is an Observable by its `subscribe`, as a thenable is known by its `then`: rxjs's, or
 * another library's. No rxjs import for a check. What `asyncAuth()` waits for, and the core refuses.
 */
export function isSubscribable(value: unknown): boolean {
  return typeof (value as { subscribe?: unknown } | null | undefined)?.subscribe === 'function';
}

/** Whether `value` is a Promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}
