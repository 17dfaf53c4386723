import { Observable, type OperatorFunction } from 'rxjs';
import { BodyTooLargeError } from '../core/body-errors.js';
import { DEFAULTS } from '../core/constants.js';
import type { AttemptContext } from '../core/context.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { Reader } from '../core/response.js';
import { readChunks } from './chunks.js';
import { PLAIN_STREAM, readStream, type StreamOptions } from './mode.js';

const LF = 10;
const CR = 13;

/**
 * The most text a stream reader holds at once (a line in progress, an event
 * in progress), in UTF-8 bytes, and the error it fails with beyond that.
 *
 * @example
 * ```ts
 * const limit: SizeLimit = { maxBytes: 1024, tooLarge: (bytes) => new Error(`a line of more than 1024 bytes (${bytes} so far)`) };
 * bodyChunks(response.body!).pipe(decodeLines(limit));
 * ```
 */
export interface SizeLimit {
  /** The most bytes; `Infinity` for no limit. */
  readonly maxBytes: number;
  /** The error for a line or event that passed `maxBytes`, given its bytes so far. */
  readonly tooLarge: (receivedBytes: number) => unknown;
}

// Any UTF-16 code unit but ASCII: text without one has as many UTF-8 bytes as code units.
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * The UTF-8 size of `text` in bytes, as `TextEncoder` would encode it (text
 * from `TextDecoder` has no lone surrogate: a bad byte is U+FFFD, 3 bytes).
 *
 * @example
 * ```ts
 * utf8Length('é€'); // 5
 * ```
 */
export function utf8Length(text: string): number {
  // Mostly ASCII: one native scan rather than a loop in JS.
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // Each half of a surrogate pair is half of its 4 bytes.
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code < 0xe000) ? 2 : 3;
  }
  return bytes;
}

