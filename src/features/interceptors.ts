import { defer, map, Observable, switchMap, take, type Subscription } from 'rxjs';
import { BODY_UNTOUCHED } from '../core/constants.js';
import { ConfigurationError, NetworkError } from '../core/errors.js';
import type { ClientContext, CommonFeatureHooks, Feature, InterceptingHooks } from '../core/feature.js';
import { sendHeld } from '../core/held-attempt.js';
import type { SendableRequest } from '../core/prepare.js';
import { isSensitiveHeader } from '../core/redact.js';

/**
 * Sends a request on: the next interceptor, or the transport after the last.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = (request) => fromFetch(request);
 * ```
 */
export type HttpHandler = (request: Request) => Observable<Response>;

/**
 * A function in the style of Angular's functional interceptors. It runs on
 * every attempt, before the status check: it may replace the request (a fresh
 * header), map or replace the response, or answer without calling `next` (a
 * cache). What it throws or errors with is passed on unchanged, never retried
 * as a network fault; errors of the transport that it passes on keep their type.
 * An answer of `Response.error()` is a network failure: a `NetworkError`, retried.
 *
 * @param request this attempt's `Request`, built anew for every attempt
 * @param next the rest of the chain
 * @returns the response, as an Observable of one value
 * @example
 * ```ts
 * const requestId: Interceptor = (request, next) => {
 *   const headers = new Headers(request.headers);
 *   headers.set('x-request-id', crypto.randomUUID());
 *   return next(new Request(request, { headers }));
 * };
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withInterceptors(requestId));
 * ```
 */
export type Interceptor = (request: Request, next: HttpHandler) => Observable<Response>;

/**
 * Chains interceptors around a handler: the first one sees the request first
 * and the response last. Each call runs in a `defer`, so an interceptor that
 * throws errors the Observable instead of throwing at the caller.
 *
 * @example
 * ```ts
 * const handle = chainInterceptors([auth, logging], (request) => fromFetch(request));
 * handle(new Request('https://h/x')).subscribe((response) => console.log(response.status));
 * ```
 */
export function chainInterceptors(interceptors: readonly Interceptor[], last: HttpHandler): HttpHandler {
  return interceptors.reduceRight<HttpHandler>((next, interceptor) => (request) => defer(() => interceptor(request, next)), last);
}

/**
 * Runs interceptors in order on every attempt, around the transport, in the
 * style of Angular's `withInterceptors()`: the first one sees the request
 * first and the response last. Each attempt (a retry, a replay after a token
 * refresh) runs them again on a `Request` built anew. Throws
 * {@link ConfigurationError} for anything that is not a function.
 *
 * @param interceptors the functions, outermost first
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withInterceptors(requestId, logging));
 * ```
 */
export function withInterceptors(...interceptors: Interceptor[]): Feature {
  interceptors.forEach((interceptor: unknown, index) => {
    if (typeof interceptor !== 'function') {
      throw new ConfigurationError(`withInterceptors: argument ${index + 1} is ${interceptor === null ? 'null' : `a ${typeof interceptor}`}: pass functions (request, next) => Observable<Response>`);
    }
  });
  return {
    order: 0,
    setup: (client) => {
      // Each interceptor in the host's context (Angular's injection context), the moment it is called.
      const { run } = client;
      const own = run ? interceptors.map((interceptor): Interceptor => (request, next) => run(() => interceptor(request, next))) : interceptors;
      // Several withInterceptors() of one client make one chain, in the order they were given, as Angular's do: the
      // first one set up runs it, and the others add their interceptors to it. Setup ends before any request runs.
      const chain = chains().get(client.emit);
      if (chain !== undefined) {
        chain.push(...own);
        return {};
      }
      const shared = [...own];
      chains().set(client.emit, shared);
      return interceptingHooks(client, shared);
    },
  };
}

/**
 * The interceptor chain of each client, found by the client's `emit`: the same function in every feature's view
 * of one client (a host such as provideApiClient() gives each feature a copy of the view, with the same `emit`).
 * One table for every copy of the package (ESM and CommonJS in one app), under a registry symbol: with a table per
 * copy, each copy's first withInterceptors() would run its own chain, and one chain would be left out.
 */
