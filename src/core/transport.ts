import type { Observable, ObservableInput } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { ConfigurationError } from './errors.js';
import { refusingLocally } from '#local-refusal';
import { countingUploads } from '#upload-count';

/**
 * What one fetch of an attempt is sent through: `fromFetch`'s shape. It sends
 * `init` to `url`, hands the `Response` to `init.selector`, emits what the
 * selector emits, and keeps the connection abortable until the selector's
 * Observable completes: unsubscribing before then aborts the request and its
 * body. It must not follow redirects (`init.redirect` is `'manual'` where the
 * client follows them itself, in Node). For a Blob, file form or stream body it is
 * `'error'` there: fetch in Node keeps a copy of the body otherwise (it tees
 * it), and fails on a 3xx instead, which the client reports as a
 * `RedirectError`; a transport that hands the 3xx over instead (undici's) has
 * it followed as with `'manual'`.
 *
 * Upload progress passes through here: when `init.onUploadProgress` is set
 * (only then: a transport pays nothing otherwise), the transport calls it
 * with the bytes of the body sent so far as it consumes them, and the total
 * when it is known, ending on the whole count; it keeps the request's framing
 * (a body of known length keeps its `Content-Length`). A transport that
 * cannot count (fetch in a browser) leaves it uncalled.
 *
 * @example
 * ```ts
 * const logging: Transport = (url, init) => { console.log(init.method, url); return fetchTransport(url, init); };
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', transport: logging });
 * ```
 */
export type Transport = <T>(url: string, init: TransportInit<T>) => Observable<T>;

/**
 * What a {@link Transport} is given: fetch's `RequestInit`, the selector, and
 * the upload progress listener when a caller asked for one.
 *
 * @example
 * ```ts
 * const init: TransportInit<string> = { method: 'PUT', body: file, selector: (response) => response.text(), onUploadProgress: (loaded, total) => console.log(loaded, total) };
 * ```
 */
export interface TransportInit<T> extends RequestInit {
  /** Turns the final response into what the transport emits; the connection stays abortable until its Observable completes. */
  selector: (response: Response) => ObservableInput<T>;
  /** Called as the body's bytes are sent: bytes so far, and the body's size when known. */
  onUploadProgress?: ((loaded: number, total: number | undefined) => void) | undefined;
}

/**
 * The default {@link Transport}: the platform's `fetch`, through rxjs `fromFetch`.
 * In Node, a request that fetch refuses before sending it (a header that is
 * the transport's own to set, such as `transfer-encoding`) errors with
 * `ConfigurationError`, not as a network failure (see ./local-refusal.ts).
 * In Node it counts an upload's bytes when asked (see ./upload-count.ts).
 *
 * @example
 * ```ts
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', transport: fetchTransport }); // the same as leaving it out
 * ```
 */
export const fetchTransport: Transport = refusingLocally(countingUploads(fromFetch as Transport));

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
