import type { Observable } from 'rxjs';
import { ParseError } from '../core/body-errors.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import { openLines } from './lines.js';
import { PLAIN_STREAM, readStream, type ChunkDecoder, type StreamKind, type StreamOptions } from './mode.js';
import { pullStream, type PullOptions, type PullStream } from './pull.js';

/**
 * The decoder of an NDJSON response: one parsed value per line, blank lines
 * skipped; a line that is not JSON fails with {@link ParseError} naming its
 * number (from 1, blank lines counted), after the values before it. Every
 * value of `ndjson()` and `pullNdjson()` is made here, in `parse`.
 *
 * @example
 * ```ts
 * readBatches(response, context, { stream: PLAIN_STREAM, open: openNdjson }); // Observable<unknown[]>
 * ```
 */
export function openNdjson<T>(response: Response, context: AttemptContext): ChunkDecoder<T> {
  const lines = openLines(response, context);
  let number = 0;
  let failed: { readonly error: unknown } | undefined;
  const parse = (batch: string[]): T[] => {
    const values: T[] = [];
    for (const line of batch) {
      number += 1;
      try {
        values.push(JSON.parse(line) as T);
      } catch (cause) {
        // Checked only on failure: a blank line (spaces only) is no value at all, and the common case pays nothing for it.
        if (line.trim() === '') continue;
        failed = { error: new ParseError(cause, line, response.status, context.target, context.attempt, { line: number }) };
        break;
      }
    }
    return values;
  };
  return {
    push: (chunk) => parse(lines.push(chunk)),
    end: () => parse(lines.end()),
    get failed() {
      return failed ?? lines.failed;
    },
  };
}

const NDJSON: StreamKind<unknown> = { accept: 'application/x-ndjson', stream: PLAIN_STREAM, open: openNdjson };

/**
 * GETs newline-delimited JSON and emits one parsed value per line as the
 * lines arrive (blank lines are skipped). A line that is not JSON errors
 * with `ParseError` naming its line number, not retried. Sends
 * `accept: application/x-ndjson`. It reads as fast as the server sends: for
 * a consumer that may be slower, see {@link pullNdjson}.
 *
 * @example
 * ```ts
 * ndjson<Job>(client, '/jobs').pipe(mergeMap((job) => client.getJson(`/jobs/${job.id}`), 4)).subscribe(show);
 * ```
 */
export function ndjson<T = unknown>(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: StreamOptions): Observable<T> {
  return readStream(client, endpoint, params, options, () => NDJSON as StreamKind<T>);
}

/**
 * The pull form of {@link ndjson}: one parsed value per line, the body read
 * from the socket only as the loop asks for more, so a slow consumer slows
 * the server down and memory stays flat (see `PullStream` for the contract);
 * `.batches()` gives each chunk's values as one array.
 *
 * @example
 * ```ts
 * for await (const job of pullNdjson<Job>(client, '/jobs')) await db.insert(job);
 * ```
 */
export function pullNdjson<T = unknown>(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: PullOptions): PullStream<T> {
  return pullStream(client, endpoint, params, options, () => NDJSON as StreamKind<T>);
}
