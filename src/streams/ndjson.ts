import { concatMap, defer, type Observable, type OperatorFunction } from 'rxjs';
import { ParseError } from '../errors.js';
import type { AttemptContext } from '../response.js';
import { readLines } from './lines.js';

/**
 * A line of an NDJSON stream: its value, or why it is not JSON.
 *
 * @example
 * ```ts
 * const parsed: NdjsonLine | undefined = parseNdjsonLine(line);
 * if (parsed?.ok) console.log(parsed.value);
 * else if (parsed) console.warn('not JSON:', parsed.error);
 * ```
 */
export type NdjsonLine = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Parses one line of newline-delimited JSON. A blank line (spaces only) is
 * no value at all: `undefined`.
 *
 * @example
 * ```ts
 * parseNdjsonLine('{"a":1}'); // { ok: true, value: { a: 1 } }
 * parseNdjsonLine('');        // undefined
 * parseNdjsonLine('{oops');   // { ok: false, error: SyntaxError }
 * ```
 */
export function parseNdjsonLine(line: string): NdjsonLine | undefined {
  if (line.trim() === '') return undefined;
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Turns lines into one parsed value each, skipping blank lines; a line that
 * is not JSON errors with {@link ParseError} naming its number (from 1, blank
 * lines counted).
 *
 * @param status the response status, for the error
 * @example
 * ```ts
 * readLines(response, context).pipe(parseNdjson(response.status, context));
 * ```
 */
export function parseNdjson<T>(status: number, context: AttemptContext): OperatorFunction<string, T> {
  return (lines) =>
    defer(() => {
      let number = 0;
      return lines.pipe(
        concatMap((line) => {
          number += 1;
          const parsed = parseNdjsonLine(line);
          if (parsed === undefined) return [];
          if (!parsed.ok) throw new ParseError(parsed.error, line, status, context.target, context.attempt, { line: number });
          return [parsed.value as T];
        }),
      );
    });
}

/**
 * The reader of `client.ndjson()`: one value per line, as the lines arrive.
 *
 * @example
 * ```ts
 * send(prepared, readNdjson, 1, 30_000, asyncScheduler, { stream: true }); // Observable<unknown>
 * ```
 */
export function readNdjson<T>(response: Response, context: AttemptContext): Observable<T> {
  return readLines(response, context).pipe(parseNdjson<T>(response.status, context));
}
