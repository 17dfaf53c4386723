import { ConfigurationError } from './errors.js';

/**
 * Headers as the platform's `Headers` constructor takes them: a record, a
 * `Headers` object (any realm's: undici's own too), a `Map` or any other
 * iterable of `[name, value]` pairs. A name given twice keeps both values,
 * joined with `, `, as `Headers` does.
 *
 * @example
 * ```ts
 * const record: HeadersLike = { 'X-Trace': '1' };
 * const pairs: HeadersLike = [['X-Trace', '1']];
 * const map: HeadersLike = new Map([['X-Trace', '1']]);
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', headers: new Headers(record) });
 * ```
 */
export type HeadersLike = Readonly<Record<string, string>> | Headers | Iterable<readonly [string, string]>;

/**
 * The key under which `apiKeyAuth(key, { in: 'query' })` puts its query-string
 * credential in a header record: a symbol, so that spreading helpers together
 * keeps it and `JSON.stringify` never shows it; a registered one
 * (`Symbol.for`), so that the helper of one build (ESM or CommonJS) and the
 * client of the other, in one app, agree on it.
 *
 * @example
 * ```ts
 * apiKeyAuth('k', { in: 'query' })[QUERY_CREDENTIAL]; // { name: 'api_key', value: 'k' }
 * ```
 */
export const QUERY_CREDENTIAL: unique symbol = Symbol.for('rx-api-client.query-credential');

/**
 * The key under which the function that `asyncAuth()` makes gives an
 * attempt's credentials later: what sends the attempt once they are known.
 * Registered (`Symbol.for`), as {@link QUERY_CREDENTIAL} is, so that both
 * builds of one app agree on it: a copy's own symbol would read the value as
 * headers, and send the request without its credentials.
 *
 * @example
 * ```ts
 * asyncAuth(() => Promise.resolve(bearerTokenAuth('t')))()[LATER]((credentials) => of(credentials)).subscribe(console.log);
 * ```
 */
export const LATER: unique symbol = Symbol.for('rx-api-client.later-credentials');

// RFC 9110 token: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 field-value characters: visible ASCII, space, tab and obs-text. No CR, LF or NUL.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Checks one header and returns its lower-case name. Throws
 * {@link ConfigurationError} naming the header (never its value, which may be a
 * secret) when the name or value could not be sent as it is.
 *
 * @param where what the header belongs to, for the message (`authHeaders`, `headers`...)
 * @example
 * ```ts
 * checkHeader('X-API-Key', 'abc', 'authHeaders'); // 'x-api-key'
 * checkHeader('X-API-Key', 'abc\r\n', 'authHeaders'); // throws: no CR or LF
 * ```
 */
export function checkHeader(name: string, value: unknown, where: string): string {
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
    throw new ConfigurationError(
      process.env.NODE_ENV !== 'production' ? `${where}: ${JSON.stringify(String(name))} is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only, no spaces)` : 'header-name',
    );
  }
  if (typeof value !== 'string') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${where}: the value of header "${name}" must be a string, not ${value === null ? 'null' : typeof value}` : 'header-value');
  }
  if (!HEADER_VALUE.test(value)) {
    throw new ConfigurationError(
      process.env.NODE_ENV !== 'production' ? `${where}: the value of header "${name}" holds a character that cannot be sent (CR, LF, NUL, another control character or one above U+00FF); the value is not shown` : 'header-value',
    );
  }
  return name.toLowerCase();
}

/**
 * Checks headers and returns them as a record with lower-case names, so that
 * merging with `{ ...a, ...b }` lets `b` win whatever the case of its names.
 *
 * @example
 * ```ts
 * toHeaderRecord({ Authorization: 'Bearer t' }, 'authHeaders'); // { authorization: 'Bearer t' }
 * ```
 */
export function toHeaderRecord(headers: HeadersLike | undefined, where: string): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers === undefined) return record;
  if (headers === null || typeof headers !== 'object') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${where} must be an object of header names to string values` : 'headers');
  }
  if (QUERY_CREDENTIAL in headers) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${where}: a query-string API key (apiKeyAuth(key, { in: 'query' })) works only in authHeaders` : 'headers');
  }
  // Anything iterable is pairs, as the platform reads it: a Headers of another realm or a Map too, which
  // Object.entries would read as no headers at all (and so send no credentials).
  const entries: Iterable<readonly [string, string]> = Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
  for (const pair of entries) {
    if (process.env.NODE_ENV !== 'production' && (!Array.isArray(pair) || pair.length !== 2)) {
      throw new ConfigurationError(`${where}: each entry must be a [name, value] pair, not ${Array.isArray(pair) ? `${pair.length} items` : typeof pair}`);
    }
    const [name, value] = pair;
    const lower = checkHeader(name, value, where);
    record[lower] = Object.hasOwn(record, lower) ? `${record[lower]}, ${value}` : value;
  }
  return record;
}
