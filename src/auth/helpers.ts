import { ConfigurationError } from '../core/errors.js';
import type { AuthRecord } from './provider.js';
import { checkHeader, QUERY_CREDENTIAL } from '../core/headers.js';

function checkSecret(value: string, what: string, header?: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${what} is empty: pass the ${what} itself (check that the variable it comes from is set)` : 'auth');
  }
  // A query value is percent-encoded by URLSearchParams: only a header value has characters that cannot be sent.
  if (header !== undefined) checkHeader(header, value, what);
}

/**
 * The header of a Bearer token: `{ Authorization: 'Bearer <token>' }`.
 * Throws {@link ConfigurationError} for an empty token or one with CR/LF.
 *
 * @example
 * ```ts
 * new AsyncAPIClient('https://api.example.com', bearerTokenAuth(process.env.API_TOKEN!));
 * ```
 */
export function bearerTokenAuth(token: string): {
  /** `Bearer <token>`: the value of the `Authorization` header. */
  Authorization: string;
} {
  checkSecret(token, 'token', 'Authorization');
  return { Authorization: `Bearer ${token}` };
}

/**
 * Where `apiKeyAuth` puts the key, and under which name.
 *
 * @example
 * ```ts
 * apiKeyAuth(key, { in: 'query', name: 'key' } satisfies ApiKeyOptions);
 * ```
 */
export interface ApiKeyOptions {
  /**
   * `'header'`, or `'query'` for APIs that only take the key in the query
   * string (it is then kept out of every URL that errors and events show).
   * @default 'header'
   */
  in?: 'header' | 'query';
  /**
   * The header or query parameter name.
   * @default 'X-API-Key' in a header, 'api_key' in the query
   */
  name?: string;
}

/**
 * An API key in a header of your choice: `{ [headerName]: apiKey }`; or, with
 * `{ in: 'query' }`, in the query string of every request (pass the result as
 * `authHeaders`, alone or spread with other helpers).
 *
 * @param headerName the header that carries the key
 * @default headerName 'X-API-Key'
 * @example
 * ```ts
 * apiKeyAuth('k-123');                   // { 'X-API-Key': 'k-123' }
 * apiKeyAuth('k-123', 'X-Goog-Api-Key'); // { 'X-Goog-Api-Key': 'k-123' }
 * new AsyncAPIClient({ baseUrl, authHeaders: apiKeyAuth('k-123', { in: 'query', name: 'key' }) }); // ...?key=k-123
 * ```
 */
export function apiKeyAuth(apiKey: string, headerName?: string): Record<string, string>;
/**
 * An API key placed by {@link ApiKeyOptions}: in a header named `name`, or
 * with `in: 'query'` in the query string of every request.
 *
 * @example
 * ```ts
 * apiKeyAuth('k-123', { name: 'X-Goog-Api-Key' }); // { 'X-Goog-Api-Key': 'k-123' }
 * new AsyncAPIClient({ baseUrl, authHeaders: apiKeyAuth('k-123', { in: 'query', name: 'key' }) }); // ...?key=k-123
 * ```
 */
export function apiKeyAuth(apiKey: string, options: ApiKeyOptions): AuthRecord;
/**
 * The implementation of both overloads above: a header name is read as `{ name }`.
 *
 * @example
 * ```ts
 * apiKeyAuth('k-123', 'X-Key'); // the same as apiKeyAuth('k-123', { name: 'X-Key' })
 * ```
 */
export function apiKeyAuth(apiKey: string, nameOrOptions: string | ApiKeyOptions = 'X-API-Key'): AuthRecord {
  const options: ApiKeyOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  if (options.in === 'query') {
    const name = options.name ?? 'api_key';
    if (typeof name !== 'string' || name === '') throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'apiKeyAuth: the query parameter name must be a non-empty string' : 'auth');
    checkSecret(apiKey, 'API key');
    return { [QUERY_CREDENTIAL]: { name, value: apiKey } };
  }
  if (options.in !== undefined && options.in !== 'header') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `apiKeyAuth: "in" must be 'header' or 'query', not ${JSON.stringify(String(options.in))}` : 'auth');
  }
  const headerName = options.name ?? 'X-API-Key';
  checkHeader(headerName, '', 'apiKeyAuth headerName');
  checkSecret(apiKey, 'API key', headerName);
  return { [headerName]: apiKey };
}

/**
 * HTTP Basic auth (RFC 7617): `{ Authorization: 'Basic <base64 of user:password>' }`,
 * UTF-8 encoded. Throws {@link ConfigurationError} for an empty user, a user
 * with `:`, or a control character in either, never showing the password.
 *
 * @param password may be empty (some APIs take a key as the user and no password)
 * @example
 * ```ts
 * basicAuth('aladdin', 'open sesame'); // { Authorization: 'Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==' }
 * ```
 */
export function basicAuth(user: string, password: string): {
  /** `Basic <base64 of user:password>`: the value of the `Authorization` header. */
  Authorization: string;
} {
  if (typeof user !== 'string' || user === '') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'basicAuth: the user is empty: pass the user name (check that the variable it comes from is set)' : 'auth');
  }
  if (user.includes(':')) throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'basicAuth: the user must not contain ":" (RFC 7617); the value is not shown' : 'auth');
  if (typeof password !== 'string') throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `basicAuth: the password must be a string, not ${typeof password}` : 'auth');
  if (CONTROL.test(user) || CONTROL.test(password)) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'basicAuth: the user or the password holds a control character (CR, LF, NUL...); the value is not shown' : 'auth');
  }
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { Authorization: `Basic ${btoa(binary)}` };
}

// RFC 7617 forbids control characters in user-id and password.
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The header of an OAuth 2.0 access token; the same as {@link bearerTokenAuth}
 * (RFC 6750).
 *
 * @example
 * ```ts
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', authHeaders: oauthTokenAuth(accessToken) });
 * ```
 */
export function oauthTokenAuth(accessToken: string): {
  /** `Bearer <access token>`: the value of the `Authorization` header. */
  Authorization: string;
} {
  return bearerTokenAuth(accessToken);
}
