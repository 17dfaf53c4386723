import { EMPTY, Observable } from 'rxjs';
import { checkStatus, type AttemptContext } from '../response.js';

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
 * The reader of `client.chunks()`: the body's bytes as they arrive, once the
 * status is checked; nothing for a response without a body (a 204).
 *
 * @example
 * ```ts
 * send(prepared, readChunks, 1, 30_000, asyncScheduler, { stream: true }); // Observable<Uint8Array>
 * ```
 */
export function readChunks(response: Response, context: AttemptContext): Observable<Uint8Array> {
  checkStatus(response, context);
  return response.body === null ? EMPTY : bodyChunks(response.body);
}