/**
 * Splits text that arrives in pieces into lines. A line ends with `\n`,
 * `\r\n` or `\r` (as the HTML spec reads event streams), also when the `\r`
 * and the `\n` arrive in different pieces; the ends are not part of the lines.
 *
 * With `maxLineBytes`, a line (finished or not) that passes it stops the
 * splitter at once: `push` returns the lines finished before it and
 * `overflowBytes` says how many bytes of that line had come; the splitter
 * takes nothing more.
 *
 * @param maxLineBytes the longest line in UTF-8 bytes, its end not counted
 * @default maxLineBytes Infinity
 * @example
 * ```ts
 * const splitter = new LineSplitter();
 * splitter.push('a\nb');   // ['a']
 * splitter.push('c\r');    // ['bc']
 * splitter.push('\nd');    // []
 * splitter.end();          // ['d']
 * ```
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #pending = '';
  /** The UTF-8 bytes of `#pending`, counted only when there is a limit. */
  #pendingBytes = 0;
  #skipLineFeed = false;
  #overflowBytes: number | undefined;

  constructor(maxLineBytes = Infinity) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** The bytes of the line that passed `maxLineBytes`, as far as it had come; `undefined` while none did. */
  get overflowBytes(): number | undefined {
    return this.#overflowBytes;
  }

  /** Adds a piece of text and returns the lines it completes. */
  push(text: string): string[] {
    if (this.#overflowBytes !== undefined) throw new RangeError(process.env.NODE_ENV !== 'production' ? `a line passed ${this.#maxLineBytes} bytes: this splitter takes nothing more` : 'overflow');
    if (text === '') return [];
    let start = 0;
    if (this.#skipLineFeed && text.charCodeAt(0) === LF) start = 1;
    this.#skipLineFeed = false;
    const lines: string[] = [];
    for (let i = start; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      if (this.#passesLimit(text, start, i)) return lines;
      lines.push(this.#pending + text.slice(start, i));
      this.#pending = '';
      this.#pendingBytes = 0;
      if (code === CR) {
        if (i + 1 === text.length) this.#skipLineFeed = true;
        else if (text.charCodeAt(i + 1) === LF) i += 1;
      }
      start = i + 1;
    }
    if (this.#passesLimit(text, start, text.length)) return lines;
    const rest = text.slice(start);
    this.#pending += rest;
    if (this.#maxLineBytes !== Infinity) this.#pendingBytes += utf8Length(rest);
    return lines;
  }

  /** Adds the last piece and returns the lines left, the unterminated last one included. */
  end(text = ''): string[] {
    const lines = this.push(text);
    if (this.#overflowBytes !== undefined) return lines;
    if (this.#pending !== '') lines.push(this.#pending);
    this.#pending = '';
    this.#pendingBytes = 0;
    return lines;
  }

  /** Whether the pending line and `text` from `start` to `end` pass the limit; if so, the splitter stops. */
  #passesLimit(text: string, start: number, end: number): boolean {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count exactly only when the line may be too long.
    if (this.#pendingBytes + 3 * (end - start) <= this.#maxLineBytes) return false;
    const bytes = this.#pendingBytes + utf8Length(text.slice(start, end));
    if (bytes <= this.#maxLineBytes) return false;
    this.#overflowBytes = bytes;
    this.#pending = '';
    return true;
  }
}

/**
 * Decodes UTF-8 chunks (a character may be split across chunks; a leading
 * byte-order mark is dropped; bad bytes become U+FFFD) and emits the text's
 * lines as soon as each is complete. With a `limit`, a line that passes
 * `limit.maxBytes` errors with `limit.tooLarge(bytes)` as soon as it does
 * (after the lines before it), which unsubscribes from the chunks.
 *
 * @example
 * ```ts
 * bodyChunks(response.body!).pipe(decodeLines()).subscribe((line) => console.log(line));
 * ```
 */
export function decodeLines(limit?: SizeLimit): OperatorFunction<Uint8Array, string> {
  return (chunks) =>
    new Observable<string>((subscriber) => {
      const decoder = new TextDecoder();
      const splitter = new LineSplitter(limit?.maxBytes);
      // The lines of one chunk go out at once; a line past the limit ends the stream with the limit's error.
      const emit = (lines: string[]) => {
        for (const line of lines) subscriber.next(line);
        const overflow = splitter.overflowBytes;
        if (overflow !== undefined && limit !== undefined) subscriber.error(limit.tooLarge(overflow));
      };
      return chunks.subscribe({
        // A source that emits synchronously goes on after an over-limit line ended the stream: ignore it.
        next: (chunk) => subscriber.closed || emit(splitter.push(decoder.decode(chunk, { stream: true }))),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (subscriber.closed) return;
          emit(splitter.end(decoder.decode()));
          subscriber.complete();
        },
      });
    });
}

/**
 * The limit of a stream reader: `context.maxBodySize` (`DEFAULTS.maxBodySize`
 * when absent) for the longest line or event, passing it a {@link BodyTooLargeError}.
 *
 * @example
 * ```ts
 * readChunks(response, context).pipe(decodeLines(bodySizeLimit(response, context)));
 * ```
 */
export function bodySizeLimit(response: Response, context: AttemptContext): SizeLimit {
  const maxBodySize = context.maxBodySize ?? DEFAULTS.maxBodySize;
  return {
    maxBytes: maxBodySize,
    tooLarge: (receivedBytes) => new BodyTooLargeError({ maxBodySize, receivedBytes }, response.status, context.target, context.attempt),
  };
}

/**
 * The reader of `client.lines()`: the body's lines as they arrive. A line
 * longer than `context.maxBodySize` errors with `BodyTooLargeError` as soon
 * as it passes it (the connection is closed), so that a body without line
 * ends cannot grow in memory without bound.
 *
 * @example
 * ```ts
 * send(prepared, readLines, 1, 30_000, asyncScheduler, { stream: true }); // Observable<string>
 * ```
 */
export function readLines(response: Response, context: AttemptContext): Observable<string> {
  return readChunks(response, context).pipe(decodeLines(bodySizeLimit(response, context)));
}

const LINES: Reader<string> = { read: readLines, stream: PLAIN_STREAM };

/**
 * GETs an endpoint and emits its body's lines (UTF-8; ended by `\n`, `\r\n`
 * or `\r`, which are not part of the line) as each one completes. A line
 * longer than `maxBodySize` errors with `BodyTooLargeError`.
 *
 * @example
 * ```ts
 * lines(client, '/logs', { follow: true }).subscribe((line) => console.log(line));
 * ```
 */
export function lines(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: StreamOptions): Observable<string> {
  return readStream(client, endpoint, params, options, () => LINES);
}
