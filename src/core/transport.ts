import type { Observable, ObservableInput } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { ConfigurationError } from './errors.js';
import { refusingLocally } from './local-refusal.js';

/**
 * What one fetch of an attempt is sent through: `fromFetch`'s shape. It sends
 * `init` to `url`, hands the `Response` to `init.selector`, emits what the
 * selector emits, and keeps the connection abortable until the selector's
 * Observable completes: unsubscribing before then aborts the request and its
 * body. It must not follow redirects (`init.redirect` is `'manual'` where the
 * client follows them itself, in Node).
 *
 * @example
 * ```ts
 * const logging: Transport = (url, init) => { console.log(init.method, url); return fetchTransport(url, init); };
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', transport: logging });
 * ```
 */
export type Transport = <T>(url: string, init: RequestInit & { selector: (response: Response) => ObservableInput<T> }) => Observable<T>;

/**
 * The default {@link Transport}: the platform's `fetch`, through rxjs `fromFetch`.
 * In Node, a request that fetch refuses before sending it (a header that is
 * the transport's own to set, such as `transfer-encoding`) errors with
 * `ConfigurationError`, not as a network failure (see ./local-refusal.ts).
 *
 * @example
 * ```ts
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', transport: fetchTransport }); // the same as leaving it out
 * ```
 */
export const fetchTransport: Transport = refusingLocally((url, init) => fromFetch(url, init));

/**
 * The client's `transport` option, checked: {@link fetchTransport} when left out.
 *
 * @example
 * ```ts
 * resolveTransport(undefined) === fetchTransport; // true
 * ```
 */
export function resolveTransport(transport: unknown): Transport {
  if (transport === undefined) return fetchTransport;
  if (typeof transport !== 'function') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'transport must be a function such as undiciTransport() from rx-api-client/undici, or left out for fetch' : 'transport');
  }
  return transport as Transport;
}
