import { defer, finalize, tap, type Observable } from 'rxjs';
import { HttpError, NetworkError, TimeoutError } from './errors.js';
import { EventStream, type ClientEvent } from './events.js';
import type { HeadersLike } from './headers.js';
import {
  resolveClientOptions,
  resolveMaxBodySize,
  resolveRetry,
  resolveTimeout,
  type BodyReadOptions,
  type ClientOptions,
  type QueryParams,
  type RequestOptions,
  type ResolvedClientOptions,
} from './options.js';
import { prepareRequest } from './prepare.js';
import { emitResponse, readJson, type ResponseReader } from './response.js';
import { retryWithPolicy, type RetryInfo } from './retry/operator.js';
import { send } from './transport.js';

const JSON_ACCEPT = { accept: 'application/json' } as const;

/**
 * An HTTP client whose calls are cold Observables: nothing is sent until you
 * subscribe, each subscription is one logical request, and unsubscribing
 * aborts the connection and any pending retry. Failures are retried by the
 * policy: 429, 5xx, network errors and timeouts with exponential backoff
 * (2 s, then 4 s), other 4xx at once, 3 attempts in all.
 *
 * @example
 * ```ts
 * const client = new AsyncAPIClient('https://api.example.com/v1', bearerTokenAuth(token));
 * client.getJson<Item[]>('/items', { page: 2 }).subscribe((items) => console.log(items));
 * const items = await lastValueFrom(client.getJson<Item[]>('/items'));
 * ```
 */
export class AsyncAPIClient {
  // Private fields: util.inspect() and JSON.stringify() cannot reach the auth headers.
  readonly #config: ResolvedClientOptions;
  readonly #events = new EventStream();

  /**
   * Lifecycle events of every request of this client (`request`, `response`,
   * `retry`, `giveUp`, `cancel`), for logs and dashboards. They hold no header values.
   *
   * @example
   * ```ts
   * client.events$.pipe(filter((e) => e.type === 'retry')).subscribe((e) => show(`retrying in ${e.delayMs / 1000} s`));
   * ```
   */
  get events$(): Observable<ClientEvent> {
    return this.#events.events$;
  }

  /**
   * @param baseUrl an absolute http(s) URL; its path is kept
   * @param authHeaders headers sent with every request (see `bearerTokenAuth`)
   * @param timeout the limit of one attempt, in milliseconds
   * @default timeout 30000
   */
  constructor(baseUrl: string, authHeaders?: HeadersLike, timeout?: number | false);
  /** @param options the client's options; only `baseUrl` is required */
  constructor(options: ClientOptions);
  constructor(baseUrlOrOptions: string | ClientOptions, authHeaders?: HeadersLike, timeout?: number | false) {
    this.#config = resolveClientOptions(
      typeof baseUrlOrOptions === 'string' ? { baseUrl: baseUrlOrOptions, authHeaders, timeout } : baseUrlOrOptions,
    );
  }

  /** The base URL that endpoints are resolved under, with a trailing `/`. */
  get baseUrl(): string {
    return this.#config.baseUrl.href;
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
    return this.#run(method, endpoint, options, emitResponse);
  }

  /**
   * GETs an endpoint and emits its parsed JSON body (`undefined` for 204 or
   * an empty body). The per-attempt timeout and cancellation cover reading
   * the body; a body that is not JSON errors with `ParseError`, one above
   * `maxBodySize` with `BodyTooLargeError`, neither retried.
   *
   * @example
   * ```ts
   * client.getJson<{ id: number }[]>('/items', { tag: ['a', 'b'] }).subscribe((items) => render(items));
   * ```
   */
  getJson<T = unknown>(
    endpoint: string,
    params?: QueryParams,
    options: Omit<RequestOptions, 'params' | 'json' | 'body'> & BodyReadOptions = {},
  ): Observable<T> {
    const { maxBodySize, ...rest } = options;
    return defer(() => {
      // Inside defer, like every check of a request: a bad limit errors the Observable, before anything is sent.
      const limit = resolveMaxBodySize(maxBodySize, this.#config.maxBodySize);
      const read: ResponseReader<T> = (response, context) => (readJson as ResponseReader<T>)(response, { ...context, maxBodySize: limit });
      return this.#run('GET', endpoint, { ...rest, params }, read, JSON_ACCEPT);
    });
  }

  #run<T>(
    method: string,
    endpoint: string,
    options: RequestOptions,
    read: ResponseReader<T>,
    defaults?: Readonly<Record<string, string>>,
  ): Observable<T> {
    const config = this.#config;
    const events = this.#events;
    return defer(() => {
      // Inside defer: a bad request errors the Observable before anything is sent, outside the retry.
      const request = prepareRequest(config, method, endpoint, options, defaults);
      const policy = resolveRetry(options.retry, config.retry);
      const timeoutMs = resolveTimeout(options.timeout, config.timeout);
      const { method: verb, url } = request.target;
      const observedRead: ResponseReader<T> = (response, context) => {
        events.emit(() => ({ type: 'response', method: verb, url, attempt: context.attempt, status: response.status }));
        return read(response, context);
      };
      const onRetry = ({ attempt, delayMs, error }: RetryInfo) =>
        events.emit(() => ({ type: 'retry', method: verb, url, attempt, delayMs, reason: describeFailure(error), error }));
      let attempt = 0;
      let ended = false;
      return defer(() => {
        attempt += 1;
        events.emit(() => ({ type: 'request', method: verb, url, attempt }));
        return send(request, observedRead, attempt, timeoutMs, config.scheduler);
      }).pipe(
        retryWithPolicy(policy, config.scheduler, onRetry),
        tap({
          // One value is the whole answer: a `first()` downstream that unsubscribes after it is no cancel.
          next: () => (ended = true),
          error: (error: unknown) => {
            ended = true;
            events.emit(() => ({ type: 'giveUp', method: verb, url, attempts: attempt, error }));
          },
        }),
        // Unsubscribed before the end: say so, or a dashboard would count the request in flight forever.
        finalize(() => ended || events.emit(() => ({ type: 'cancel', method: verb, url, attempts: attempt }))),
      );
    });
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof HttpError) return `status ${error.status}`;
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof NetworkError) return 'network error';
  return error instanceof Error ? error.name : 'error';
}
