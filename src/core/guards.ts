import { BodyTooLargeError, ParseError } from './body-errors.js';
import { BodyNotReplayableError, ConfigurationError, HttpError, NetworkError, RedirectError, TimeoutError } from './errors.js';

/**
 * Whether `error` is an {@link HttpError}.
 * @example
 * ```ts
 * catchError((e) => (isHttpError(e) && e.status === 404 ? of(null) : throwError(() => e)))
 * ```
 */
export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;

/**
 * Whether `error` is a {@link NetworkError}.
 * @example
 * ```ts
 * if (isNetworkError(e)) showOfflineBanner();
 * ```
 */
export const isNetworkError = (error: unknown): error is NetworkError => error instanceof NetworkError;

/**
 * Whether `error` is a {@link BodyTooLargeError}.
 * @example
 * ```ts
 * if (isBodyTooLargeError(e)) console.log(`the body passed ${e.maxBodySize} bytes`);
 * ```
 */
export const isBodyTooLargeError = (error: unknown): error is BodyTooLargeError => error instanceof BodyTooLargeError;

/**
 * Whether `error` is a {@link TimeoutError}.
 * @example
 * ```ts
 * if (isTimeoutError(e)) console.log(`gave up after ${e.timeoutMs} ms`);
 * ```
 */
export const isTimeoutError = (error: unknown): error is TimeoutError => error instanceof TimeoutError;

/**
 * Whether `error` is a {@link ParseError}.
 * @example
 * ```ts
 * if (isParseError(e)) console.log('the server did not send JSON');
 * ```
 */
export const isParseError = (error: unknown): error is ParseError => error instanceof ParseError;

/**
 * Whether `error` is a {@link RedirectError}.
 * @example
 * ```ts
 * if (isRedirectError(e)) console.log('the server redirects in a loop or to a bad URL');
 * ```
 */
export const isRedirectError = (error: unknown): error is RedirectError => error instanceof RedirectError;

/**
 * Whether `error` is a {@link ConfigurationError}.
 * @example
 * ```ts
 * if (isConfigurationError(e)) console.error('fix the client setup:', e.message);
 * ```
 */
export const isConfigurationError = (error: unknown): error is ConfigurationError => error instanceof ConfigurationError;

/**
 * Whether `error` is a {@link BodyNotReplayableError}.
 * @example
 * ```ts
 * if (isBodyNotReplayableError(e)) console.log('the upload failed once; its stream cannot be sent again', e.cause);
 * ```
 */
export const isBodyNotReplayableError = (error: unknown): error is BodyNotReplayableError => error instanceof BodyNotReplayableError;
