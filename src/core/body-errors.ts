import { RequestError, type RequestTarget } from './errors.js';
import { excerpt } from './messages.js';

/** The errors of reading a response body: too large, or not what was expected. */

/**
 * The response body is larger than `maxBodySize` (counted after
 * decompression). The read stops as soon as the limit is passed, or before it
 * starts when `content-length` already says so, and the connection is
 * released. Never retried: the server would most likely send the same body.
 *
 * @example
 * ```ts
 * client.getJson('/export', undefined, { maxBodySize: 1024 ** 2 }).subscribe({
 *   error: (e) => isBodyTooLargeError(e) && console.log(`over ${e.maxBodySize} bytes`),
 * });
 * ```
 */
export class BodyTooLargeError extends RequestError {
  /** `'BodyTooLargeError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'BodyTooLargeError';
  }

  /** The response status. */
  declare readonly status: number;
  /** The limit that was passed, in bytes. */
  declare readonly maxBodySize: number;
  /** The size the `content-length` header declared, when that alone decided; otherwise `undefined`. */
  declare readonly contentLength: number | undefined;
  /** The bytes read (after decompression) before the read was stopped; 0 when `content-length` decided. */
  declare readonly receivedBytes: number;

  constructor(
    size: { readonly maxBodySize: number; readonly contentLength?: number; readonly receivedBytes: number },
    status: number,
    target: RequestTarget,
    attempts: number,
  ) {
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} returned a body larger than maxBodySize (${size.maxBodySize} bytes): ${
            size.contentLength === undefined ? `stopped after ${size.receivedBytes} bytes` : `content-length is ${size.contentLength}, nothing read`
          }`
        : 'too-large',
      target,
      attempts,
    );
    this.status = status;
    this.maxBodySize = size.maxBodySize;
    this.contentLength = size.contentLength;
    this.receivedBytes = size.receivedBytes;
  }
}

/**
 * The response body was not valid JSON (or, for `ndjson()`, one of its lines;
 * for `sse()`, the response was not an event stream). Never retried: the
 * server would most likely answer the same. The message holds at most a short
 * excerpt of the body.
 *
 * @example
 * ```ts
 * client.getJson('/page.html').subscribe({ error: (e) => isParseError(e) && console.log(e.message) });
 * ```
 */
export class ParseError extends RequestError {
  /** `'ParseError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'ParseError';
  }

  /** The response status. */
  declare readonly status: number;
  /** For `ndjson()`: the number of the line that is not JSON, from 1. */
  declare readonly line?: number;

  /**
   * @param body the text that did not parse (only an excerpt reaches the message)
   * @param where `line`: the line of a stream that did not parse; `contentType`: a response
   *   that is not the event stream `sse()` expects (then `body` is unused)
   */
  constructor(
    cause: unknown,
    body: string,
    status: number,
    target: RequestTarget,
    attempts: number,
    where: { line?: number; contentType?: string } = {},
  ) {
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} returned ${
            where.contentType !== undefined
              ? `content-type ${excerpt(where.contentType)} where text/event-stream was expected`
              : where.line !== undefined
                ? `line ${where.line} that is not valid JSON (it starts with ${excerpt(body)})`
                : `a body that is not valid JSON (body starts with ${excerpt(body)})`
          }`
        : where.contentType !== undefined ? 'not-event-stream' : where.line === undefined ? 'not-json' : `not-json line ${where.line}`,
      target,
      attempts,
      { cause },
    );
    this.status = status;
    // Always an own property (undefined when no line is known), as a field would be.
    this.line = where.line;
  }
}
