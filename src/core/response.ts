import type { RetryDecision } from '../retry/decide.js';
import type { Sender } from './attempt.js';
import type { RetryPolicy } from '../retry/policy.js';
import { DEFAULTS } from './constants.js';
import { ParseError } from './body-errors.js';
import type { AttemptContext, ResponseReader } from './context.js';
import { HttpError } from './errors.js';
import { readBodyText } from './read-body.js';

/**
 * How a client method reads its answer: what `client.read()` takes. The
 * stream functions (`ndjson`, `sse`...) are readers of this shape.
 *
 * @example
 * ```ts
 * const text: Reader<string> = { read: (response) => response.text(), accept: 'text/plain' };
 * client.read('/motd', text).subscribe(console.log);
 * ```
 */
export interface Reader<T> {
  /** Turns the final response of an attempt into the values; its first value is the whole answer, unless `stream` is set. */
  readonly read: ResponseReader<T>;
  /** The `accept` header it sends, under the client's and the request's own headers. */
  readonly accept?: string;
  /** Set by a stream: many values, retried until the first (or resumed, for an event stream). */
  readonly stream?: StreamReading;
  /**
   * Set by a one-value reader whose caller checks what it makes of the value
   * itself, after the request (`poll()`: each new value, once parsed): a
   * feature that checks values (`withValidation()`) then hands its check to
   * the reader as {@link AttemptContext.item} instead of checking the read's value.
   */
  readonly checks?: boolean;
}

/**
 * How a stream differs from a one-value read: the timeout covers the wait for
 * the response only, the connection stays open until the stream ends, and
 * retries follow `decide`.
 *
 * @example
 * ```ts
 * const once: StreamReading = { resetOnSuccess: false, send: sendHeld, decide: (policy, error, attempt, now, emitted) => (emitted ? { retry: false } : decideRetry(policy, error, attempt, now)) };
 * ```
 */
export interface StreamReading {
  /** Counts failures afresh after each value (a stream that resumes). */
  readonly resetOnSuccess: boolean;
  /** Decides a retry after a failure; `emitted` says whether the stream has emitted yet. */
  decide(policy: RetryPolicy, error: unknown, attempt: number, now: number, emitted: boolean): RetryDecision;
  /** Headers of the next attempt, over all others (`Last-Event-ID`). */
  headers?(): Readonly<Record<string, string>> | undefined;
  /** How its attempts are sent: `sendHeld` (core/held-attempt), which keeps the fetch open while the stream is read. */
  readonly send: Sender;
  /**
   * The longest wait for a value once the response came, in ms (the stream
   * functions' `idleTimeout`); passing it ends the attempt with a `TimeoutError`
   * whose `scope` is `'idle'`.
   * @default Infinity (none)
   */
  readonly idleTimeout?: number;
}

/**
 * Throws {@link HttpError} for a status of 400 or more.
 *
 * @example
 * ```ts
 * checkStatus(new Response(null, { status: 404 }), context); // throws HttpError
 * ```
 */
export function checkStatus(response: Response, context: AttemptContext): void {
  if (response.status >= 400) throw new HttpError(response, context.target, context.attempt);
}

/**
 * The reader of `request()`: the response itself, body unread, once its status is checked.
 *
 * @example
 * ```ts
 * send(request$, emitResponse, attemptOptions); // Observable<Response>
 * ```
 */
export const emitResponse: ResponseReader<Response> = (response, context) => {
  checkStatus(response, context);
  return [response];
};

/** `request()`'s reader. */
export const RESPONSE_READER: Reader<Response> = { read: emitResponse };

/**
 * The reader of `getJson()`: the parsed body; `undefined` for a 204 or an
 * empty body; {@link ParseError} for a body that is not JSON;
 * `BodyTooLargeError` for one above `context.maxBodySize`.
 *
 * @example
 * ```ts
 * send(request$, readJson, attemptOptions); // Observable<unknown>
 * ```
 */
export const readJson: ResponseReader<unknown> = async (response, context) => {
  checkStatus(response, context);
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await readBodyText(response, context.maxBodySize ?? DEFAULTS.maxBodySize, context);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    // Checked only on failure: an empty body is no error, and the common case pays nothing for it.
    if (text.trim() === '') return undefined;
    throw new ParseError(cause, text, response.status, context.target, context.attempt);
  }
};

/** `getJson()`'s reader. */
export const JSON_READER: Reader<unknown> = { read: readJson, accept: 'application/json' };
