import type { Observable } from 'rxjs';
import { BodyTooLargeError } from '../core/body-errors.js';
import { DEFAULTS } from '../core/constants.js';
import type { AttemptContext } from '../core/context.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import { checkStatus } from '../core/response.js';
import { PLAIN_STREAM, readStream, type CheckedDecoder, type ChunkDecoder, type StreamKind, type StreamOptions } from './mode.js';
import { pullStream, type PullOptions, type PullStream } from './pull.js';

const LF = 10;
const CR = 13;
// U+FEFF: the byte-order mark at the start of a body.
const BOM = 0xfeff;

const CR_ENDS = /\r\n?/g;

const STREAM = { stream: true };

/**
 * The most text a stream reader holds at once (a line in progress, an event
 * in progress), in UTF-8 bytes, and the error it fails with beyond that.
 *
 * @example
 * ```ts
 * const limit: SizeLimit = { maxBytes: 1024, tooLarge: (bytes) => new Error(`a line of more than 1024 bytes (${bytes} so far)`) };
 * new LineDecoder(limit).push(chunk);
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
 * Decodes UTF-8 chunks (a character may be split across chunks; a leading
 * byte-order mark is dropped; bad bytes become U+FFFD) into the lines that
 * each completes: a chunk's whole lines in one decode, each line a slice of
 * its text (only the bytes before its first LF and after its last go through
 * a streaming decoder). A line
 * ends with `\n`, `\r\n` or `\r` (as the HTML spec reads event streams),
 * also when the `\r` and the `\n` arrive in different chunks; the ends are
 * not part of the lines.
 *
 * With a `limit`, a line (finished or not) that passes `limit.maxBytes`
 * stops the decoder at once: `push` returns the lines finished before it and
 * `failed` holds `limit.tooLarge(bytes)`; the decoder takes nothing more.
 *
 * @example
 * ```ts
 * const decoder = new LineDecoder({ maxBytes: 1024, tooLarge: (bytes) => new Error(`${bytes} bytes`) });
 * decoder.push(new TextEncoder().encode('a\nb')); // ['a']
 * decoder.split('c\r');                            // ['bc']
 * decoder.split('\nd');                            // []
 * decoder.end();                                    // ['d']
 * ```
 */
export class LineDecoder implements ChunkDecoder<string> {
  failed: { readonly error: unknown } | undefined;
  readonly #limit: SizeLimit | undefined;
  readonly #maxLineBytes: number;
  /**
   * The streaming decoder keeps every U+FEFF too: the body's BOM is dropped here (`#streamed`), not by the
   * decoder, because Node 24's decoder also drops a U+FEFF that follows a character completed across chunks.
   */
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** For whole lines, mid-body: a U+FEFF there is text, not a BOM. */
  readonly #whole = new TextDecoder('utf-8', { ignoreBOM: true });
  /** No text of the body has come out yet: its first character, if U+FEFF, is the BOM. */
  #atStart = true;
  #pending = '';
  /** The UTF-8 bytes of `#pending`, counted only when there is a limit. */
  #pendingBytes = 0;
  #skipLineFeed = false;

  /** @param limit the longest line in UTF-8 bytes (its end not counted), and its error; none when absent */
  constructor(limit?: SizeLimit) {
    this.#limit = limit;
    this.#maxLineBytes = limit?.maxBytes ?? Infinity;
  }

