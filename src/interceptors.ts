import { defer, type Observable } from 'rxjs';
import { ConfigurationError } from './errors.js';

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
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', interceptors: [requestId] });
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
 * Checks the `interceptors` option: an array of functions. Throws
 * {@link ConfigurationError} for anything else.
 *
 * @example
 * ```ts
 * resolveInterceptors(undefined); // []
 * resolveInterceptors([(request, next) => next(request)]).length; // 1
 * ```
 */
export function resolveInterceptors(interceptors: readonly Interceptor[] | undefined): readonly Interceptor[] {
  if (interceptors === undefined) return [];
  if (!Array.isArray(interceptors)) {
    throw new ConfigurationError('interceptors must be an array of functions (request, next) => Observable<Response>');
  }
  interceptors.forEach((interceptor: unknown, index) => {
    if (typeof interceptor !== 'function') {
      throw new ConfigurationError(`interceptors[${index}] is ${interceptor === null ? 'null' : `a ${typeof interceptor}`}: pass a function (request, next) => Observable<Response>`);
    }
  });
  return Object.freeze([...interceptors]);
}
