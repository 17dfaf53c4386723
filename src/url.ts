import { ConfigurationError } from './errors.js';
import type { QueryParams, QueryValue } from './options.js';

/**
 * Checks a base URL and returns it with a path that ends in `/`, ready for
 * {@link joinUrl}. Throws {@link ConfigurationError} when it is empty,
 * relative, not http(s), or holds credentials, a query or a fragment.
 *
 * @example
 * ```ts
 * parseBaseUrl('https://api.example.com/v1').href; // 'https://api.example.com/v1/'
 * ```
 */
export function parseBaseUrl(input: string): URL {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ConfigurationError('baseUrl is empty: pass an absolute http(s) URL such as "https://api.example.com/v1"');
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ConfigurationError(
      `baseUrl ${quoteSafely(input)} is not an absolute URL: start it with http:// or https://, as in "https://api.example.com/v1"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`baseUrl must use http: or https:, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new ConfigurationError('baseUrl must not hold credentials (user:password@): send them as headers, for example with authHeaders');
  }
  if (url.search || url.hash) {
    throw new ConfigurationError(`baseUrl ${url.origin}${url.pathname} must not have a query string or a fragment: pass params per request`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

// A ".." segment, also as %2e%2e, between separators (also %2f or %5c), in the path part only.
const CLIMB = /(?:^|[/\\]|%2f|%5c)(?:\.|%2e){2}(?:[/\\]|%2f|%5c|$)/i;
// "scheme://..." or "http(s):...": an absolute URL. Any other colon is part of a path ("files:upload").
const ABSOLUTE = /^(?:[a-z][a-z\d+\-.]*:[/\\]{2}|https?:)/i;
const PROTOCOL_RELATIVE = /^[/\\]{2}/;

/**
 * Resolves an endpoint under the base URL and appends the query parameters.
 * The base path is kept (`/v1/` + `/items` or `items` → `/v1/items`). An
 * endpoint that is an absolute URL, starts with `//`, or climbs with `..` is
 * refused: credentials must not travel anywhere but the base URL.
 *
 * @param base a URL from {@link parseBaseUrl}
 * @example
 * ```ts
 * joinUrl(parseBaseUrl('https://h/api/v1'), 'items', { tag: ['a', 'b'], q: undefined }).href;
 * // 'https://h/api/v1/items?tag=a&tag=b'
 * ```
 */
export function joinUrl(base: URL, endpoint: string, params?: QueryParams): URL {
  if (typeof endpoint !== 'string') {
    throw new ConfigurationError(`endpoint must be a string such as "/items", not ${typeof endpoint}`);
  }
  if (ABSOLUTE.test(endpoint) || PROTOCOL_RELATIVE.test(endpoint)) {
    throw new ConfigurationError(
      `endpoint ${quoteSafely(endpoint)} is an absolute URL: pass a path under the base URL ${base.origin}${base.pathname}`,
    );
  }
  if (CLIMB.test(endpoint.split(/[?#]/, 1)[0]!)) {
    throw new ConfigurationError(`endpoint ${quoteSafely(endpoint)} climbs above the base URL with "..": pass a path under ${base.origin}${base.pathname}`);
  }
  // "./" keeps a first segment with a colon from being read as a scheme.
  const url = new URL(`./${endpoint.replace(/^[/\\]/, '')}`, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    // The invariant that matters. The checks above give clearer messages, but the URL parser
    // also drops tabs and newlines (".\t./admin"), so only this check sees every climb.
    throw new ConfigurationError(`endpoint ${quoteSafely(endpoint)} resolves outside the base URL ${base.origin}${base.pathname}`);
  }
  if (params !== undefined) appendParams(url.searchParams, params);
  return url;
}

/**
 * Appends query parameters with `URLSearchParams` semantics: `undefined` and
 * `null` are left out, an array repeats its key.
 *
 * @example
 * ```ts
 * const q = new URLSearchParams();
 * appendParams(q, { a: [1, 2], b: null }); // q.toString() === 'a=1&a=2'
 * ```
 */
export function appendParams(target: URLSearchParams, params: QueryParams): void {
  if (params instanceof URLSearchParams) {
    params.forEach((value, key) => target.append(key, value));
    return;
  }
  if (params === null || typeof params !== 'object') {
    throw new ConfigurationError('params must be an object of names to values, or a URLSearchParams');
  }
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (Array.isArray(value)) {
      for (const item of value) appendOne(target, key, item);
    } else {
      appendOne(target, key, value as QueryValue);
    }
  }
}

function appendOne(target: URLSearchParams, key: string, value: QueryValue): void {
  if (value === undefined || value === null) return;
  const type = typeof value;
  if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') {
    throw new ConfigurationError(`params.${key} is ${type === 'object' ? 'an object' : `a ${type}`}: pass a string, number, boolean or an array of them`);
  }
  target.append(key, String(value));
}

/**
 * The URL as errors and events show it: no query string (it may hold a key),
 * no fragment, no credentials.
 *
 * @example
 * ```ts
 * displayUrl(new URL('https://h/items?key=secret')); // 'https://h/items'
 * ```
 */
export function displayUrl(url: URL): string {
  return url.origin + url.pathname;
}

// Echo user input in messages only when it cannot hold a secret (credentials or a query).
function quoteSafely(input: string): string {
  return /[@?#]/.test(input) ? '(not shown: it holds "@", "?" or "#")' : JSON.stringify(input.slice(0, 200));
}
