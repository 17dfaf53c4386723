/**
 * What a redacted header value is shown as.
 *
 * @example
 * ```ts
 * client.events$.subscribe((e) => e.type === 'request' && e.headers.authorization === REDACTED); // true with bearerTokenAuth
 * ```
 */
export const REDACTED = '[redacted]';

/**
 * Header names that always carry a credential, lower case: the names the auth
 * helpers use and the ones browsers and proxies treat as credentials.
 *
 * @example
 * ```ts
 * SENSITIVE_HEADERS.has('cookie'); // true
 * ```
 */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

// Names that say what they carry: X-Auth-Token, X-Csrf-Token, X-Session-Id, X-Goog-Api-Key...
const SECRET_NAME = /auth|token|key|secret|passw|session|signature|credential|cookie/i;

/**
 * Whether a header's value must never be shown: it is on {@link SENSITIVE_HEADERS},
 * came from the client's auth (whatever its name), or has a name that says it
 * holds a secret (`token`, `key`, `secret`, `session`...).
 *
 * @param authNames the lower-case names of the headers that came from `authHeaders`
 * @example
 * ```ts
 * isSensitiveHeader('X-Tenant', new Set(['x-tenant'])); // true: it came from authHeaders
 * isSensitiveHeader('accept', new Set());                 // false
 * ```
 */
export function isSensitiveHeader(name: string, authNames: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_HEADERS.has(lower) || authNames.has(lower) || SECRET_NAME.test(lower);
}

// The query and fragment of a URL anywhere in a header value: from "?" or "#" to what cannot be part of a URL
// (whitespace, "<", ">", '"'). ";" and "," can, so a key after them goes too.
const URL_QUERY = /[?#][^\s<>"]*/g;

/**
 * Headers as events show them: lower-case names, the value of every
 * {@link isSensitiveHeader sensitive} header replaced by {@link REDACTED}, and
 * every URL in any other value (`Location`, `Link`, `Refresh`, a header of
 * your own...) without its query and fragment, as events show the request's URL.
 *
 * @example
 * ```ts
 * redactHeaders({ authorization: 'Bearer t', accept: 'application/json' }, new Set());
 * // { authorization: '[redacted]', accept: 'application/json' }
 * ```
 */
export function redactHeaders(
  headers: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
  authNames: ReadonlySet<string>,
): Record<string, string> {
  const entries = Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
  const shown: Record<string, string> = {};
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    // A URL's query may hold a code or a key (OAuth redirects do, and so does a Link that echoes the request's
    // query): shown without it, as every URL in events is, whatever the header is called.
    shown[lower] = isSensitiveHeader(name, authNames) ? REDACTED : value.replace(URL_QUERY, '');
  }
  return shown;
}

/**
 * The response as an HttpError holds it: when its URL has a query or a
 * fragment, a copy over the same body whose `url` leaves them out, so that
 * logging `error.response` (or expanding it in a browser's console) cannot
 * show a key. A response that cannot be copied (a body already read, a
 * status `Response` refuses) is kept as it is.
 *
 * @example
 * ```ts
 * responseWithoutQuery(await fetch('https://h/x?key=secret')).url; // 'https://h/x'
 * ```
 */
export function responseWithoutQuery(response: Response): Response {
  const { url } = response;
  const end = url.search(/[?#]/);
  if (end < 0) return response;
  let copy: Response;
  try {
    copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch {
    return response;
  }
  return Object.defineProperties(copy, { url: { value: url.slice(0, end) }, redirected: { value: response.redirected }, type: { value: response.type } });
}
