import { concatMap, concatWith, defer, type Observable, type OperatorFunction } from 'rxjs';
import type { AttemptContext } from '../response.js';
import { readChunks } from './chunks.js';

const LF = 10;
const CR = 13;

/**
 * Splits text that arrives in pieces into lines. A line ends with `\n`,
 * `\r\n` or `\r` (as the HTML spec reads event streams), also when the `\r`
 * and the `\n` arrive in different pieces; the ends are not part of the lines.
 *
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
  #pending = '';
  #skipLineFeed = false;

  /** Adds a piece of text and returns the lines it completes. */
  push(text: string): string[] {
    if (text === '') return [];
    let start = 0;
    if (this.#skipLineFeed && text.charCodeAt(0) === LF) start = 1;
    this.#skipLineFeed = false;
    const lines: string[] = [];
    for (let i = start; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      lines.push(this.#pending + text.slice(start, i));
      this.#pending = '';
      if (code === CR) {
        if (i + 1 === text.length) this.#skipLineFeed = true;
        else if (text.charCodeAt(i + 1) === LF) i += 1;
      }
      start = i + 1;
    }
    this.#pending += text.slice(start);
    return lines;
  }

  /** Adds the last piece and returns the lines left, the unterminated last one included. */
  end(text = ''): string[] {
    const lines = this.push(text);
    if (this.#pending !== '') lines.push(this.#pending);
    this.#pending = '';
    return lines;
  }
}

/**
 * Decodes UTF-8 chunks (a character may be split across chunks; a leading
 * byte-order mark is dropped; bad bytes become U+FFFD) and emits the text's
 * lines as soon as each is complete.
 *
 * @example
 * ```ts
 * bodyChunks(response.body!).pipe(decodeLines()).subscribe((line) => console.log(line));
 * ```
 */
export function decodeLines(): OperatorFunction<Uint8Array, string> {
  return (chunks) =>
    defer(() => {
      const decoder = new TextDecoder();
      const splitter = new LineSplitter();
      return chunks.pipe(
        concatMap((chunk) => splitter.push(decoder.decode(chunk, { stream: true }))),
        concatWith(defer(() => splitter.end(decoder.decode()))),
      );
    });
}

/**
 * The reader of `client.lines()`: the body's lines as they arrive.
 *
 * @example
 * ```ts
 * send(prepared, readLines, 1, 30_000, asyncScheduler, { stream: true }); // Observable<string>
 * ```
 */
export function readLines(response: Response, context: AttemptContext): Observable<string> {
  return readChunks(response, context).pipe(decodeLines());
}
