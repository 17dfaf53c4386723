import type { ObservableInput } from 'rxjs';
import { HttpError, ParseError, type RequestTarget } from './errors.js';
import { DEFAULTS } from './options.js';
import { readBodyText } from './read-body.js';

/** Which attempt of which request a response belongs to. */
export interface AttemptContext {
  readonly target: RequestTarget;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * The most bytes a reader may read from the body, after decompression.
   * @default DEFAULTS.maxBodySize
   */
  readonly maxBodySize?: number;
}

/**
 * Turns a response into what a method emits. It runs inside the attempt, so
 * the per-attempt timeout and unsubscribing also cover what it reads.
 */
export type ResponseReader<T> = (response: Response, context: AttemptContext) => ObservableInput<T>;

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
