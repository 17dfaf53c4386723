import { ConfigurationError } from './errors.js';

/** Query parameter values: `undefined` and `null` are left out, arrays repeat the key. */
export type QueryValue = string | number | boolean | bigint | null | undefined;

/** Query parameters: a record (arrays repeat the key: `a=1&a=2`) or a `URLSearchParams`. */
export type QueryParams = Readonly<Record<string, QueryValue | readonly QueryValue[]>> | URLSearchParams;

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
  const url = typeof input === 'string' ? parse(input) : undefined;
  if (url === undefined || !isHttp(url) || url.search || url.hash) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? baseUrlProblem(input, url) : 'base-url');
  }
  // An empty "?" or "#" passes the check above but stays in href: drop it, as endpoints are appended to href.
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The URL `input` makes (against `base` when given), or `undefined` when it makes none. */
function parse(input: unknown, base?: URL): URL | undefined {
  try {
    return new URL(input as string, base);
  } catch {
    return undefined;
  }
}

/** An http(s) URL without credentials: the only kind the client sends to. */
function isHttp(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
}

/** What is wrong with a base URL, in words (development builds only). */
function baseUrlProblem(input: unknown, url: URL | undefined): string {
  if (typeof input !== 'string' || input.trim() === '') return 'baseUrl is empty: pass an absolute http(s) URL such as "https://api.example.com/v1"';
  if (url === undefined) return `baseUrl ${quoteSafely(input)} is not an absolute URL: start it with http:// or https://, as in "https://api.example.com/v1"`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `baseUrl must use http: or https:, not ${url.protocol}`;
  if (url.username || url.password) return 'baseUrl must not hold credentials (user:password@): send them as headers, for example with authHeaders';
  return `baseUrl ${url.origin}${url.pathname} must not have a query string or a fragment: pass params per request`;
}

// "scheme://..." or "http(s):...": an absolute URL. Any other colon is part of a path ("files:upload").
const ABSOLUTE = /^(?:[a-z][a-z\d+\-.]*:[/\\]{2}|https?:)/i;
const PROTOCOL_RELATIVE = /^[/\\]{2}/;
// A relative path of unreserved characters whose segments do not start with ".": nothing in it can be read
// as a scheme, a host, a query, a dot segment or a climb, so it needs no resolution against the base.
const PLAIN = /^\/?[\w\-~][\w\-.~]*(?:\/(?:[\w\-~][\w\-.~]*)?)*$/;

/**
 * Resolves an endpoint under the base URL and appends the query parameters.
 * The base path is kept (`/v1/` + `/items` or `items` → `/v1/items`). An
 * endpoint whose `..` segments climb above the base path is refused, also as a
 * server that decodes the path once would read it (`%2e%2e%2f`, `..%3f`,
 * `..%23`, `..%09`); one that stays under it (`items/../x`) is not. So is
 * an absolute URL (or `//host`) unless it stays under the base URL or its
 * origin is one of `allowedOrigins`: credentials must not travel anywhere else.
 *
 * @param base a URL from {@link parseBaseUrl}
 * @param allowedOrigins origins (from {@link parseAllowedOrigins}) that absolute endpoints may point to
 * @example
 * ```ts
 * joinUrl(parseBaseUrl('https://h/api/v1'), 'items', { tag: ['a', 'b'], q: undefined }).href;
 * // 'https://h/api/v1/items?tag=a&tag=b'
 * joinUrl(parseBaseUrl('https://h/api'), 'https://cdn.test/f.png', undefined, new Set(['https://cdn.test'])).href;
 * // 'https://cdn.test/f.png'
 * ```
 */
export function joinUrl(base: URL, endpoint: string, params?: QueryParams, allowedOrigins: ReadonlySet<string> = NO_ORIGINS): URL {
  if (typeof endpoint !== 'string') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `endpoint must be a string such as "/items", not ${typeof endpoint}` : 'endpoint');
  }
  let url: URL;
  // The usual case, kept cheap: appended to the base, a plain path cannot leave it.
  if (PLAIN.test(endpoint)) url = new URL(base.href + (endpoint.charCodeAt(0) === 47 ? endpoint.slice(1) : endpoint));
  else {
    const absolute = ABSOLUTE.test(endpoint) || PROTOCOL_RELATIVE.test(endpoint);
    // "./" keeps a first segment with a colon from being read as a scheme.
    url = absolute ? absoluteEndpoint(base, endpoint, allowedOrigins) : new URL(`./${endpoint.replace(/^[/\\]/, '')}`, base);
    const listed = absolute && allowedOrigins.has(url.origin);
    // A relative endpoint as written, before the URL parser resolves its dot segments ("../x" is a climb, not just
    // "outside"); and the invariant that matters, on what the URL parser made of the endpoint (it drops tabs, line
    // breaks and trailing spaces, so ".%2F.. " is sent as ".%2F.."), as a server that decodes the path once reads it.
    if ((!absolute && climbs(endpoint)) || climbs(listed ? url.pathname : url.pathname.slice(base.pathname.length - 1))) {
      throw new ConfigurationError(
        process.env.NODE_ENV !== 'production' ? `endpoint ${quoteSafely(endpoint)} climbs above the base URL with "..": pass a path under ${base.origin}${base.pathname}` : 'endpoint-climb',
      );
    }
    if (!listed && (url.origin !== base.origin || !url.pathname.startsWith(base.pathname))) {
      throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `endpoint ${quoteSafely(endpoint)} resolves outside the base URL ${base.origin}${base.pathname}` : 'endpoint-outside');
    }
  }
  if (params !== undefined) appendParams(url.searchParams, params);
  return url;
}

