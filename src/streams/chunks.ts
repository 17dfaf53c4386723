import { EMPTY, Observable } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import { checkStatus, type Reader } from '../core/response.js';
import { PLAIN_STREAM, readStream, type StreamOptions } from './mode.js';

/**
 * The chunks of a byte stream as they arrive. Unsubscribing cancels the
 * stream, which closes the connection of a fetch body. (rxjs's own
 * `from(readableStream)` only releases its lock, which leaves a stalled body
 * open, and waits for the next chunk before it notices the unsubscribe.)
 *
 * @example
 * ```ts
 * bodyChunks(response.body!).subscribe((chunk) => console.log(chunk.byteLength));
 * ```
 */
export function bodyChunks(body: ReadableStream<Uint8Array>): Observable<Uint8Array> {
  return new Observable<Uint8Array>((subscriber) => {
    const reader = body.getReader();
    let ended = false;
    const pump = (): void => {
      reader.read().then(
        ({ done, value }) => {
          if (done) {
            ended = true;
            subscriber.complete();
            return;
          }
          subscriber.next(value);
          if (!subscriber.closed) pump();
        },
        (error: unknown) => {
          ended = true;
          subscriber.error(error);
        },
      );
    };
    pump();
    return () => {
      if (!ended) reader.cancel().catch(() => undefined);
    };
  });
}

/**
 * The reader of `chunks()`: the body's bytes as they arrive, once the
 * status is checked; nothing for a response without a body (a 204).
 *
 * @example
 * ```ts
 * client.read('/export.csv', { read: readChunks, stream: PLAIN_STREAM }); // Observable<Uint8Array>
 * ```
 */
export function readChunks(response: Response, context: AttemptContext): Observable<Uint8Array> {
  checkStatus(response, context);
  return response.body === null ? EMPTY : bodyChunks(response.body);
}

const CHUNKS: Reader<Uint8Array> = { read: readChunks, stream: PLAIN_STREAM };

/**
 * GETs an endpoint and emits its body's bytes as they arrive. Like every
 * stream: the timeout covers the wait for the response headers only, the
 * `deadline` (with `withDeadline()`) the stream's whole life, `idleTimeout`
 * each quiet spell; a failure is retried by the policy until the first value,
 * never after it (the values would repeat); unsubscribing closes the
 * connection at once.
 *
 * @example
 * ```ts
 * chunks(client, '/export.csv').subscribe((chunk) => file.write(chunk));
 * ```
 */
export function chunks(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: StreamOptions): Observable<Uint8Array> {
  return readStream(client, endpoint, params, options, () => CHUNKS);
}
