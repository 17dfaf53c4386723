import { defer, type Observable } from 'rxjs';
import type { AuthHeaders } from './auth-provider.js';
import { toCircuitBreaker } from './circuit-breaker.js';
import { EventStream, type ClientEvent } from './events.js';
import { runtimeShowsRedirects } from './follow-redirects.js';
import { resolveClientOptions, type BodyReadOptions, type ClientOptions, type QueryParams, type RequestOptions } from './options.js';
import { paginatePages, readPage, type Page, type PaginateOptions } from './paginate.js';
import { runRequest, type ClientParts } from './pipeline.js';
import { emitResponse, readJson, type ResponseReader } from './response.js';
import { toRetryBudget } from './retry/budget.js';
import { readChunks } from './streams/chunks.js';
import { readLines } from './streams/lines.js';
import { PLAIN_STREAM, type StreamMode } from './streams/mode.js';
import { readNdjson } from './streams/ndjson.js';
import { readSse, sseMode, type ServerSentEvent, type SseSession } from './streams/sse.js';
import { SharedTokenRefresh } from './token-refresh.js';

const JSON_ACCEPT = { accept: 'application/json' } as const;
const NDJSON_ACCEPT = { accept: 'application/x-ndjson' } as const;
const SSE_ACCEPT = { accept: 'text/event-stream' } as const;