/**
 * Whether `path`, read as a server that decodes it once (IIS's `%u` escapes
 * too) and parses it again would, climbs above where it starts: its segments walked in order, a ".."
 * going up one. What a URL parser ends a segment or a path at counts after
 * the decoding ("..%2f", "..%5c", "..%3f", "..%23"), tabs and line breaks are
 * dropped ("..%09"), and so is what follows ";" (path parameters, which Tomcat,
 * Jetty and Spring strip from each segment) or a space ("..%20", which a URL
 * parser trims from the end). So "items/../x" stays under the base; "..%3f" does not.
 */
function climbs(path: string): boolean {
  let depth = 0;
  // unescape: %XX decoded once (and IIS's %uXXXX), and a malformed escape left as it is, where decodeURIComponent throws.
  const decoded = unescape(path).replace(/[\t\n\r]/g, '');
  for (const segment of decoded.split(/[?#]/, 1)[0]!.split(/[/\\]/)) {
    const name = segment.split(/[;\0-\x20]/, 1)[0];
    if (name === '..') {
      if (--depth < 0) return true;
    } else if (name !== '.' && name !== '') depth += 1;
  }
  return false;
}

const NO_ORIGINS: ReadonlySet<string> = new Set();

function absoluteEndpoint(base: URL, endpoint: string, allowedOrigins: ReadonlySet<string>): URL {
  // "//host/x" takes the base's scheme; "http:host/x" is read as the absolute URL it looks like.
  const url = parse(endpoint, PROTOCOL_RELATIVE.test(endpoint) ? base : undefined);
  if (url === undefined || !isHttp(url)) throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? absoluteProblem(base, endpoint, url) : 'endpoint-absolute');
  if (url.origin === base.origin || allowedOrigins.has(url.origin)) return url;
  throw new ConfigurationError(
    process.env.NODE_ENV !== 'production'
      ? `endpoint ${quoteSafely(endpoint)} is an absolute URL to another origin (${url.origin}) than the base URL ${base.origin}${base.pathname}: nothing was sent. ` +
          `Pass a path under the base URL, or list ${url.origin} in allowedOrigins to send this client's requests, credentials included, there`
      : 'endpoint-origin',
  );
}

/** What is wrong with an absolute endpoint, in words (development builds only). */
function absoluteProblem(base: URL, endpoint: string, url: URL | undefined): string {
  if (url === undefined) return `endpoint ${quoteSafely(endpoint)} is an absolute URL that cannot be parsed: pass a path under ${base.origin}${base.pathname}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `endpoint ${quoteSafely(endpoint)} is an absolute URL with ${url.protocol}; only http: and https: are sent`;
  return 'endpoint is an absolute URL that holds credentials (user:password@): nothing was sent; use authHeaders';
}

/**
 * Checks the `allowedOrigins` option: each entry an http(s) origin such as
 * `https://cdn.example.com` (a trailing `/` is fine; a path, query or
 * credentials are not). Returns them normalised (`https://h:443` → `https://h`).
 *
 * @example
 * ```ts
 * parseAllowedOrigins(['https://cdn.example.com/', 'http://127.0.0.1:8080']);
 * // Set { 'https://cdn.example.com', 'http://127.0.0.1:8080' }
 * ```
 */
export function parseAllowedOrigins(origins: readonly string[] | undefined): ReadonlySet<string> {
  if (origins === undefined) return NO_ORIGINS;
  if (!Array.isArray(origins)) throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'allowedOrigins must be an array of origins such as ["https://cdn.example.com"]' : 'allowed-origins');
  const parsed = new Set<string>();
  for (const origin of origins) {
    const url = typeof origin === 'string' ? parse(origin) : undefined;
    if (url === undefined || !isHttp(url) || url.pathname !== '/' || url.search || url.hash || /[?#@]/.test(origin)) {
      throw new ConfigurationError(
        process.env.NODE_ENV !== 'production' ? `allowedOrigins: ${typeof origin === 'string' ? quoteSafely(origin) : typeof origin} is not an http(s) origin such as "https://cdn.example.com" (scheme, host and port only)` : 'allowed-origins',
      );
    }
    parsed.add(url.origin);
  }
  return parsed;
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
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'params must be an object of names to values, or a URLSearchParams' : 'params');
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
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `params.${key} is ${type === 'object' ? 'an object' : `a ${type}`}: pass a string, number, boolean or an array of them` : 'params');
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
