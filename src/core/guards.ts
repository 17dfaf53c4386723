import type { BodyTooLargeError, ParseError } from './body-errors.js';
import type { BodyNotReplayableError, ConfigurationError, HttpError, NetworkError, RedirectError, TimeoutError } from './errors.js';

/*
 * The guards work whichever copy of the package made the error: an app that loads both the ESM and
 * the CommonJS build (its own code, and a dependency's) has two `HttpError` classes, and `instanceof`
 * answers false across them. Every error of the package carries the brand `Symbol.for('rx-api-client.error')`,
 * the same symbol in every copy, and each class its `name` getter; a guard asks for the brand, and for
 * a class of that name on the error's prototype chain, so that a subclass passes as `instanceof` would.
 */
const BRAND = Symbol.for('rx-api-client.error');

/**
 * Whether `error` is an error of this package of the class called `name`, or of
 * a subclass, made by any copy of the package: what the `is...Error` guards use.
 *
 * @param name the class's `name`, as `'HttpError'`
 * @example
 * ```ts
 * isErrorOf(error, 'HttpError'); // true for an HttpError of the ESM or the CommonJS build
 * ```
 */
export function isErrorOf(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null || !(BRAND in error)) return false;
  for (let proto: object | null = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyDescriptor(proto, 'name')?.get?.call(error) === name) return true;
  }
  return false;
}

/**
 * Whether `error` is an {@link HttpError}, whichever copy of the package (ESM or CommonJS) made it.
 * @example
 * ```ts
 * catchError((e) => (isHttpError(e) && e.status === 404 ? of(null) : throwError(() => e)))
 * ```
 */
export const isHttpError = (error: unknown): error is HttpError => isErrorOf(error, 'HttpError');

/**
 * Whether `error` is a {@link NetworkError}.
 * @example
 * ```ts
 * if (isNetworkError(e)) showOfflineBanner();
 * ```
 */
export const isNetworkError = (error: unknown): error is NetworkError => isErrorOf(error, 'NetworkError');

/**
 * Whether `error` is a {@link BodyTooLargeError}.
 * @example
 * ```ts
 * if (isBodyTooLargeError(e)) console.log(`the body passed ${e.maxBodySize} bytes`);
 * ```
 */
export const isBodyTooLargeError = (error: unknown): error is BodyTooLargeError => isErrorOf(error, 'BodyTooLargeError');

/**
 * Whether `error` is a {@link TimeoutError}.
 * @example
 * ```ts
 * if (isTimeoutError(e)) console.log(`gave up after ${e.timeoutMs} ms`);
 * ```
 */
export const isTimeoutError = (error: unknown): error is TimeoutError => isErrorOf(error, 'TimeoutError');

/**
 * Whether `error` is a {@link ParseError}.
 * @example
 * ```ts
 * if (isParseError(e)) console.log('the server did not send JSON');
 * ```
 */
export const isParseError = (error: unknown): error is ParseError => isErrorOf(error, 'ParseError');

/**
 * Whether `error` is a {@link RedirectError}.
 * @example
 * ```ts
 * if (isRedirectError(e)) console.log('the server redirects in a loop or to a bad URL');
 * ```
 */
export const isRedirectError = (error: unknown): error is RedirectError => isErrorOf(error, 'RedirectError');

/**
 * Whether `error` is a {@link ConfigurationError}.
 * @example
 * ```ts
 * if (isConfigurationError(e)) console.error('fix the client setup:', e.message);
 * ```
 */
export const isConfigurationError = (error: unknown): error is ConfigurationError => isErrorOf(error, 'ConfigurationError');

/**
 * Whether `error` is a {@link BodyNotReplayableError}.
 * @example
 * ```ts
 * if (isBodyNotReplayableError(e)) console.log('the upload failed once; its stream cannot be sent again', e.cause);
 * ```
 */
export const isBodyNotReplayableError = (error: unknown): error is BodyNotReplayableError => isErrorOf(error, 'BodyNotReplayableError');
