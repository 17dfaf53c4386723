import type { Feature } from '../core/feature.js';
import type { PreparedRequest } from '../core/prepare.js';
import type { CountListener } from './events.js';

/**
 * The per-request option that `upload()` sets: the listener of the bytes
 * sent, with the attempt they belong to. Read by {@link withUploadProgress}.
 *
 * @example
 * ```ts
 * const options: UploadProgressOption = { onUploadProgress: (loaded, total, attempt) => console.log(loaded, total, attempt) };
 * ```
 */
export interface UploadProgressOption {
  onUploadProgress?: CountListener;
}

/**
 * The feature that lets `upload()` report the bytes sent: it hands the
 * request's `onUploadProgress` to the transport (the `Transport` seam's
 * `init.onUploadProgress`), with each attempt's number. fetch in Node, the
 * undici transport and `xhrTransport()` count; a browser's fetch cannot.
 * A client without it pays nothing.
 *
 * @returns the feature, to pass after the client's options
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withUploadProgress());
 * upload(client, '/files', file).subscribe((event) => console.log(event));
 * ```
 */
export function withUploadProgress(): Feature {
  return {
    order: 0,
    setup: () => ({
      options: ['onUploadProgress'],
      prepare: (request, context) => {
        const listener = (context.options as UploadProgressOption).onUploadProgress;
        if (listener === undefined) return request;
        // The listener is set once per logical request; `context.attempts` is the attempt sending at the time.
        const onUploadProgress = (loaded: number, total: number | undefined) => listener(loaded, total, context.attempts);
        return { ...request, init: Object.assign({}, request.init, { onUploadProgress }) as PreparedRequest['init'] };
      },
    }),
  };
}
