import { ConfigurationError } from '../errors.js';
import { checkHeader } from '../headers.js';
import type { PreparedRequest } from '../prepare.js';

/**
 * The methods that are idempotent by definition (RFC 9110) and that `fetch`
 * can send (it refuses TRACE): sending one twice has the effect of sending it
 * once. Use it to retry only those: `retry: { methods: IDEMPOTENT_METHODS }`.
 *
 * @example
 * ```ts
 * new AsyncAPIClient({ baseUrl, retry: { methods: IDEMPOTENT_METHODS } }); // POST and PATCH fail at once
 * ```
 */
export const IDEMPOTENT_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Adds an `Idempotency-Key` header to a request whose method is not
 * idempotent (POST, PATCH...), when `option` asks for it: `true` for a
 * `crypto.randomUUID()`, or a function that makes the key. The request is
 * prepared once per subscription, so every attempt of one logical request
 * carries the same key, and a new subscription gets a new one. A key the
 * caller set in the headers is kept.
 *
 * @example
 * ```ts
 * withIdempotencyKey(prepared, true).init.headers; // { ..., 'idempotency-key': '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' }
 * ```
 */
export function withIdempotencyKey(request: PreparedRequest, option: boolean | (() => string)): PreparedRequest {
  if (option === false || IDEMPOTENT_METHODS.includes(request.target.method)) return request;
  const headers = request.init.headers as Readonly<Record<string, string>>;
  if (headers['idempotency-key'] !== undefined) return request;
  const key = option === true ? randomKey() : option();
  checkHeader('Idempotency-Key', key, 'idempotencyKey');
  if (key === '') throw new ConfigurationError('idempotencyKey: the function returned an empty key');
  return { ...request, init: { ...request.init, headers: { ...headers, 'idempotency-key': key } } };
}

function randomKey(): string {
  if (typeof globalThis.crypto?.randomUUID !== 'function') {
    throw new ConfigurationError(
      'idempotencyKey: true needs crypto.randomUUID(), which this runtime lacks (browsers offer it on https: and localhost only); pass a function that makes the key instead',
    );
  }
  return globalThis.crypto.randomUUID();
}
