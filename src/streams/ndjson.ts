import type { Observable } from 'rxjs';
import { ParseError } from '../core/body-errors.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import type { StandardSchemaV1, Validated } from '../core/standard-schema.js';
import type { SchemaOptions } from '../features/validation/index.js';
import { decodingLines, openLines } from './lines.js';
import { PLAIN_STREAM, readStream, type CheckedDecoder, type ChunkDecoder, type StreamKind, type StreamOptions } from './mode.js';
import { settle } from './settle.js';
import { pullStream, type PullOptions, type PullStream } from './pull.js';

/**
 * The decoder of an NDJSON response: one parsed value per line, blank lines
 * skipped; a line that is not JSON fails with {@link ParseError} naming its
 * number (from 1, blank lines counted), after the values before it. Every
 * value of `ndjson()` and `pullNdjson()` is made here, in `parse`; with
 * `withValidation()`'s `context.item`, each value's check, told its line.
 *
 * @example
 * ```ts
 * readBatches(response, context, { stream: PLAIN_STREAM, open: openNdjson }); // Observable<unknown[]>
 * ```
 */
export function openNdjson<T>(response: Response, context: AttemptContext): ChunkDecoder<T> | CheckedDecoder<T> {
  const lines = openLines(response, context);
  const { item } = context;
  let number = 0;
  let failed: { readonly error: unknown } | undefined;
  /** Whether a line that is not JSON ends the stream: a blank line (spaces only) is no value at all. */
  const fails = (cause: unknown, line: string): boolean => {
    // Checked only on failure: the common case pays nothing for it.
    if (line.trim() === '') return false;
    failed = { error: new ParseError(cause, line, response.status, context.target, context.attempt, { line: number }) };
    return true;
  };
  const parse = (batch: string[]): T[] => {
    const values: T[] = [];
    for (const line of batch) {
      number += 1;
      try {
        values.push(JSON.parse(line) as T);
      } catch (cause) {
        if (fails(cause, line)) break;
      }
    }
    return values;
  };
  // The same loop, each value given to the check: chosen once per response, not tested per line.
  const check = (batch: string[]): Observable<unknown>[] => {
    const checks: Observable<unknown>[] = [];
    for (const line of batch) {
      number += 1;
      try {
        checks.push(item!(JSON.parse(line), { line: number }));
      } catch (cause) {
        if (fails(cause, line)) break;
      }
    }
    return checks;
  };
  return decodingLines<T>(lines, item ? check : parse, () => failed, item && settle);
}

const NDJSON: StreamKind<unknown> = { accept: 'application/x-ndjson', stream: PLAIN_STREAM, open: openNdjson };

/**
 * GETs newline-delimited JSON and emits one parsed value per line as the
 * lines arrive (blank lines are skipped). A line that is not JSON errors
 * with `ParseError` naming its line number, not retried. Sends
 * `accept: application/x-ndjson`. It reads as fast as the server sends: for
 * a consumer that may be slower, see {@link pullNdjson}.
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
  return readStream(client, endpoint, params, options, () => NDJSON as StreamKind<Validated<S, T>>);
}

/**
 * The pull form of {@link ndjson}: one parsed value per line, the body read
 * from the socket only as the loop asks for more, so a slow consumer slows
 * the server down and memory stays flat (see `PullStream` for the contract);
 * `.batches()` gives each chunk's values as one array. A `schema` checks
 * each value as `ndjson()` does (a refused one ends the loop and closes the
 * connection; `onInvalid` skips it).
 *
 * @example
 * ```ts
 * for await (const job of pullNdjson<Job>(client, '/jobs')) await db.insert(job);
 * for await (const jobs of pullNdjson(client, '/jobs', undefined, { schema: Job }).batches()) await db.insertMany(jobs);
 * ```
 */
export function pullNdjson<T = unknown, S extends StandardSchemaV1 | undefined = undefined>(
  client: AsyncAPIClient,
  endpoint: string,
  params?: QueryParams,
  options?: PullOptions & SchemaOptions<S>,
): PullStream<Validated<S, T>> {
  return pullStream(client, endpoint, params, options, () => NDJSON as StreamKind<Validated<S, T>>);
}