/** The options of a GET that reads the body: those of `request()` without params (an argument) or a body. */
type ReadOptions = Omit<RequestOptions, 'params' | 'json' | 'body'>;

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
  // A private field: util.inspect() and JSON.stringify() cannot reach the auth headers.
  // Its budget and breaker are shared by every request of this client: the overload protections.
  readonly #parts: ClientParts;

  /**
   * Lifecycle events of every request of this client (`request`, `response`,
   * `retry`, `giveUp`, `cancel`, `circuit`), for logs and dashboards. They hold no header values.
   *
   * @example
   * ```ts
   * client.events$.pipe(filter((e) => e.type === 'retry')).subscribe((e) => show(`retrying in ${e.delayMs / 1000} s`));
   * ```
   */
  get events$(): Observable<ClientEvent> {
    return this.#parts.events.events$;
  }

  /**
   * @param baseUrl an absolute http(s) URL; its path is kept
   * @param authHeaders headers sent with every request (see `bearerTokenAuth`), or a function giving them per attempt
   * @param timeout the limit of one attempt, in milliseconds
   * @default timeout 30000
   */
  constructor(baseUrl: string, authHeaders?: AuthHeaders, timeout?: number | false);
  /** @param options the client's options; only `baseUrl` is required */
  constructor(options: ClientOptions);
  constructor(baseUrlOrOptions: string | ClientOptions, authHeaders?: AuthHeaders, timeout?: number | false) {
    const options: ClientOptions =
      typeof baseUrlOrOptions === 'string' ? { baseUrl: baseUrlOrOptions, authHeaders, timeout } : baseUrlOrOptions;
    const config = resolveClientOptions(options);
    const { tokenRefresh, timeout: refreshTimeout, scheduler } = config;
    this.#parts = {
      config,
      events: new EventStream(),
      // The runtime does not change between requests: asked once per client, not on every request.
      manualRedirects: runtimeShowsRedirects(),
      refresh: tokenRefresh && new SharedTokenRefresh(tokenRefresh, refreshTimeout, scheduler),
      budget: toRetryBudget(options.retryBudget),
      breaker: toCircuitBreaker(options.circuitBreaker),
    };
  }

  /** The base URL that endpoints are resolved under, with a trailing `/`. */
  get baseUrl(): string {
    return this.#parts.config.baseUrl.href;
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
    return this.#run('GET', endpoint, { ...options, params }, readJson as ResponseReader<T>, JSON_ACCEPT);
  }

  /**
   * GETs an endpoint and emits its body's bytes as they arrive. Like every
   * stream method: the timeout covers the wait for the response headers only;
   * a failure is retried by the policy until the first value, never after it
   * (the values would repeat); unsubscribing closes the connection at once.
   *
   * @example
   * ```ts
   * client.chunks('/export.csv').subscribe((chunk) => file.write(chunk));
   * ```
   */
  chunks(endpoint: string, params?: QueryParams, options: ReadOptions = {}): Observable<Uint8Array> {
    return this.#run('GET', endpoint, { ...options, params }, readChunks, undefined, PLAIN_STREAM);
  }

  /**
   * GETs an endpoint and emits its body's lines (UTF-8; ended by `\n`, `\r\n`
   * or `\r`, which are not part of the line) as each one completes.
   *
   * @example
   * ```ts
   * client.lines('/logs', { follow: true }).subscribe((line) => console.log(line));
   * ```
   */
  lines(endpoint: string, params?: QueryParams, options: ReadOptions = {}): Observable<string> {
    return this.#run('GET', endpoint, { ...options, params }, readLines, undefined, PLAIN_STREAM);
  }

  /**
   * GETs newline-delimited JSON and emits one parsed value per line as the
   * lines arrive (blank lines are skipped). A line that is not JSON errors
   * with `ParseError` naming its line number, not retried. Sends
   * `accept: application/x-ndjson`.
   *
   * @example
   * ```ts
   * client.ndjson<Job>('/jobs').pipe(mergeMap((job) => client.getJson(`/jobs/${job.id}`), 4)).subscribe(show);
   * ```
   */
  ndjson<T = unknown>(endpoint: string, params?: QueryParams, options: ReadOptions = {}): Observable<T> {
    return this.#run('GET', endpoint, { ...options, params }, readNdjson<T>, NDJSON_ACCEPT, PLAIN_STREAM);
  }

  /**
   * GETs a Server-Sent Events stream and emits its events `{ id, event, data,
   * retry }`, parsed as the HTML spec says. When the connection drops it
   * reconnects with `Last-Event-ID`, after the server's `retry` time when it
   * sent one, the policy's backoff otherwise; the policy's `maxAttempts` bounds
   * the failures in a row (an event starts the count again). It completes when
   * the server ends the stream (or answers 204). Sends `accept: text/event-stream`.
   *
   * @example
   * ```ts
   * client.sse('/prices').pipe(filter((e) => e.event === 'price')).subscribe((e) => show(JSON.parse(e.data)));
   * ```
   */
  sse(endpoint: string, params?: QueryParams, options: ReadOptions = {}): Observable<ServerSentEvent> {
    return defer(() => {
      const session: SseSession = { lastEventId: '', retry: undefined };
      return this.#run('GET', endpoint, { ...options, params }, readSse(session), SSE_ACCEPT, sseMode(session));
    });
  }

  /**
   * GETs pages of JSON and emits each page's parsed body: first the endpoint,
   * then the `Link` header's `rel="next"` URL (or what `options.next` returns),
   * until there is none or `maxPages` were fetched. The next page is fetched
   * only after the current one was emitted, never after unsubscribing. Each
   * page is one request with the retry policy.
   *
   * @example
   * ```ts
   * client.paginate<Item[]>('/items', { per_page: 100 }).pipe(concatMap((items) => items)).subscribe(addRow);
   * ```
   */
  paginate<T = unknown>(endpoint: string, params?: QueryParams, options: PaginateOptions<T> = {}): Observable<T> {
    const { next, maxPages, ...request } = options;
    // Every page is read within the client's maxBodySize, as getJson's bodies are.
    const read = readPage as ResponseReader<Page<T>>;
    return paginatePages<T>(
      { endpoint, params },
      (page) => this.#run('GET', page.endpoint, { ...request, params: page.params }, read, JSON_ACCEPT),
      { baseUrl: this.#parts.config.baseUrl, next, maxPages },
    );
  }

  #run<T>(
    method: string,
    endpoint: string,
    options: RequestOptions & BodyReadOptions,
    read: ResponseReader<T>,
    defaults?: Readonly<Record<string, string>>,
    stream?: StreamMode,
  ): Observable<T> {
    return runRequest(this.#parts, { method, endpoint, options, read, defaults, stream });
  }
}
