import type { ObservableInput } from 'rxjs';
import type { Transport, TransportInit } from '../core/transport.js';

/*
 * What fetch does with a redirect when the client leaves it to fetch, for the test transport. The client
 * follows redirects itself where fetch shows them (Node: it sends `redirect: 'manual'`, and the test
 * transport hands it the 3xx); in browsers fetch follows them, so a browser build's request reaches the
 * test transport without a mode, and the test transport follows the redirect as a browser's fetch would.
 * Each hop is a request of its own: recorded, routed and answered like any other.
 */

const REDIRECTS = [301, 302, 303, 307, 308];
// Fetch's own limit.
const MAX_REDIRECTS = 20;
// The headers of a body, dropped when a redirect turns the request into a GET (fetch's "request-body-header names").
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];

/**
 * The selector to answer a request of `init` with: `init.selector` itself in
 * the modes where fetch shows a redirect (`manual`), a `TypeError` for a
 * redirect in mode `error`, and otherwise a redirect followed as fetch
 * follows it: a 303 (and a 301 or 302 of a POST) as a GET without its body,
 * `Authorization` dropped at another origin, at most 20 hops, never to a
 * scheme but http(s) nor with a stream body sent again (a `TypeError`, as
 * fetch's); the final response `redirected`.
 *
 * @param send the test transport, which sends each hop
 * @example
 * ```ts
 * respond(answer, url, followingSelector(url, init, send), subscriber, scheduler, done);
 * ```
 */
export function followingSelector<T>(url: string, init: TransportInit<T>, send: Transport, hops = 0): (response: Response) => ObservableInput<T> {
  const { selector, redirect } = init;
  if (redirect === 'manual') return selector;
  return (response) => {
    const redirected = REDIRECTS.includes(response.status);
    // In mode 'error' fetch fails on any redirect status, with a Location or without.
    if (redirected && redirect === 'error') throw refused(response, 'unexpected redirect');
    const location = response.headers.get('location');
    if (!redirected || location === null) {
      if (hops > 0) Object.defineProperty(response, 'redirected', { value: true });
      return selector(response);
    }
    if (hops >= MAX_REDIRECTS) throw refused(response, 'redirect count exceeded');
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw refused(response, 'URL scheme must be a HTTP(S) scheme');
    const method = (init.method ?? 'GET').toUpperCase();
    const toGet = (response.status === 303 && method !== 'GET' && method !== 'HEAD') || (response.status <= 302 && method === 'POST');
    // A stream body was sent as it was read: fetch cannot send it again to the new location.
    if (!toGet && isStream(init.body)) throw refused(response, 'cannot follow a redirect with a stream body');
    const headers = new Headers(init.headers);
    if (toGet) for (const name of BODY_HEADERS) headers.delete(name);
    if (next.origin !== new URL(url).origin) headers.delete('authorization');
    const hop: TransportInit<T> = Object.assign({}, init, { method: toGet ? 'GET' : method, headers, body: toGet ? undefined : init.body });
    // Sent as 'manual', so that the transport hands this hop's answer to the selector that follows it, counting hops.
    return send(next.href, Object.assign({}, hop, { redirect: 'manual' as const, selector: followingSelector(next.href, hop, send, hops + 1) }));
  };
}

/** What fetch rejects with when it will not follow a redirect: a `TypeError`, as for a network failure; the answer's body let go. */
function refused(response: Response, reason: string): TypeError {
  response.body?.cancel().catch(() => undefined);
  return new TypeError('fetch failed', { cause: new Error(reason) });
}

/** A body read as it is sent (a web stream, a Node stream, an async iterable): sent once. */
function isStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && ((typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) || Symbol.asyncIterator in body);
}
