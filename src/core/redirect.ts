import { isSensitiveHeader } from './redact.js';

/**
 * The statuses fetch follows: 301, 302, 303, 307 and 308.
 *
 * @example
 * ```ts
 * REDIRECT_STATUSES.has(304); // false: "not modified" is an answer, not a redirect
 * ```
 */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * What to do with a response that may be a redirect.
 *
 * @example
 * ```ts
 * const decision: RedirectDecision = redirectDecision(302, 'GET', new URL('https://a.test/x'), new URL('https://a.test/y'));
 * if (decision.action === 'follow') console.log(decision.method, decision.dropBody, decision.crossOrigin); // GET false false
 * else if (decision.action === 'refuse') console.log(`the request ${decision.reason}`);
 * ```
 */
export type RedirectDecision =
  /** Not a redirect (or one without `Location`): the response is the answer. */
  | { readonly action: 'stop' }
  /** A redirect that must not be followed; `reason` completes "the request ...". */
  | { readonly action: 'refuse'; readonly reason: string }
  /** Follow to the new URL with `method`; without the body when `dropBody`. */
  | { readonly action: 'follow'; readonly method: string; readonly dropBody: boolean; readonly crossOrigin: boolean };

/**
 * Decides what to do with a response, the way fetch does (Fetch standard,
 * "HTTP-redirect fetch"): 301, 302, 303, 307 and 308 with a `Location` are
 * followed; 303 (unless HEAD) and 301/302 on POST become a GET without body;
 * a `Location` that is not http(s) or that holds credentials is refused.
 * Whether the origin changes is part of the answer: the caller drops
 * credentials then.
 *
 * @param toUrl the `Location` resolved against `fromUrl`; `undefined` when there is none
 * @example
 * ```ts
 * redirectDecision(303, 'POST', new URL('https://a.test/x'), new URL('https://b.test/y'));
 * // { action: 'follow', method: 'GET', dropBody: true, crossOrigin: true }
 * ```
 */
export function redirectDecision(status: number, method: string, fromUrl: URL, toUrl: URL | undefined): RedirectDecision {
  if (!REDIRECT_STATUSES.has(status) || toUrl === undefined) return { action: 'stop' };
  if (toUrl.protocol !== 'http:' && toUrl.protocol !== 'https:') {
    return { action: 'refuse', reason: `was redirected (${status}) to a ${toUrl.protocol} URL; only http: and https: are followed` };
  }
  if (toUrl.username || toUrl.password) {
    return { action: 'refuse', reason: `was redirected (${status}) to a URL that holds credentials (user:password@)` };
  }
  const toGet = (status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  return { action: 'follow', method: toGet ? 'GET' : method, dropBody: toGet, crossOrigin: fromUrl.origin !== toUrl.origin };
}

// Headers that describe a body: meaningless once the body is dropped (Fetch standard's "request-body-header names").
const BODY_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-encoding', 'content-language', 'content-location', 'content-length']);

/**
 * The headers of the next hop of a redirect. A cross-origin hop drops every
 * header that came from auth (`authNames`, whatever they are called) and
 * every header the events redact ({@link isSensitiveHeader}: `Authorization`,
 * `Cookie`, `X-API-Key`, names with `token`, `session`, `secret`...); a hop
 * that turned into a GET drops the body's headers. Same-origin hops keep the rest.
 *
 * @param headers the current hop's headers, lower-case names
 * @param authNames the lower-case names of the headers that came from auth
 * @returns the next hop's headers and the names that were dropped
 * @example
 * ```ts
 * headersAfterRedirect({ authorization: 'Bearer t', 'x-trace': '1' }, { method: 'GET', dropBody: false, crossOrigin: true }, new Set());
 * // { headers: { 'x-trace': '1' }, dropped: ['authorization'] }
 * ```
 */
export function headersAfterRedirect(
  headers: Readonly<Record<string, string>>,
  decision: { readonly dropBody: boolean; readonly crossOrigin: boolean },
  authNames: ReadonlySet<string>,
): { headers: Record<string, string>; dropped: string[] } {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    // The same rule as the redaction of events: what is too secret to log is too secret to forward.
    const credential = decision.crossOrigin && isSensitiveHeader(name, authNames);
    if (credential || (decision.dropBody && BODY_HEADERS.has(name))) dropped.push(name);
    else kept[name] = value;
  }
  return { headers: kept, dropped };
}
