import type { Observable } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import type { BodyReadOptions, RequestOptions } from '../core/options.js';
import { JSON_READER, type Reader } from '../core/response.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';

/*
 * Writes whose reply is JSON: what getJson gives reads, for POST, PUT, PATCH and the rest. request()
 * hands its Response over with the body unread, so for a write that answers JSON the read happened
 * outside the attempt: unsubscribing during it left the socket open, and the per-attempt timeout did not
 * cover it. These read the reply with getJson's reader, inside the attempt. Functions of a client, as the
 * stream functions are: in a bundle only when imported.
 */

/**
 * Options of the JSON writes: those of `request()` but `json` (an argument of its own), and `maxBodySize`
 * for the reply. `body` sends a raw body instead of JSON (a `FormData` upload whose reply is JSON).
 *
 * @example
 * ```ts
 * const options: JsonWriteOptions = { timeout: 5_000, headers: { 'x-trace': '1' } };
 * postJson(client, '/items', { name: 'lamp' }, options);
 * ```
 */
export type JsonWriteOptions = Omit<RequestOptions, 'json'> & BodyReadOptions;

/**
 * Options of a JSON write whose reply is checked by `schema` (with the client's `withValidation()`): the
 * write emits the schema's output, typed from it.
 *
 * @example
 * ```ts
 * const options: ValidatedWriteOptions<typeof Item> = { schema: Item, timeout: 5_000 };
 * postJson(client, '/items', { name: 'lamp' }, options); // Observable<z.output<typeof Item>>
 * ```
 */
export type ValidatedWriteOptions<S extends StandardSchemaV1> = JsonWriteOptions & {
  /** The Standard Schema v1 validator the reply must pass; the write emits its output. Needs `withValidation()`. */
  schema: S;
};

/**
 * Sends `json` (as JSON, with `content-type: application/json`) with `method` and emits the parsed JSON
 * reply, read inside the attempt: the per-attempt timeout and unsubscribing cover reading the reply, which
 * `request()` leaves to you. The reply is read as `getJson` reads one (`undefined` for a 204 or an empty
 * body; `ParseError` for one that is not JSON; `BodyTooLargeError` above `maxBodySize`), and
 * `accept: application/json` is sent. Retried by the client's policy like any request of that method.
 *
 * @param method `POST`, `PUT`, `PATCH`, `DELETE`... (any case)
 * @param json the value to send; `undefined` sends no body
 * @returns the parsed reply, typed as `T` (not checked), or with `options.schema` (and the client's
 *   `withValidation()`) the schema's output, checked: a reply that does not match is a `ValidationError`
 * @example
 * ```ts
 * sendJson<Job>(client, 'DELETE', '/jobs/7', { reason: 'duplicate' }).subscribe((job) => console.log(job.state));
 * ```
 */
export function sendJson<S extends StandardSchemaV1>(client: AsyncAPIClient, method: string, endpoint: string, json: unknown, options: ValidatedWriteOptions<S>): Observable<StandardSchemaV1.InferOutput<S>>;
export function sendJson<T = unknown>(client: AsyncAPIClient, method: string, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T>;
export function sendJson<T = unknown>(client: AsyncAPIClient, method: string, endpoint: string, json?: unknown, options: JsonWriteOptions = {}): Observable<T> {
  // Object.assign, not a spread with added keys (slow in Node 20: see core/constants.ts).
  return client.read(endpoint, JSON_READER as Reader<T>, Object.assign({}, options, { method, json }));
}

/**
 * POSTs `json` and emits the parsed JSON reply, read inside the attempt (see {@link sendJson}).
 *
 * @example
 * ```ts
 * postJson<Item>(client, '/items', { name: 'lamp' }).subscribe((item) => console.log(item.id));
 * ```
 */
export function postJson<S extends StandardSchemaV1>(client: AsyncAPIClient, endpoint: string, json: unknown, options: ValidatedWriteOptions<S>): Observable<StandardSchemaV1.InferOutput<S>>;
export function postJson<T = unknown>(client: AsyncAPIClient, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T>;
export function postJson<T = unknown>(client: AsyncAPIClient, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T> {
  return sendJson<T>(client, 'POST', endpoint, json, options);
}

/**
 * PUTs `json` and emits the parsed JSON reply, read inside the attempt (see {@link sendJson}).
 *
 * @example
 * ```ts
 * putJson<Item>(client, '/items/42', { name: 'lamp', price: 12 }).subscribe((item) => console.log(item.price));
 * ```
 */
export function putJson<S extends StandardSchemaV1>(client: AsyncAPIClient, endpoint: string, json: unknown, options: ValidatedWriteOptions<S>): Observable<StandardSchemaV1.InferOutput<S>>;
export function putJson<T = unknown>(client: AsyncAPIClient, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T>;
export function putJson<T = unknown>(client: AsyncAPIClient, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T> {
  return sendJson<T>(client, 'PUT', endpoint, json, options);
}

/**
 * PATCHes with `json` and emits the parsed JSON reply, read inside the attempt (see {@link sendJson}).
 *
 * @example
 * ```ts
 * patchJson<Item>(client, '/items/42', { price: 10 }).subscribe((item) => console.log(item.price));
 * ```
 */
export function patchJson<S extends StandardSchemaV1>(client: AsyncAPIClient, endpoint: string, json: unknown, options: ValidatedWriteOptions<S>): Observable<StandardSchemaV1.InferOutput<S>>;
export function patchJson<T = unknown>(client: AsyncAPIClient, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T>;
export function patchJson<T = unknown>(client: AsyncAPIClient, endpoint: string, json?: unknown, options?: JsonWriteOptions): Observable<T> {
  return sendJson<T>(client, 'PATCH', endpoint, json, options);
}
