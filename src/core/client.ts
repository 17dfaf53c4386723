import type { Observable } from 'rxjs';
import type { AuthHeaders } from '../auth/provider.js';
import { ConfigurationError } from './errors.js';
import type { Feature } from './feature.js';
import { resolveClientOptions, type BodyReadOptions, type CallOptions, type ClientOptions, type QueryParams, type ReadOptions, type RequestOptions } from './options.js';
import { clientCore, runRequest, type ClientCore } from './pipeline.js';
import { JSON_READER, RESPONSE_READER, type Reader } from './response.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/**
 * An HTTP client whose calls are cold Observables: nothing is sent until you
 * subscribe, each subscription is one logical request, and unsubscribing
 * aborts the connection and any pending retry. Failures are retried by the
 * policy: 429, 5xx, network errors and timeouts with exponential backoff
 * (2 s, then 4 s), other 4xx at once, 3 attempts in all.
 *
 * Everything beyond that is opt-in: pass features after the options
 * (`withCircuitBreaker()`, `withRetryBudget()`, `withTokenRefresh()`,
 * `withInterceptors()`, `withEvents()`, `withIdempotencyKey()`,
 * `withDeadline()`, `withValidation()`), and read streams with the functions that take the
 * client (`ndjson(client, '/jobs')`, `sse`, `lines`, `chunks`, `paginate`).
 *
 * @example
 * ```ts
 * const client = new AsyncAPIClient('https://api.example.com/v1', bearerTokenAuth(token));
 * client.getJson<Item[]>('/items', { page: 2 }).subscribe((items) => console.log(items));
 * const items = await lastValueFrom(client.getJson<Item[]>('/items'));
 * ```
 */
export class AsyncAPIClient {
  // A private field: util.inspect() and JSON.stringify() cannot reach the auth headers.
  readonly #core: ClientCore;

  /**
   * @param baseUrl an absolute http(s) URL; its path is kept
   * @param authHeaders headers sent with every request (see `bearerTokenAuth`), or a function giving them per attempt
   * @param timeout the limit of one attempt, in milliseconds
   * @default timeout 30000
   */
  constructor(baseUrl: string, authHeaders?: AuthHeaders, timeout?: number | false);
  /**
   * @param options the client's options; only `baseUrl` is required
   * @param features opt-in capabilities, such as `withCircuitBreaker()`
   */
  constructor(options: ClientOptions, ...features: Feature[]);
  constructor(baseUrlOrOptions: string | ClientOptions, ...rest: unknown[]) {
    const byUrl = typeof baseUrlOrOptions === 'string';
    const options = byUrl ? { baseUrl: baseUrlOrOptions, authHeaders: rest[0] as AuthHeaders | undefined, timeout: rest[1] as number | false | undefined } : baseUrlOrOptions;
    const config = resolveClientOptions(options);
    const features = byUrl ? [] : (rest as Feature[]);
    if (process.env.NODE_ENV !== 'production') checkFeatures(features);
    this.#core = clientCore(config, features);
  }

  /** The base URL that endpoints are resolved under, with a trailing `/`. */
  get baseUrl(): string {
    return this.#core.config.baseUrl.href;
  }

  /**
   * Sends a request and emits its `Response` (body unread) once the status is
   * 2xx or 3xx, then completes. A status of 400 or more errors with
   * `HttpError`, after retries where the policy allows them.
   *
   * @param method `GET`, `POST`... (any case)
   * @param endpoint a path under the base URL: `/items` and `items` are the same
   * @example
   * ```ts
   * client.request('POST', '/items', { json: { name: 'a' } }).subscribe((res) => console.log(res.status));
   * ```
   */
  request(method: string, endpoint: string, options: RequestOptions = {}): Observable<Response> {
    return runRequest(this.#core, { method, endpoint, options, reader: RESPONSE_READER });
  }

  /**
   * GETs an endpoint and emits its parsed JSON body (`undefined` for 204 or
   * an empty body). The per-attempt timeout and cancellation cover reading
   * the body; a body that is not JSON errors with `ParseError`, one above
   * `maxBodySize` with `BodyTooLargeError`, neither retried.
   *
   * With a `schema` (any Standard Schema v1 validator: zod, valibot,
   * arktype...) and the client's `withValidation()` feature, the body is
   * checked and the schema's output emitted, typed from it; a body that does
   * not match errors with `ValidationError`, not retried.
   *
   * @example
   * ```ts
   * client.getJson<{ id: number }[]>('/items', { tag: ['a', 'b'] }).subscribe((items) => render(items));
   * client.getJson('/items', undefined, { schema: z.array(Item) }); // Observable<Item[]>, with withValidation()
   * ```
   */
  getJson<S extends StandardSchemaV1>(endpoint: string, params: QueryParams | undefined, options: ReadOptions & BodyReadOptions & { schema: S }): Observable<StandardSchemaV1.InferOutput<S>>;
  getJson<T = unknown>(endpoint: string, params?: QueryParams, options?: ReadOptions & BodyReadOptions): Observable<T>;
  getJson<T = unknown>(endpoint: string, params?: QueryParams, options: ReadOptions & BodyReadOptions = {}): Observable<T> {
    // Object.assign, not a spread with an added key: that is microseconds in Node 20's V8 (see core/constants.ts).
    return this.read(endpoint, JSON_READER as Reader<T>, params === undefined ? options : Object.assign({}, options, { params }));
  }

  /**
   * Sends a request (a GET unless `options.method` says otherwise) and reads
   * the answer with `reader`, inside the attempt, so that the per-attempt
   * timeout and unsubscribing cover the read: what the stream functions
   * (`ndjson`, `sse`...), `getJson` and the JSON writes (`postJson`...) are made of.
   *
   * @param reader how to read the response (see {@link Reader})
   * @param options those of `request()`, `maxBodySize`, and `method`
   * @default options.method 'GET'
   * @example
   * ```ts
   * client.read('/motd', { read: (response) => response.text(), accept: 'text/plain' }).subscribe(console.log);
   * client.read('/render', { read: (response) => response.blob() }, { method: 'POST', json: { page: 1 } });
   * ```
   */
  read<T>(endpoint: string, reader: Reader<T>, options: CallOptions = {}): Observable<T> {
    return runRequest(this.#core, { method: options?.method ?? 'GET', endpoint, options, reader });
  }
}

/** A value that is not a feature would fail later, less clearly: development builds say so at once. */
function checkFeatures(features: readonly unknown[]): void {
  features.forEach((feature, index) => {
    if (feature === null || typeof feature !== 'object' || typeof (feature as Feature).setup !== 'function') {
      throw new ConfigurationError(`argument ${index + 2} is not a feature: pass values such as withCircuitBreaker() after the options`);
    }
  });
}
