import { concatAll, type Observable } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import { checkStatus } from '../core/response.js';
import { PLAIN_STREAM, readBatches, readStream, type StreamKind, type StreamOptions } from './mode.js';
import { pullStream, type PullOptions, type PullStream } from './pull.js';

/** A body's bytes, each chunk as it came: an item per chunk, no copy. */
const CHUNKS: StreamKind<Uint8Array> = {
  stream: PLAIN_STREAM,
  open: (response, context) => {
    checkStatus(response, context);
    return { push: (chunk) => [chunk], end: () => [], failed: undefined };
  },
};

/**
 * The reader of a body's bytes as they arrive, once the status is checked
 * (what `chunks()` reads, one chunk at a time); nothing for a response
 * without a body (a 204). Unsubscribing closes the connection.
 *
 * @example
 * ```ts
 * client.read('/export.csv', { read: readChunks, stream: PLAIN_STREAM }); // Observable<Uint8Array>
 * ```
 */
export function readChunks(response: Response, context: AttemptContext): Observable<Uint8Array> {
  return readBatches(response, context, CHUNKS).pipe(concatAll());
}

/**
 * GETs an endpoint and emits its body's bytes as they arrive. Like every
 * stream: the timeout covers the wait for the response headers only, the
 * `deadline` (with `withDeadline()`) the stream's whole life, `idleTimeout`
 * each quiet spell; a failure is retried by the policy until the first value,
 * never after it (the values would repeat); unsubscribing closes the
 * connection at once. It reads as fast as the server sends: for a consumer
 * that may be slower, see {@link pullChunks}.
 *
 * @example
 * ```ts
 * chunks(client, '/export.csv').subscribe((chunk) => file.write(chunk));
 * ```
 */
export function chunks(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: StreamOptions): Observable<Uint8Array> {
  return readStream(client, endpoint, params, options, () => CHUNKS);
}

/**
 * The pull form of {@link chunks}: the body's chunks, read from the socket
 * only as the loop asks for them, so a slow consumer slows the server down
 * (see `PullStream` for the contract).
 *
 * @example
 * ```ts
 * for await (const chunk of pullChunks(client, '/export.csv')) await file.write(chunk);
 * ```
 */
export function pullChunks(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: PullOptions): PullStream<Uint8Array> {
  return pullStream(client, endpoint, params, options, () => CHUNKS);
}
