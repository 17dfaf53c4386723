import { defer, map, tap, type Observable } from 'rxjs';
import { credentialsOf, type AuthHeaders, type Credentials } from './auth-provider.js';
import { toCircuitBreaker, type CircuitBreaker, type CircuitChange } from './circuit-breaker.js';
import { HttpError, NetworkError, TimeoutError, TokenRefreshError } from './errors.js';
import { EventStream, type ClientEvent } from './events.js';
import { runtimeShowsRedirects, type RedirectOptions } from './follow-redirects.js';
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
import { paginatePages, readPage, type Page, type PaginateOptions } from './paginate.js';
import { authorize, prepareRequest } from './prepare.js';
import { redactHeaders } from './redact.js';
import { emitResponse, readJson, type ResponseReader } from './response.js';
import { toRetryBudget, type RetryBudget } from './retry/budget.js';
import { withIdempotencyKey } from './retry/idempotency.js';
import { retryWithPolicy, type RetryInfo } from './retry/operator.js';
import { readChunks } from './streams/chunks.js';
import { readLines } from './streams/lines.js';
import { PLAIN_STREAM, streamRetryTuning, type StreamMode } from './streams/mode.js';
import { readNdjson } from './streams/ndjson.js';
import { readSse, sseMode, type ServerSentEvent, type SseSession } from './streams/sse.js';
import { replayAfterRefresh, SharedTokenRefresh } from './token-refresh.js';
import { send } from './transport.js';
import { displayUrl } from './url.js';

const JSON_ACCEPT = { accept: 'application/json' } as const;
const NO_NAMES: ReadonlySet<string> = new Set();
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
  // Private fields: util.inspect() and JSON.stringify() cannot reach the auth headers.
  readonly #config: ResolvedClientOptions;
  readonly #events = new EventStream();
  readonly #refresh: SharedTokenRefresh | undefined;
  // Shared by every request of this client: the overload protections.
  readonly #budget: RetryBudget | undefined;
  readonly #breaker: CircuitBreaker | undefined;
  // The runtime does not change between requests: asked once per client, not on every request.
  readonly #manualRedirects = runtimeShowsRedirects();

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
    return this.#events.events$;
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
    this.#config = resolveClientOptions(options);
    const { tokenRefresh, timeout: refreshTimeout, scheduler } = this.#config;
    this.#refresh = tokenRefresh && new SharedTokenRefresh(tokenRefresh, refreshTimeout, scheduler);
    this.#budget = toRetryBudget(options.retryBudget);
    this.#breaker = toCircuitBreaker(options.circuitBreaker);
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
      { baseUrl: this.#config.baseUrl, next, maxPages },
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
    const config = this.#config;
    const events = this.#events;
    const refresh = this.#refresh;
    const budget = this.#budget;
    const breaker = this.#breaker;
    const manual = this.#manualRedirects;
    return defer(() => {
      // Inside defer: a bad request errors the Observable before anything is sent, outside the retry.
      // Once per subscription: every attempt of this logical request shares one Idempotency-Key.
      const prepared = prepareRequest(config, method, endpoint, options, defaults);
      const policy = resolveRetry(options.retry, config.retry);
      const request = withIdempotencyKey(prepared, policy.idempotencyKey);
      const timeoutMs = resolveTimeout(options.timeout, config.timeout);
      const deadline = resolveTimeout(options.deadline, config.deadline, 'deadline');
      const maxBodySize = resolveMaxBodySize(options.maxBodySize, config.maxBodySize);
      const { target } = request;
      const { method: verb, url } = target;
      // The breaker's hook for the attempt in flight: a response settles a quiet probe.
      let circuitResponded: ((status: number) => void) | undefined;
      const observedRead: ResponseReader<T> = (response, context) => {
        circuitResponded?.(response.status);
        events.emit(() => ({
          type: 'response',
          method: verb,
          url,
          attempt: context.attempt,
          status: response.status,
          headers: redactHeaders(response.headers, NO_NAMES),
        }));
        return read(response, context);
      };
      const redirects: RedirectOptions = {
        manual,
        maxRedirects: config.maxRedirects,
        onRedirect: ({ status, from, to, dropped }) =>
          events.emit(() => ({ type: 'redirect', method: verb, url: displayUrl(from), attempt, status, location: displayUrl(to), dropped })),
      };
      const attemptOptions = {
        timeoutMs,
        scheduler: config.scheduler,
        redirects,
        interceptors: stream ? [...stream.interceptors, ...config.interceptors] : config.interceptors,
        transport: config.transport,
        stream: stream !== undefined,
      };
      // The request of one attempt, with that attempt's credentials.
      const authorized = (credentials: Credentials, attempt: number) => {
        const sendable = authorize(request, credentials);
        events.emit(() => ({ type: 'request', method: verb, url, attempt, headers: redactHeaders(sendable.init.headers, sendable.authNames) }));
        return sendable;
      };
      const auth = config.auth;
      let attempt = 0;
      let ended = false;
      let emitted = false;
      let seenGeneration = 0;
      const attempt$ = defer(() => {
        const context = { target, attempt: ++attempt, maxBodySize };
        seenGeneration = refresh?.generation ?? 0;
        // Per attempt: a retry or a replay asks an auth function for the current token; fixed headers need no wait.
        const request$ =
          auth.kind === 'fixed'
            ? authorized(auth.credentials, context.attempt)
            : credentialsOf(auth).pipe(map((credentials) => authorized(credentials, context.attempt)));
        return send(request$, observedRead, { ...attemptOptions, context });
      });
      // The breaker sees every attempt, replays after a token refresh included.
      const guarded$ = breaker
        ? breaker.guard(attempt$, {
            now: () => config.scheduler.now(),
            target,
            attempts: () => attempt,
            onChange: ({ state, previous }: CircuitChange) => events.emit(() => ({ type: 'circuit', method: verb, url, state, previous })),
            onAdmit: (responded) => (circuitResponded = responded),
          })
        : attempt$;
      const withRefresh$ =
        refresh === undefined
          ? guarded$
          : guarded$.pipe(replayAfterRefresh(refresh, () => seenGeneration, (cause) => new TokenRefreshError(cause, target, attempt), { replayable: request.replayable }));
      // `attempt` counts every attempt, replays after a token refresh included; for sse() the policy's count restarts after each event.
      const onRetry = ({ delayMs, fromServer, error }: RetryInfo) =>
        events.emit(() => ({ type: 'retry', method: verb, url, attempt, delayMs, fromServer, reason: describeFailure(error), error }));
      return (stream ? withRefresh$.pipe(tap(() => (emitted = true))) : withRefresh$).pipe(
        retryWithPolicy(policy, config.scheduler, onRetry, {
          ...(stream && streamRetryTuning(policy, stream, () => emitted)),
          target,
          replayable: request.replayable,
          deadline,
          budget,
          attempts: () => attempt,
        }),
        tap({
          // One value is the whole answer: a `first()` downstream that unsubscribes after it is no cancel.
          // A stream has ended only when it completes.
          next: () => (ended ||= stream === undefined),
          error: (error: unknown) => events.emit(() => ({ type: 'giveUp', method: verb, url, attempts: attempt, error })),
          // Unsubscribed before the end: say so, or a dashboard would count the request in flight forever.
          unsubscribe: () => ended || events.emit(() => ({ type: 'cancel', method: verb, url, attempts: attempt })),
        }),
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
