import { concatAll, Observable, type OperatorFunction } from 'rxjs';
import { ParseError } from '../core/body-errors.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import type { Reader } from '../core/response.js';
import type { StandardSchemaV1, Validated } from '../core/standard-schema.js';
import type { SchemaOptions } from '../features/validation/index.js';
import { readLines } from './lines.js';
import { PLAIN_STREAM, readStream, type StreamOptions } from './mode.js';

/**
 * Turns lines into one parsed value each, skipping blank lines; a line that
 * is not JSON errors with {@link ParseError} naming its number (from 1, blank
 * lines counted).
 *
 * @param status the response status, for the error
 * @param place what to emit for a value and its line, in place of the value (the item check of `withValidation()`)
 * @example
 * ```ts
 * readLines(response, context).pipe(parseNdjson(response.status, context));
 * ```
 */
export function parseNdjson<T, U = T>(status: number, context: AttemptContext, place?: (value: T, line: number) => U): OperatorFunction<string, U> {
  return (lines) =>
    new Observable<U>((subscriber) => {
      let number = 0;
      return lines.subscribe({
        next: (line) => {
          number += 1;
          let value: T;
          try {
            value = JSON.parse(line) as T;
          } catch (cause) {
            // Checked only on failure: a blank line (spaces only) is no value at all, and the common case pays nothing for it.
            if (line.trim() !== '') subscriber.error(new ParseError(cause, line, status, context.target, context.attempt, { line: number }));
            return;
          }
          subscriber.next(place ? place(value, number) : (value as unknown as U));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * The reader of `ndjson()`: one value per line, as the lines arrive.
 *
 * @example
 * ```ts
 * client.read('/jobs', { read: readNdjson, stream: PLAIN_STREAM }); // Observable<unknown>
 * ```
 */
export function readNdjson<T>(response: Response, context: AttemptContext): Observable<T> {
  const lines = readLines(response, context);
  const { item } = context;
  if (!item) return lines.pipe(parseNdjson<T>(response.status, context));
  // withValidation()'s check of each item, told its line: one at a time, in order.
  return lines.pipe(parseNdjson(response.status, context, (value, line) => item(value, { line })), concatAll()) as Observable<T>;
}

const NDJSON: Reader<unknown> = { read: readNdjson, accept: 'application/x-ndjson', stream: PLAIN_STREAM };

/**
 * GETs newline-delimited JSON and emits one parsed value per line as the
 * lines arrive (blank lines are skipped). A line that is not JSON errors
 * with `ParseError` naming its line number, not retried. Sends
 * `accept: application/x-ndjson`.
 *
 * With a `schema` (and the client's `withValidation()`) each item is checked
 * and the schema's output emitted: the first invalid item ends the stream
 * with `ValidationError` naming its line, unless `onInvalid` skips it.
 *
 * @example
 * ```ts
 * ndjson<Job>(client, '/jobs').pipe(mergeMap((job) => client.getJson(`/jobs/${job.id}`), 4)).subscribe(show);
 * ndjson(client, '/jobs', undefined, { schema: Job }); // Observable<z.output<typeof Job>>, each line checked
 * ```
 */
export function ndjson<T = unknown, S extends StandardSchemaV1 | undefined = undefined>(
  client: AsyncAPIClient,
  endpoint: string,
  params?: QueryParams,
  options?: StreamOptions & SchemaOptions<S>,
): Observable<Validated<S, T>> {
  return readStream(client, endpoint, params, options, () => NDJSON as Reader<Validated<S, T>>);
}