  /** Decodes a chunk and returns the lines it completes. */
  push(chunk: Uint8Array): string[] {
    // An LF is an ASCII byte, never part of a character: the bytes after the chunk's first LF up to its last are
    // whole characters and decode on their own, in one call of the one-shot decoder (in Node 20 a streaming decode
    // goes through ICU at some 7 times the cost). Only the bytes around them go through the streaming decoder,
    // which holds a character split across chunks and drops the body's BOM.
    const last = chunk.lastIndexOf(LF) + 1;
    // One scan of a chunk without LF (a long line, CR ends), not two.
    const first = last && chunk.indexOf(LF) + 1;
    const lines = this.split(this.#streamed(chunk.subarray(0, first)));
    if (first < last) this.split(this.#whole.decode(chunk.subarray(first, last)), lines);
    return this.split(this.#streamed(chunk.subarray(last)), lines);
  }

  /**
   * Bytes through the streaming decoder (the end of the body without bytes), the body's BOM dropped. The body's
   * first text always comes from here: a chunk's bytes before its first LF, the LF included, go this way.
   */
  #streamed(bytes?: Uint8Array): string {
    let text = bytes === undefined ? this.#decoder.decode() : this.#decoder.decode(bytes, STREAM);
    if (this.#atStart && text !== '') {
      this.#atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    return text;
  }

  /**
   * Adds a piece of decoded text and returns the lines it completes.
   *
   * @param lines where the lines go (those of a chunk's pieces go to one array)
   */
  split(text: string, lines: string[] = []): string[] {
    if (this.failed !== undefined || text === '') return lines;
    // A CR that ended the last piece and the LF that starts this one are one line end.
    if (this.#skipLineFeed && text.charCodeAt(0) === LF) text = text.slice(1);
    this.#skipLineFeed = text.charCodeAt(text.length - 1) === CR;
    // Most text has no CR. Text with some gets one copy, its line ends made LF; either way the native
    // indexOf finds each line end, and a line is a slice of the text (no copy per line).
    if (text.indexOf('\r') !== -1) text = text.replace(CR_ENDS, '\n');
    let start = 0;
    // No line of this text can pass the limit when the whole of it could not (at 3 bytes a code unit): no check per line.
    const checked = this.#pendingBytes + 3 * text.length > this.#maxLineBytes;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      if (checked && this.#passesLimit(text, start, i)) return lines;
      lines.push(this.#pending === '' ? text.slice(start, i) : this.#pending + text.slice(start, i));
      this.#pending = '';
      this.#pendingBytes = 0;
      start = i + 1;
    }
    if (this.#passesLimit(text, start, text.length)) return lines;
    const rest = text.slice(start);
    this.#pending += rest;
    if (this.#maxLineBytes !== Infinity) this.#pendingBytes += utf8Length(rest);
    return lines;
  }

  /** Ends the text and returns the lines left, the unterminated last one included. */
  end(): string[] {
    const lines = this.split(this.#streamed());
    if (this.failed === undefined && this.#pending !== '') lines.push(this.#pending);
    this.#pending = '';
    return lines;
  }

  /** Whether the pending line and `text` from `start` to `end` pass the limit; if so, the decoder stops. */
  #passesLimit(text: string, start: number, end: number): boolean {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count exactly only when the line may be too long.
    if (this.#pendingBytes + 3 * (end - start) <= this.#maxLineBytes) return false;
    const bytes = this.#pendingBytes + utf8Length(text.slice(start, end));
    if (bytes <= this.#maxLineBytes) return false;
    this.failed = { error: this.#limit!.tooLarge(bytes) };
    this.#pending = '';
    return true;
  }
}

/**
 * The limit of a stream reader: `context.maxBodySize` (`DEFAULTS.maxBodySize`
 * when absent) for the longest line or event, passing it a {@link BodyTooLargeError}.
 *
 * @example
 * ```ts
 * new LineDecoder(bodySizeLimit(response, context));
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
 * The decoder of a response's lines, once its status is checked: a line
 * longer than `context.maxBodySize` fails with `BodyTooLargeError` as soon as
 * it passes it, so that a body without line ends cannot grow in memory
 * without bound.
 *
 * @example
 * ```ts
 * readBatches(response, context, { stream: PLAIN_STREAM, open: openLines }); // Observable<string[]>
 * ```
 */
export function openLines(response: Response, context: AttemptContext): ChunkDecoder<string> {
  checkStatus(response, context);
  return new LineDecoder(bodySizeLimit(response, context));
}

/**
 * The decoder of a kind whose items are made from a body's lines (NDJSON, event streams): each chunk's
 * lines through `decode`; what ends the stream is the kind's own failure (`failure()`: a line that is not
 * JSON, an event that cannot be read) or the lines' (one past the body limit). With `settle` (a kind whose
 * items `withValidation()` checks), `decode` returns each item's check, and the decoder is a `CheckedDecoder`.
 *
 * @example
 * ```ts
 * return decodingLines(openLines(response, context), parse, () => failed, context.item && settle);
 * ```
 */
export function decodingLines<T>(
  lines: ChunkDecoder<string>,
  decode: (batch: string[]) => unknown[],
  failure: () => { readonly error: unknown } | undefined,
  settle: CheckedDecoder<T>['settle'] | undefined,
): ChunkDecoder<T> | CheckedDecoder<T> {
  return {
    settle,
    push: (chunk: Uint8Array) => decode(lines.push(chunk)),
    end: () => decode(lines.end()),
    get failed() {
      return failure() ?? lines.failed;
    },
  } as ChunkDecoder<T> | CheckedDecoder<T>;
}

const LINES: StreamKind<string> = { stream: PLAIN_STREAM, open: openLines };

/**
 * GETs an endpoint and emits its body's lines (UTF-8; ended by `\n`, `\r\n`
 * or `\r`, which are not part of the line) as each one completes. A line
 * longer than `maxBodySize` errors with `BodyTooLargeError`. It reads as
 * fast as the server sends: for a consumer that may be slower, see
 * {@link pullLines}.
 *
 * @example
 * ```ts
 * lines(client, '/logs', { follow: true }).subscribe((line) => console.log(line));
 * ```
 */
export function lines(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: StreamOptions): Observable<string> {
  return readStream(client, endpoint, params, options, () => LINES);
}

/**
 * The pull form of {@link lines}: the body's lines, read from the socket only
 * as the loop asks for them, so a slow consumer slows the server down (see
 * `PullStream` for the contract); `.batches()` gives each chunk's lines as
 * one array.
 *
 * @example
 * ```ts
 * for await (const line of pullLines(client, '/logs')) await sink.write(line);
 * ```
 */
export function pullLines(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: PullOptions): PullStream<string> {
  return pullStream(client, endpoint, params, options, () => LINES);
}
