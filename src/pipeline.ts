import { defer, map, tap, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { credentialsOf, type Credentials } from './auth-provider.js';
import type { CircuitBreaker, CircuitChange } from './circuit-breaker.js';
import { HttpError, NetworkError, TimeoutError, TokenRefreshError, type RequestTarget } from './errors.js';
import type { EventStream } from './events.js';
import type { RedirectOptions } from './follow-redirects.js';
import { resolveMaxBodySize, resolveRetry, resolveTimeout, type BodyReadOptions, type RequestOptions, type ResolvedClientOptions } from './options.js';
import { authorize, prepareRequest, type PreparedRequest } from './prepare.js';
import { redactHeaders } from './redact.js';
import type { ResponseReader } from './response.js';
import type { RetryBudget } from './retry/budget.js';
import { withIdempotencyKey } from './retry/idempotency.js';
import { retryWithPolicy, type RetryInfo } from './retry/operator.js';
import { streamRetryTuning, type StreamMode } from './streams/mode.js';
import { replayAfterRefresh, type SharedTokenRefresh } from './token-refresh.js';
import { send } from './transport.js';
import { displayUrl } from './url.js';

/**
 * What a client shares with every request it runs: its resolved options, its
 * events, whether the runtime shows redirects, and its overload protections.
 *
 * @example
 * ```ts
 * const parts: ClientParts = { config: resolveClientOptions({ baseUrl: 'https://api.example.com' }), events: new EventStream(), manualRedirects: true };
 * runRequest(parts, { method: 'GET', endpoint: '/items', options: {}, read: readJson }).subscribe(console.log);
 * ```
 */
export interface ClientParts {
  readonly config: ResolvedClientOptions;
  readonly events: EventStream;
  /** Whether the client follows redirects itself (`runtimeShowsRedirects()`). */
  readonly manualRedirects: boolean;
  readonly refresh?: SharedTokenRefresh | undefined;
  readonly budget?: RetryBudget | undefined;
  readonly breaker?: CircuitBreaker | undefined;
}

/**
 * One call of a client's method: what to send and how to read the answer.
 *
 * @example
 * ```ts
 * const call: Call<unknown> = { method: 'GET', endpoint: '/items', options: { params: { page: 2 } }, read: readJson, defaults: { accept: 'application/json' } };
 * ```
 */
export interface Call<T> {
  readonly method: string;
  readonly endpoint: string;
  readonly options: RequestOptions & BodyReadOptions;
  /** Reads the final response of an attempt: its first value is the whole answer, unless `stream` is set. */
  readonly read: ResponseReader<T>;
  /** Headers of the method (`accept`), under the client's and the request's own. */
  readonly defaults?: Readonly<Record<string, string>> | undefined;
  /** Set by the stream methods: how the stream is retried, and the method's own interceptors. */
  readonly stream?: StreamMode | undefined;
}

/** What the stages of one logical request share. */
interface RequestState {
  readonly target: RequestTarget;
  /** Attempts made so far, replays after a token refresh included. */
  attempt: number;
  /** The token generation when the last attempt started: a 401 after a newer one replays without refreshing. */
  seenGeneration: number;
  /** The breaker's hook for the attempt in flight: a response settles a quiet probe. */
  circuitResponded: ((status: number) => void) | undefined;
  /** A stream has emitted: from then on a failure is not retried as if nothing had happened. */
  emitted: boolean;
  /** The request has its answer (or, for a stream, completed): unsubscribing after it is no cancel. */
  ended: boolean;
}

/**
 * One logical request, cold: on subscription the call is checked and
 * prepared (a bad one errors here, before anything is sent, and is never
 * retried); then attempts run through the breaker, the token refresh and the
 * retry policy, and the client's events tell each step. Unsubscribing aborts
 * the attempt in flight or the wait before the next one.
 *
 * @param parts what the client shares with its requests
 * @param call the method, endpoint, options, reader and, for streams, their mode
 * @returns the reader's values: one for a one-value reader, each chunk or event for a stream
 * @example
 * ```ts
 * runRequest(parts, { method: 'GET', endpoint: '/items', options: {}, read: readJson, defaults: { accept: 'application/json' } })
 *   .subscribe((items) => console.log(items));
 * ```
 */
export function runRequest<T>(parts: ClientParts, call: Call<T>): Observable<T> {
  return defer(() => {
    const { config, events, refresh, budget } = parts;
    // Once per subscription: every attempt of this logical request shares one Idempotency-Key.
    const prepared = prepareRequest(config, call.method, call.endpoint, call.options, call.defaults);
    const policy = resolveRetry(call.options.retry, config.retry);
    const request = withIdempotencyKey(prepared, policy.idempotencyKey);
    const timeoutMs = resolveTimeout(call.options.timeout, config.timeout);
    const deadline = resolveTimeout(call.options.deadline, config.deadline, 'deadline');
    const maxBodySize = resolveMaxBodySize(call.options.maxBodySize, config.maxBodySize);
    const { target } = request;
    const state: RequestState = { target, attempt: 0, seenGeneration: 0, circuitResponded: undefined, emitted: false, ended: false };
    const { stream } = call;
    let attempts$ = guardedByBreaker(parts, state, attemptsOf(parts, call, request, state, { timeoutMs, maxBodySize }));
    if (refresh !== undefined) {
      attempts$ = attempts$.pipe(
        replayAfterRefresh(refresh, () => state.seenGeneration, (cause) => new TokenRefreshError(cause, target, state.attempt), { replayable: request.replayable }),
      );
    }
    if (stream) attempts$ = attempts$.pipe(tap(() => (state.emitted = true)));
    // `attempt` counts every attempt, replays after a token refresh included; for sse() the policy's count restarts after each event.
    const onRetry = ({ delayMs, fromServer, error }: RetryInfo) =>
      events.emit(() => ({ type: 'retry', method: target.method, url: target.url, attempt: state.attempt, delayMs, fromServer, reason: describeFailure(error), error }));
    return attempts$.pipe(
      retryWithPolicy(policy, config.scheduler, onRetry, {
        ...(stream && streamRetryTuning(policy, stream, () => state.emitted)),
        target,
        replayable: request.replayable,
        deadline,
        budget,
        attempts: () => state.attempt,
      }),
      endEvents(events, state, stream !== undefined),
    );
  });
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Each subscription one attempt: its credentials, its `request` event, the transport, the reader (after the `response` event). */
function attemptsOf<T>(
  parts: ClientParts,
  { read, stream }: Call<T>,
  request: PreparedRequest,
  state: RequestState,
  { timeoutMs, maxBodySize }: { readonly timeoutMs: number; readonly maxBodySize: number },
): Observable<T> {
  const { config, events } = parts;
  const { target } = request;
  const { method, url } = target;
  const observedRead: ResponseReader<T> = (response, context) => {
    state.circuitResponded?.(response.status);
    events.emit(() => ({ type: 'response', method, url, attempt: context.attempt, status: response.status, headers: redactHeaders(response.headers, NO_NAMES) }));
    return read(response, context);
  };
  const redirects: RedirectOptions = {
    manual: parts.manualRedirects,
    maxRedirects: config.maxRedirects,
    onRedirect: ({ status, from, to, dropped }) =>
      events.emit(() => ({ type: 'redirect', method, url: displayUrl(from), attempt: state.attempt, status, location: displayUrl(to), dropped })),
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
    events.emit(() => ({ type: 'request', method, url, attempt, headers: redactHeaders(sendable.init.headers, sendable.authNames) }));
    return sendable;
  };
  const { auth } = config;
  return defer(() => {
    const context = { target, attempt: ++state.attempt, maxBodySize };
    state.seenGeneration = parts.refresh?.generation ?? 0;
    // Per attempt: a retry or a replay asks an auth function for the current token; fixed headers need no wait.
    const request$ =
      auth.kind === 'fixed'
        ? authorized(auth.credentials, context.attempt)
        : credentialsOf(auth).pipe(map((credentials) => authorized(credentials, context.attempt)));
    return send(request$, observedRead, { ...attemptOptions, context });
  });
}

/** The attempts through the client's circuit breaker, when it has one: it sees every attempt, replays included. */
function guardedByBreaker<T>({ breaker, config, events }: ClientParts, state: RequestState, attempt$: Observable<T>): Observable<T> {
  if (breaker === undefined) return attempt$;
  const { target } = state;
  return breaker.guard(attempt$, {
    now: () => config.scheduler.now(),
    target,
    attempts: () => state.attempt,
    onChange: ({ state: circuit, previous }: CircuitChange) => events.emit(() => ({ type: 'circuit', method: target.method, url: target.url, state: circuit, previous })),
    onAdmit: (responded) => (state.circuitResponded = responded),
  });
}

/** The `giveUp` and `cancel` events at the end of a logical request. */
function endEvents<T>(events: EventStream, state: RequestState, stream: boolean): MonoTypeOperatorFunction<T> {
  const { method, url } = state.target;
  return tap({
    // One value is the whole answer: a `first()` downstream that unsubscribes after it is no cancel.
    // A stream has ended only when it completes.
    next: () => (state.ended ||= !stream),
    error: (error: unknown) => events.emit(() => ({ type: 'giveUp', method, url, attempts: state.attempt, error })),
    // Unsubscribed before the end: say so, or a dashboard would count the request in flight forever.
    unsubscribe: () => state.ended || events.emit(() => ({ type: 'cancel', method, url, attempts: state.attempt })),
  });
}

function describeFailure(error: unknown): string {
  if (error instanceof HttpError) return `status ${error.status}`;
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof NetworkError) return 'network error';
  return error instanceof Error ? error.name : 'error';
}
