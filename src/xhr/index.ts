import { from, Observable, type Subscription } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import type { Transport, TransportInit } from '../core/transport.js';

// Statuses whose Response must have a null body.
const NULL_BODY = new Set([204, 205, 304]);

/**
 * A browser {@link Transport} on `XMLHttpRequest`, for what fetch cannot do
 * there: report an upload's progress (`upload()` with `withUploadProgress()`).
 * The client's contract holds: cold Observables, unsubscribing (and the
 * per-attempt timeout) aborts the request, retries by the policy, the same
 * typed errors (a failure of the network is a `NetworkError`).
 *
 * What differs from fetch, as XHR allows:
 * - it buffers the response body whole (a `Blob`) before the reader gets it,
 *   so a download's progress comes at once at the end; use fetch for that;
 * - it follows redirects itself, always (fetch too, in browsers); the client sees the final response;
 * - credentials: `credentials: 'include'` sends cookies cross-origin
 *   (`withCredentials`); otherwise same-origin requests carry cookies, as
 *   fetch's default `same-origin` does; `'omit'` cannot keep them off a
 *   same-origin request;
 * - a stream body cannot be sent (a `ConfigurationError`): send a `Blob` or file;
 * - listening to an upload's progress makes a cross-origin request preflighted (CORS).
 *
 * @returns the transport, for the client's `transport` option
 * @example
 * ```ts
 * import { AsyncAPIClient, upload, withUploadProgress } from 'rx-api-client';
 * import { xhrTransport } from 'rx-api-client/xhr';
 *
 * const client = new AsyncAPIClient({ baseUrl: '/api', transport: xhrTransport() }, withUploadProgress());
 * upload(client, '/files', file).subscribe((event) => console.log(event));
 * ```
 */
export function xhrTransport(): Transport {
  return <T>(url: string, init: TransportInit<T>) =>
    new Observable<T>((subscriber) => {
      const { body, signal } = init;
      if (body instanceof ReadableStream || (typeof body === 'object' && body !== null && Symbol.asyncIterator in body)) {
        throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'xhrTransport cannot send a stream body: send a Blob, a file, bytes or a string' : 'xhr-stream');
      }
      const xhr = new XMLHttpRequest();
      let reading: Subscription | undefined;
      let done = false;
      const abort = () => xhr.abort();
      xhr.open(init.method ?? 'GET', url);
      xhr.responseType = 'blob';
      xhr.withCredentials = init.credentials === 'include';
      new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
      const report = init.onUploadProgress;
      // Only when asked: an upload listener makes a cross-origin request preflighted.
      if (report !== undefined && body !== undefined && body !== null) {
        xhr.upload.onprogress = (event) => report(event.loaded, event.lengthComputable ? event.total : undefined);
      }
      xhr.onload = () => {
        done = true;
        signal?.removeEventListener('abort', abort);
        try {
          reading = from(init.selector(toResponse(xhr, url))).subscribe(subscriber);
        } catch (error) {
          subscriber.error(error);
        }
      };
      // fetch's failure: the client makes it a NetworkError, and retries it.
      xhr.onerror = () => subscriber.error(new TypeError('Network request failed'));
      // An abort from the caller's own signal, as fetch rejects; unsubscribing has closed the subscriber already.
      xhr.onabort = () => subscriber.error(signal?.reason ?? new DOMException('The request was aborted', 'AbortError'));
      if (signal?.aborted) return subscriber.error(signal.reason);
      signal?.addEventListener('abort', abort, { once: true });
      xhr.send((body ?? null) as XMLHttpRequestBodyInit | null);
      return () => {
        reading?.unsubscribe();
        signal?.removeEventListener('abort', abort);
        if (!done) abort();
      };
    });
}

/** The finished request as a fetch `Response`: status, headers, the body as the Blob XHR gathered, the final URL. */
function toResponse(xhr: XMLHttpRequest, url: string): Response {
  const headers = new Headers();
  for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const body = NULL_BODY.has(xhr.status) ? null : (xhr.response as Blob);
  const response = new Response(body, { status: xhr.status, statusText: xhr.statusText, headers });
  Object.defineProperties(response, { url: { value: xhr.responseURL }, redirected: { value: xhr.responseURL !== url.split('#', 1)[0] } });
  return response;
}
