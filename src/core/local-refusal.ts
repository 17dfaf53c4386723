import { catchError, throwError, type Observable } from 'rxjs';
import { ConfigurationError } from './errors.js';

/*
 * Node's side of a request that the transport refuses before sending it. fetch in Node is undici, and
 * undici checks a request before it writes a byte: headers that are its own to set (transfer-encoding,
 * connection values such as upgrade, keep-alive, and for fetch content-length), one it does not support
 * (expect), a body whose length is not the content-length given. Its refusal came out of fetch as the
 * TypeError of a network failure, which the client retried: the retry budget paid, the breaker counted,
 * and every attempt failed the same way. It is a ConfigurationError: never retried, not a failure to the
 * breaker. Browsers refuse none of these (they drop such headers themselves): ./local-refusal.browser.ts
 * is their side, and browser bundles carry none of this.
 */

// undici's codes for those refusals, on the error itself (undici) or on its cause (fetch's TypeError).
const REFUSED = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

/**
 * The error of a request the transport refused before sending it, as a
 * {@link ConfigurationError} (the transport's error as its `cause`); any
 * other error as it is.
 *
 * @param method the request's method, for the message
 * @param url the request's URL: the message shows it without its query
 * @example
 * ```ts
 * refusedLocally(new TypeError('fetch failed', { cause: invalidTransferEncoding }), 'POST', 'https://h/x'); // ConfigurationError
 * refusedLocally(new TypeError('fetch failed', { cause: connectionRefused }), 'POST', 'https://h/x');        // the TypeError
 * ```
 */
export function refusedLocally(error: unknown, method: string | undefined, url: string): unknown {
  const refusal = [error, (error as { cause?: unknown } | undefined)?.cause].find((candidate) => REFUSED.has((candidate as { code?: string } | undefined)?.code as string));
  if (refusal === undefined) return error;
  return new ConfigurationError(
    process.env.NODE_ENV !== 'production'
      ? `${method ?? 'GET'} ${url.split(/[?#]/, 1)[0]} was refused by the transport before it was sent: ${(refusal as Error).message}. ` +
          'The transport sets transfer-encoding, connection, keep-alive, upgrade and content-length itself (fetch in Node refuses any content-length) ' +
          'and does not support expect: leave them out of the headers'
      : 'refused',
    { cause: error },
  );
}

/**
 * A transport with its local refusals turned into {@link ConfigurationError}s
 * (see {@link refusedLocally}). Generic rather than typed with `Transport`,
 * which ./transport.ts declares and wraps with this: no import cycle.
 *
 * @example
 * ```ts
 * const fetchTransport: Transport = refusingLocally((url, init) => fromFetch(url, init));
 * ```
 */
export function refusingLocally<F extends (url: string, init: never) => Observable<unknown>>(transport: F): F {
  const refusing = (url: string, init: RequestInit) =>
    transport(url, init as never).pipe(catchError((error: unknown) => throwError(() => refusedLocally(error, init.method, url))));
  return refusing as unknown as F;
}
