import { catchError, throwError, type Observable, type ObservableInput } from 'rxjs';
import { RedirectError } from './errors.js';
import { formWithFile } from './multipart.js';
import { fetchTransport, type Transport } from './transport.js';
import type { SendableRequest } from './prepare.js';
import { headersAfterRedirect, REDIRECT_STATUSES, redirectDecision } from './redirect.js';
import type { AttemptContext } from './context.js';

/**
 * One redirect that was followed.
 *
 * @example
 * ```ts
 * const onRedirect = (hop: RedirectHop) => console.log(`${hop.status} to ${hop.to.origin}, dropped: ${hop.dropped.join(', ')}`);
 * fetchFollowingRedirects(request, context, { manual: true, maxRedirects: 20, onRedirect }, bodyRead);
 * ```
 */
export interface RedirectHop {
  /** The redirect's status: 301, 302, 303, 307 or 308. */
  readonly status: number;
  /** The URL of the hop that was redirected, query included (it may hold a query-string API key: show it without). */
  readonly from: URL;
  /** Where the next hop goes: the `Location`, resolved against `from`; query included, as for `from`. */
  readonly to: URL;
  /** Lower-case names of the headers not sent to `to` (credentials on a cross-origin hop, body headers on a change to GET). */
  readonly dropped: readonly string[];
}

/**
 * How one attempt handles redirects.
 *
 * @example
 * ```ts
 * const redirects: RedirectOptions = { manual: runtimeShowsRedirects(), maxRedirects: 5 };
 * fetchFollowingRedirects(request, context, redirects, bodyRead);
 * ```
 */
export interface RedirectOptions {
  /**
   * Follow redirects here, where the runtime shows them (`redirect: 'manual'`
   * in Node); otherwise `fetch` follows them itself, as browsers must.
   */
  readonly manual: boolean;
  /** How many redirects to follow; 0 hands the 3xx response over as it is. */
  readonly maxRedirects: number;
  /** The request is about to go to the transport (its first hop). */
  readonly onSend?: (request: SendableRequest) => void;
  readonly onRedirect?: (hop: RedirectHop) => void;
}

/**
 * Whether `fetch` here shows a redirect (status and `Location`) when asked
 * with `redirect: 'manual'`: true in Node (and Bun, Deno), false in browsers,
 * where the answer is an opaque response with neither.
 *
 * @example
 * ```ts
 * runtimeShowsRedirects(); // true under Node
 * ```
 */
export function runtimeShowsRedirects(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node === 'string';
}

/**
 * Sends a request through `transport` (`fromFetch` unless told) and follows its redirects itself when
 * `options.manual`: each hop is decided by {@link redirectDecision}, and a hop
 * to another origin goes without the auth headers (see
 * {@link headersAfterRedirect}); a query-string API key is added again only on
 * same-origin hops. A Blob or stream body goes with `redirect: 'error'`, so
 * that fetch keeps no copy of it: fetch then shows no redirect of it, which
 * ends the attempt with a {@link RedirectError} (a transport that shows the
 * 3xx, such as undici's, has it followed as any other). The final response goes to `select`, and its fetch stays
 * open (abortable) until what `select` returns completes: unsubscribing aborts
 * whichever hop is in flight, or the body read inside `select`.
 *
 * @param select what to make of the final response, as `fromFetch`'s selector
 * @example
 * ```ts
 * fetchFollowingRedirects(request, context, { manual: true, maxRedirects: 20 }, (response) => response.text())
 *   .subscribe((text) => console.log(text));
 * ```
 */
