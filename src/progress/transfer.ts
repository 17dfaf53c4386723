import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import { ConfigurationError } from '../core/errors.js';
import type { CallOptions, RequestBody } from '../core/options.js';
import { declaredLength } from '../core/read-body.js';
import { JSON_READER, type Reader } from '../core/response.js';
import { throttle, type Throttle, type TransferEvent } from './events.js';
import type { UploadProgressOption } from './upload-feature.js';

/**
 * Options of {@link download}: those of `client.read()`, and how often progress is told.
 *
 * @example
 * ```ts
 * const options: TransferOptions = { progressInterval: 250, maxBodySize: false };
 * ```
 */
export interface TransferOptions extends CallOptions {
  /**
   * The least time between two progress events of an attempt, in ms (the
   * first and the last of each attempt always go out); 0 for one per chunk.
   * @default 50
   */
  progressInterval?: number;
  /**
   * The clock of the interval (its `now()`): a `TestScheduler` in tests.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/**
 * Options of {@link upload}: those of {@link TransferOptions} without a body
 * (an argument of its own), and how to read the reply.
 *
 * @example
 * ```ts
 * const options: UploadOptions<{ id: string }> = { method: 'PUT', headers: { 'content-type': 'image/png' } };
 * ```
 */
export interface UploadOptions<T> extends Omit<TransferOptions, 'body' | 'json'> {
  /**
   * How to read the reply.
   * @default the JSON reader of getJson (undefined for an empty reply)
   */
  reader?: Reader<T>;
}

/**
 * GETs (or sends, with `options.method`) an endpoint and emits the progress
 * of its response body as it is read (`{ type: 'download', loaded, total,
 * attempt }`: one when the response comes, at most one per chunk and per
 * `progressInterval`, and one with the final count), then what `reader`
 * makes of it (`{ type: 'result', value }`). One subscription for both;
 * unsubscribing cancels the transfer. A retry starts again from 0 with its
 * attempt number. The counting streams the body: it holds no more of it than
 * the reader does (a stream reader, none).
 *
 * @param reader how to read the body: `asBlob`, `asBytes`, a JSON reader, a stream reader
 * @example
 * ```ts
 * download(client, '/export.csv', asBlob).subscribe((event) => {
 *   if (event.type === 'download') console.log(`${event.loaded} of ${event.total ?? '?'} bytes`);
 *   else saveAs(event.value);
 * });
 * ```
 */
export function download<T>(client: AsyncAPIClient, endpoint: string, reader: Reader<T>, options: TransferOptions = {}): Observable<TransferEvent<T>> {
  return transfer(client, endpoint, reader, options, 'download');
}

/**
 * Sends a body (POST unless `options.method` says otherwise) and emits the
 * progress of its bytes as the transport sends them (`{ type: 'upload',
 * loaded, total, attempt }`, `total` when the body's size is known), then the
 * reply (`{ type: 'result', value }`, read as JSON unless `options.reader`
 * says otherwise). Needs the client's {@link withUploadProgress} feature, and
 * a transport that counts: fetch in Node, `undiciTransport()`, or in a browser
 * `xhrTransport()` (a browser's fetch cannot report an upload's progress).
 * A body of known length keeps its `Content-Length`.
 *
 * @param body what to send: a `Blob` or file, a string, bytes, `FormData`, a stream (sent once), or a function that makes one per attempt
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withUploadProgress());
 * upload(client, '/files', file).subscribe((event) => (event.type === 'upload' ? bar.set(event.loaded / (event.total ?? file.size)) : done(event.value)));
 * ```
 */
export function upload<T = unknown>(
  client: AsyncAPIClient,
  endpoint: string,
  body: RequestBody | (() => RequestBody),
  options: UploadOptions<T> = {},
): Observable<TransferEvent<T>> {
  const { reader = JSON_READER as Reader<T>, ...rest } = options;
  return transfer(client, endpoint, reader, Object.assign({ method: 'POST' }, rest, { body }), 'upload');
}

/** One transfer: the call, with the progress of one direction counted and throttled into the same stream as its result. */
function transfer<T>(client: AsyncAPIClient, endpoint: string, reader: Reader<T>, options: TransferOptions, direction: 'upload' | 'download'): Observable<TransferEvent<T>> {
  return new Observable<TransferEvent<T>>((subscriber) => {
    const { progressInterval = 50, scheduler = asyncScheduler, ...call } = options;
    if (!(typeof progressInterval === 'number' && progressInterval >= 0)) {
      throw new ConfigurationError(
        process.env.NODE_ENV !== 'production' ? `progressInterval must be a number of ms, 0 or more (0: an event per chunk), not ${String(progressInterval)}` : 'progress-interval',
      );
    }
    const progress = throttle(direction, (event) => subscriber.next(event), progressInterval, () => scheduler.now());
    const counting = direction === 'download' ? countingDownload(reader, progress) : afterUpload(reader, progress);
    const callOptions = direction === 'upload' ? (Object.assign({}, call, { onUploadProgress: progress.count }) satisfies CallOptions & UploadProgressOption) : call;
    return client.read(endpoint, counting, callOptions).subscribe({
      next: (value) => subscriber.next({ type: 'result', value }),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}

/** The reader, once the upload of the attempt is over (its response came): the last count goes out first. */
function afterUpload<T>(reader: Reader<T>, progress: Throttle): Reader<T> {
  return {
    ...reader,
    read: (response, context) => {
      progress.end(context.attempt);
      return reader.read(response, context);
    },
  };
}

/**
 * The reader over a body that counts its bytes as they come. A response that
 * is not a 2xx with a body goes to the reader as it is (an error status is
 * the reader's to report).
 */
function countingDownload<T>(reader: Reader<T>, progress: Throttle): Reader<T> {
  return {
    ...reader,
    read: (response, context) => {
      const { attempt } = context;
      if (response.status < 200 || response.status > 299 || response.body === null) return reader.read(response, context);
      const total = declaredLength(response.headers);
      let loaded = 0;
      progress.count(0, total, attempt);
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            loaded += chunk.byteLength;
            controller.enqueue(chunk);
            progress.count(loaded, total, attempt);
          },
          flush: () => progress.end(attempt),
        }),
      );
      // Cancelling this body (unsubscribing, a timeout) cancels the network's, through the pipe.
      const counted = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      Object.defineProperties(counted, { url: { value: response.url }, redirected: { value: response.redirected } });
      return reader.read(counted, context);
    },
  };
}