function chains(): WeakMap<ClientContext['emit'], Interceptor[]> {
  const registry = globalThis as { [CHAINS_KEY]?: WeakMap<ClientContext['emit'], Interceptor[]> };
  return (registry[CHAINS_KEY] ??= new WeakMap());
}

const CHAINS_KEY = Symbol.for('rx-api-client.interceptor-chains');

/** The hooks of the client's one intercepting feature: `chain` runs around the transport on every fetch. */
function interceptingHooks(client: ClientContext, chain: readonly Interceptor[]): CommonFeatureHooks & InterceptingHooks {
  // Where the client's credentials may go, whatever URL an interceptor makes: as for an absolute endpoint.
  const origins = new Set([client.baseUrl.origin, ...client.allowedOrigins]);
  return {
    send: sendHeld,
    intercept: (sendable, fetch, attempt, context) => {
      const fetchOne = (request: SendableRequest) => heldByAttempt(fetch(request), attempt);
      const original = new Request(sendable.url.href, sendable.init);
      // Before any interceptor: where the client sent no content-type, this is the one the Request made from the body.
      const madeType = original.headers.get('content-type');
      // Passed on as it is, the request keeps its prepared body (a string, not a stream read once), and takes the
      // headers that an interceptor changed in place (request.headers.set()): the only part of a Request that can change.
      const last = (request: Request) =>
        request === original
          ? fetchOne(withHeadersOf(request, sendable, madeType))
          : fromRequest(request, sendable).pipe(map((made) => withCredentialsFor(made, sendable, origins)), switchMap(fetchOne));
      const response$ = chainInterceptors(chain, last)(original).pipe(take(1));
      // One subscriber for the checks of the chain's answer, rather than an operator each: they run on every attempt.
      return new Observable<Response>((subscriber) => {
        let answered = false;
        return response$.subscribe({
          next: (response) => {
            answered = true;
            // A check that throws (an answer that is no Response) must reach the subscriber: an observer's own
            // throw would be reported as unhandled, and the request would complete empty.
            let refusal: unknown;
            try {
              // What fetch rejects with when the network fails, as a Response: a network failure, not an answer,
              // retried as any. Its target and attempt are the attempt's.
              if (response.type === 'error') {
                refusal = new NetworkError(new ErrorResponse('an interceptor answered Response.error()'), context.target, context.attempt);
              } else if (response.bodyUsed || (!(response as { [BODY_UNTOUCHED]?: boolean })[BODY_UNTOUCHED] && response.body?.locked)) {
                // A Response handed out twice (a cache interceptor without clone()) cannot be read again; fetch would call it a
                // network error. An untouched body is not asked for: the undici transport would build a web stream for it.
                refusal = new ConfigurationError('the response body was already read: an interceptor that caches responses must hand out response.clone()');
              }
            } catch (error) {
              refusal = error;
            }
            if (refusal === undefined) subscriber.next(response);
            else subscriber.error(refusal);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () =>
            answered
              ? subscriber.complete()
              : subscriber.error(new ConfigurationError('the interceptors completed without a response: each must emit the Response of next(request), or one of its own')),
        });
      });
    },
  };
}

/**
 * The attempt's request with the headers of `request` (the attempt's own Request), when an interceptor changed them.
 * A content-type that the Request made from the body (`madeType`, where the client sent none) is not an interceptor's:
 * a form's names the boundary of the Request's own encoding, not of the one the transport sends. It is left to the transport.
 */
function withHeadersOf(request: Request, sendable: SendableRequest, madeType: string | null): SendableRequest {
  const headers = Object.fromEntries(request.headers);
  const before = sendable.init.headers;
  if (!before['content-type'] && headers['content-type'] === madeType) delete headers['content-type'];
  const names = Object.keys(headers);
  if (names.length === Object.keys(before).length && names.every((name) => before[name] === headers[name])) return sendable;
  return Object.assign({}, sendable, { init: { ...sendable.init, headers } });
}

/**
 * The request an interceptor made, with the attempt's credentials only where
 * they may go: to the base URL's origin and `allowedOrigins`. Elsewhere (a
 * mirror, a canary host) the credentials it carried over from the attempt are
 * dropped, as on a redirect to another origin: every header that came from
 * auth or has a credential's name, with the value the attempt gave it, and the
 * query-string key; `dropped` lists them. A credential the interceptor set
 * itself, to another value, is its own and goes.
 */
function withCredentialsFor(made: SendableRequest, attempt: SendableRequest, origins: ReadonlySet<string>): SendableRequest {
  if (origins.has(made.url.origin)) return made;
  const headers = { ...made.init.headers };
  const dropped = Object.keys(headers).filter((name) => headers[name] === attempt.init.headers[name] && isSensitiveHeader(name, attempt.authNames));
  for (const name of dropped) delete headers[name];
  const { query } = attempt;
  const url = new URL(made.url);
  if (query && url.searchParams.getAll(query.name).includes(query.value)) {
    url.searchParams.delete(query.name);
    dropped.push(`?${query.name}`);
  }
  // No query key either for a same-origin redirect from there.
  return Object.assign({}, made, { url, init: { ...made.init, headers }, query: undefined }, dropped[0] && { dropped });
}

/** The interceptors answered `Response.error()` (status 0, type `error`): a network failure, the cause of a {@link NetworkError}. */
class ErrorResponse extends TypeError {}

// RequestInit fields an interceptor may set on its Request, besides method, headers and body;
// `redirect` stays the client's, as it follows redirects itself where it can.
const REQUEST_FIELDS = ['cache', 'credentials', 'integrity', 'keepalive', 'mode', 'referrer', 'referrerPolicy'] as const;
let defaultRequest: Request | undefined;

/**
 * The sendable form of a `Request` an interceptor made: its URL, method,
 * headers, body, signal and other fetch options. The body is read into a
 * buffer (what the interceptor made of it, exactly), so it keeps a
 * content-length and can follow a 307; only a stream upload stays a stream.
 * The auth header names and query credential stay those of the attempt, so a
 * redirect to another origin still drops them.
 */
function fromRequest(request: Request, attempt: SendableRequest): Observable<SendableRequest> {
  return defer(async () => {
    const init: SendableRequest['init'] = { method: request.method, headers: Object.fromEntries(request.headers), signal: request.signal };
    for (const field of REQUEST_FIELDS) {
      // Only what differs from a plain Request: the runtime's defaults stay implicit.
      defaultRequest ??= new Request('http://localhost/');
      if (request[field] !== defaultRequest[field]) (init as unknown as Record<string, unknown>)[field] = request[field];
    }
    if (request.body !== null) {
      if (typeof ReadableStream !== 'undefined' && attempt.init.body instanceof ReadableStream) {
        init.body = request.body;
        init.duplex = 'half';
      } else {
        init.body = await request.arrayBuffer();
      }
    }
    return { url: new URL(request.url), init, authNames: attempt.authNames, query: attempt.query };
  });
}

/**
 * Runs a fetch on behalf of the attempt: the first response is passed on and
 * the Observable completes, while the fetch itself stays subscribed in
 * `owner` (its body abortable) until it ends or the attempt does. So an
 * interceptor that takes the first response and lets go (`take(1)`,
 * `firstValueFrom`) does not abort the body the reader is about to read;
 * letting go before the response still aborts the fetch.
 */
function heldByAttempt(fetch$: Observable<Response>, owner: Subscription): Observable<Response> {
  return new Observable<Response>((subscriber) => {
    let answered = false;
    const subscription = fetch$.subscribe({
      next: (response) => {
        answered = true;
        subscriber.next(response);
        subscriber.complete();
      },
      error: (error: unknown) => subscriber.error(error),
    });
    owner.add(subscription);
    return () => {
      if (!answered) subscription.unsubscribe();
    };
  });
}