export function fetchFollowingRedirects<T>(
  request: SendableRequest,
  context: AttemptContext,
  options: RedirectOptions,
  select: (response: Response) => ObservableInput<T>,
  transport: Transport = fetchTransport,
): Observable<T> {
  options.onSend?.(request);
  if (!options.manual) return transport(request.url.href, Object.assign({}, request.init, { selector: select }));
  const refuse = (reason: string) => new RedirectError(reason, context.target, context.attempt);

  const hop = (url: URL, init: SendableRequest['init'], redirects: number, withAuth: boolean): Observable<T> => {
    const uncopied = sentWithoutCopy(init.body);
    const sent = transport(url.href, Object.assign({}, init, {
      redirect: uncopied ? ('error' as const) : ('manual' as const),
      selector: (response: Response) => {
        if (options.maxRedirects === 0 || !REDIRECT_STATUSES.has(response.status)) return select(response);
        const location = response.headers.get('location');
        let toUrl: URL | undefined;
        if (location !== null) {
          try {
            toUrl = new URL(location, url);
          } catch {
            discard(response);
            throw refuse(`was redirected (${response.status}) with a Location that is not a valid URL`);
          }
        }
        const decision = redirectDecision(response.status, init.method, url, toUrl);
        if (decision.action === 'stop') return select(response);
        // The redirect's own body is never read: free its connection now.
        discard(response);
        if (decision.action === 'refuse') throw refuse(decision.reason);
        if (redirects >= options.maxRedirects) throw refuse(`was redirected more than ${options.maxRedirects} times (maxRedirects)`);
        // A stream was read as it was sent: sent again it would go empty, or fail as a network error.
        if (!decision.dropBody && isOneShot(init.body)) {
          throw refuse(
            `was redirected (${response.status}), and its body, a stream, cannot be sent again: send a string, Blob or ArrayBuffer, or handle the redirect on the server`,
          );
        }
        const { headers, dropped } = headersAfterRedirect(init.headers, decision, request.authNames);
        const keepAuth = withAuth && !decision.crossOrigin;
        const next = new URL(toUrl!);
        if (keepAuth && request.query && !next.searchParams.has(request.query.name)) next.searchParams.set(request.query.name, request.query.value);
        const nextInit: SendableRequest['init'] = Object.assign({}, init, { method: decision.method, headers });
        if (decision.dropBody) {
          delete nextInit.body;
          delete nextInit.duplex;
        }
        options.onRedirect?.({ status: response.status, from: url, to: next, dropped });
        return hop(next, nextInit, redirects + 1, keepAuth);
      },
    }));
    if (!uncopied) return sent;
    // fetch met a 3xx that it was told not to follow: no network failure to retry, and nothing to follow (it shows no Location).
    const unexpected = (error: unknown) => (error as { cause?: { message?: unknown } } | null)?.cause?.message === 'unexpected redirect';
    return sent.pipe(catchError((error: unknown) => throwError(() => (unexpected(error) ? refuse(notFollowed(init.body, options.maxRedirects)) : error))));
  };

  return hop(request.url, request.init, 0, true);
}

/**
 * A body that Node's fetch would keep a copy of: a Blob (a file from `fs.openAsBlob()` too), a form
 * with a file in it, or a stream. Unless `redirect` is `'error'`, fetch (undici) sends a clone of the
 * request, so it tees the body's stream and the branch it keeps, read by nobody, queues every byte sent:
 * a 1 GiB upload held 1 GiB (the Fetch standard's "HTTP-network-or-cache fetch" clones the request
 * unless the redirect mode is "error"; nodejs/undici#4058). The standard's note that asks not to tee a
 * body without a source would spare streams, never Blobs. Strings, bytes and forms of strings are in
 * memory anyway, and keep following redirects. Only where fetch is undici's (Node: `process.versions.undici`):
 * elsewhere (Bun, Deno) how fetch refuses a redirect in mode `'error'` is not known, and a refusal taken
 * for a network failure would be retried, the upload sent again.
 */
function sentWithoutCopy(body: unknown): boolean {
  // Most requests have no body, or a string: asked first, so that they never look the runtime up.
  if (body === undefined || body === null || typeof body === 'string') return false;
  return (isFileLike(body) || isOneShot(body)) && typeof (globalThis as { process?: { versions?: { undici?: unknown } } }).process?.versions?.undici === 'string';
}

/** A Blob, or a form with a Blob (a file) in it: what fetch reads as it sends it, and Node's fetch would copy. */
function isFileLike(body: unknown): boolean {
  return (typeof Blob !== 'undefined' && body instanceof Blob) || formWithFile(body);
}

/** Why a body sent with `redirect: 'error'` was not followed: completes "POST https://h/x ...". */
function notFollowed(body: unknown, maxRedirects: number): string {
  const kind = isOneShot(body) ? 'a stream' : body instanceof Blob ? 'a Blob' : 'a form with a file';
  if (maxRedirects === 0) {
    return `was answered with a redirect, which fetch in Node does not show for a body that is ${kind} (it sends one without keeping a copy): send it through undiciTransport() from rx-api-client/undici to get the 3xx response`;
  }
  return isOneShot(body)
    ? 'was redirected, and its body, a stream, cannot be sent again (fetch in Node sends it without keeping a copy): send a string or ArrayBuffer, or handle the redirect on the server'
    : `was redirected, and fetch in Node follows no redirect of a body that is ${kind} (it sends one without keeping a copy, which a redirect would need): send it through undiciTransport() from rx-api-client/undici, which follows it, or handle the redirect on the server`;
}

/** A body read as it is sent: a web `ReadableStream`, a Node stream, an async generator or any other async iterable. */
function isOneShot(body: unknown): boolean {
  return typeof body === 'object' && body !== null && ((typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) || Symbol.asyncIterator in body);
}

function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}
