import { ConfigurationError } from '../core/errors.js';
import { checkHeader } from '../core/headers.js';
import type { Feature } from '../core/feature.js';
import type { PreparedRequest } from '../core/prepare.js';

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
 * idempotent (POST, PATCH...): `true` for a
 * `crypto.randomUUID()`, or a function that makes the key. The request is
 * prepared once per subscription, so every attempt of one logical request
 * carries the same key, and a new subscription gets a new one. A key the
 * caller set in the headers is kept.
 *
 * @example
 * ```ts
 * addIdempotencyKey(prepared, true).init.headers; // { ..., 'idempotency-key': '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' }
 * ```
 */
export function addIdempotencyKey(request: PreparedRequest, option: true | (() => string)): PreparedRequest {
  if (IDEMPOTENT_METHODS.includes(request.target.method)) return request;
  const headers = request.init.headers as Readonly<Record<string, string>>;
  if (headers['idempotency-key'] !== undefined) return request;
  const key = option === true ? randomKey() : option();
  checkHeader('Idempotency-Key', key, 'idempotencyKey');
  if (key === '') throw new ConfigurationError('idempotencyKey: the function returned an empty key');
  // Object.assign, not spreads with an added key (slow in Node 20: see core/constants.ts).
  return { ...request, init: { ...request.init, headers: Object.assign({}, headers, { 'idempotency-key': key }) } };
}

/**
 * Sends an `Idempotency-Key` header with every request whose method is not
 * idempotent (POST, PATCH...), the same value for all the attempts of one
 * logical request, so that a server that honours the header applies a
 * retried POST once. A key set in the request's own headers is kept.
 *
 * @param key `true` for a `crypto.randomUUID()` per request, or a function that makes the key
 * @default true
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withIdempotencyKey());
 * client.request('POST', '/payments', { json: payment }); // every attempt carries the same Idempotency-Key
 * ```
 */
export function withIdempotencyKey(key: true | (() => string) = true): Feature {
  if (key !== true && typeof key !== 'function') throw new ConfigurationError('withIdempotencyKey takes true or a function that returns a key');
  return { order: 0, setup: () => ({ prepare: (request) => addIdempotencyKey(request, key) }) };
}

function randomKey(): string {
  if (typeof globalThis.crypto?.randomUUID !== 'function') {
    throw new ConfigurationError(
      'idempotencyKey: true needs crypto.randomUUID(), which this runtime lacks (browsers offer it on https: and localhost only); pass a function that makes the key instead',
    );
  }
  return globalThis.crypto.randomUUID();
}
