import { defer, map, retry, throwError, timer, type Observable } from 'rxjs';
import { credentialsOf, type Credentials } from '../auth/provider.js';
import { decideRetry, type RetryDecision } from '../retry/decide.js';
import { resolveRetry } from '../retry/policy.js';
import { send, type AttemptOptions, type LaterRequest } from './attempt.js';
import { BodyNotReplayableError, ConfigurationError, HttpError } from './errors.js';
import type { ClientContext, Feature, FeatureEvent, FeatureHooks, RequestContext, RequestHooks } from './feature.js';
import { runtimeShowsRedirects } from '#follow-redirects';
import type { RedirectOptions } from './follow-redirects.js';
import { resolveMaxBodySize, resolveTimeout, type BodyReadOptions, type RequestOptions, type ResolvedClientOptions } from './options.js';
import { checkRequestOptions } from './suggest.js';
import { authorize, prepareRequest, type PreparedRequest, type SendableRequest } from './prepare.js';
import type { ItemCheck, ResponseReader } from './context.js';
import type { Reader } from './response.js';

/**
 * What a client shares with every request it runs: its resolved options,
 * whether the runtime shows redirects, and its features' hooks (sorted).
 *
 * @example
 * ```ts
 * const core: ClientCore = { config: resolveClientOptions({ baseUrl: 'https://api.example.com' }), manualRedirects: true, features: [] };
 * runRequest(core, { method: 'GET', endpoint: '/items', options: {}, reader: JSON_READER }).subscribe(console.log);
 * ```
 */
export interface ClientCore {
  readonly config: ResolvedClientOptions;
  /** Whether the client follows redirects itself (`runtimeShowsRedirects()`). */
  readonly manualRedirects: boolean;
  /** The hooks of the client's features, in their order; empty for a client without features. */
  readonly features: readonly FeatureHooks[];
}

/**
 * What a client shares with its requests, made once: its features set up in
 * their order against the client's context (a client without features runs
 * no hook), and whether this runtime shows redirects.
 *
 * @param config the client's options, resolved
 * @param features the feature values given to the client
 * @example
 * ```ts
 * const core = clientCore(resolveClientOptions({ baseUrl: 'https://api.example.com' }), [withEvents()]);
 * ```
 */
export function clientCore(config: ResolvedClientOptions, features: readonly Feature[]): ClientCore {
  const listeners: ((make: () => FeatureEvent) => void)[] = [];
  // The resolved options are what a feature sees of the client (ClientContext names the fields it may use).
  const client: ClientContext = {
    ...config,
    emit: (make) => listeners.forEach((listener) => listener(make)),
    listen: (listener) => void listeners.push(listener),
  };
  return {
    config,
    // The runtime does not change between requests: asked once per client, not on every request.
    manualRedirects: runtimeShowsRedirects(),
    features: [...features].sort((a, b) => a.order - b.order).map((feature) => feature.setup(client)),
  };
}

/**
 * One call of a client's method: what to send and how to read the answer.
 *
 * @example
 * ```ts
 * const call: Call<unknown> = { method: 'GET', endpoint: '/items', options: { params: { page: 2 } }, reader: JSON_READER };
 * ```
 */
export interface Call<T> {
  readonly method: string;
  readonly endpoint: string;
  readonly options: RequestOptions & BodyReadOptions;
  readonly reader: Reader<T>;
}

/** Request options that do nothing without their feature: refused without it, in every build. */
const GUARDED_OPTIONS = ['deadline', 'schema', 'onUploadProgress'] as const;
/** The feature that each needs, for the development message. */
const NEEDED_FEATURES: Record<(typeof GUARDED_OPTIONS)[number], string> = {
  deadline: 'withDeadline() feature: new AsyncAPIClient(options, withDeadline(ms))',
  schema: 'withValidation() feature: new AsyncAPIClient(options, withValidation())',
  onUploadProgress: 'withUploadProgress() feature: new AsyncAPIClient(options, withUploadProgress())',
};

/** What the stages of one logical request share; what features see of it is {@link RequestContext}. */
interface RequestState extends RequestContext {
  attempts: number;
  /** A stream has emitted: from then on a failure is not retried as if nothing had happened. */
  emitted: boolean;
}

/**
 * One logical request, cold: on subscription the call is checked and
 * prepared (a bad one errors here, before anything is sent, and is never
 * retried); then attempts run through the features' wraps and the retry
 * policy, rxjs `retry({ count, delay })` with the pure decision. Unsubscribing
 * aborts the attempt in flight or the wait before the next one.
 *
 * @param core what the client shares with its requests
 * @param call the method, endpoint, options and reader
 * @returns the reader's values: one for a one-value reader, each chunk or event for a stream
 * @example
 * ```ts
 * runRequest(core, { method: 'GET', endpoint: '/items', options: {}, reader: JSON_READER }).subscribe((items) => console.log(items));
 * ```
 */
export function runRequest<T>(core: ClientCore, call: Call<T>): Observable<T> {
  return defer(() => {
    try {
      return startRequest(core, call);
    } catch (error) {
      return refused<T>(core, call.method, error);
    }
  });
}

/**
 * A request refused before its first attempt (a `ConfigurationError`, mostly): nothing was sent, and the
 * error still ends it through the features' whole-request wraps, so that `withEvents()` says `giveUp`
 * (0 attempts) as for any request that fails. Its URL is the client's base URL: the endpoint may be what
 * was refused, and a URL that nothing was sent to is not shown.
 */
function refused<T>(core: ClientCore, method: string, error: unknown): Observable<T> {
  // The base URL's href is what displayUrl would show: it has no credentials, query or fragment.
  const state = { target: { method: `${method}`.toUpperCase(), url: core.config.baseUrl.href }, options: {}, attempts: 0 } as RequestState;
  return core.features.reduce((error$: Observable<T>, feature) => feature.start?.(state)?.whole?.(error$) ?? error$, throwError(() => error) as Observable<T>);
}

/** The request of a call, checked and prepared (this throws when the call is refused), its attempts wrapped in the retry. */
function startRequest<T>(core: ClientCore, { method, endpoint, options, reader }: Call<T>): Observable<T> {
  const { config, features } = core;
  // Options that are not an object, an unknown option, or one whose feature is missing would fail later
  // as a bare TypeError, or be ignored: development builds say so.
  if (process.env.NODE_ENV !== 'production') checkRequestOptions(options, features.flatMap((feature) => feature.options ?? []), method);
  // In every build: without its feature, a deadline would not be enforced, a schema not checked and an
  // upload's progress not told, unseen.
  const guarded = GUARDED_OPTIONS.find((name) => {
    const value = (options as Record<string, unknown>)[name];
    // `deadline: false` (none) needs no feature.
    return value !== undefined && value !== false && !features.some((feature) => feature.options?.includes(name));
  });
  if (guarded !== undefined) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `${guarded} needs the ${NEEDED_FEATURES[guarded]}` : guarded);
  }
  let request = prepareRequest(config, method, endpoint, options, reader.accept);
  const { target } = request;
  const { stream } = reader;
  const state: RequestState = { target, options, replayable: request.replayable, stream: !!stream, attempts: 0, emitted: false, reader };
  for (const feature of features) if (feature.prepare) request = feature.prepare(request, state);
  const hooks = features.flatMap((feature) => feature.start?.(state) ?? []);
  const policy = resolveRetry(options.retry, config.retry);
  const { scheduler } = config;
  const limits = {
    timeoutMs: resolveTimeout(options.timeout, config.timeout),
    maxBodySize: resolveMaxBodySize(options.maxBodySize, config.maxBodySize),
    // A stream reader's check of each item (withValidation()'s), found once per request.
    item: hooks.length === 0 ? undefined : hooks.find((hook) => hook.item)?.item,
  };
  let attempts$ = attemptsOf(core, reader, request, state, hooks, limits);
  for (const hook of hooks) if (hook.attempts) attempts$ = hook.attempts(attempts$);
  if (stream) {
    attempts$ = attempts$.pipe(
      map((value) => {
        state.emitted = true;
        return value;
      }),
    );
  }
  const decide: (error: unknown, attempt: number) => RetryDecision = stream
    ? (error, attempt) => stream.decide(policy, error, attempt, scheduler.now(), state.emitted)
    : (error, attempt) => decideRetry(policy, error, attempt, scheduler.now());
  let request$ = attempts$.pipe(
    retry({
      count: policy.maxAttempts - 1,
      resetOnSuccess: stream?.resetOnSuccess ?? false,
      delay: (error: unknown, attempt: number) => {
        const decision = decide(error, attempt);
        // throwError, never EMPTY: EMPTY would complete silently and swallow the error.
        if (!decision.retry) return throwError(() => error);
        if (!state.replayable) {
          // Already said (a 401 that could not be replayed): wrapping it again would bury the cause.
          return throwError(() => (error instanceof BodyNotReplayableError ? error : new BodyNotReplayableError(error, target, state.attempts)));
        }
        const { delayMs, fromServer } = decision;
        for (const hook of hooks) {
          const stop = hook.retry?.(error, delayMs);
          if (stop !== undefined) return throwError(() => stop);
        }
        // The response of a retried attempt is thrown away: free its connection now, not at GC.
        if (error instanceof HttpError) error.response.body?.cancel().catch(() => undefined);
        for (const hook of hooks) hook.retrying?.({ attempt: state.attempts, delayMs, fromServer, error });
        return timer(delayMs, scheduler);
      },
    }),
  );
  for (const hook of hooks) if (hook.whole) request$ = hook.whole(request$);
  return request$;
}

/** Each subscription one attempt: its credentials, the transport, the reader (inside the attempt). */
function attemptsOf<T>(
  core: ClientCore,
  { read, stream }: Reader<T>,
  request: PreparedRequest,
  state: RequestState,
  hooks: readonly RequestHooks[],
  limits: { readonly timeoutMs: number; readonly maxBodySize: number; readonly item: ItemCheck | undefined },
): Observable<T> {
  const { config } = core;
  const { target } = request;
  let observedRead: ResponseReader<T> = read;
  let redirects: RedirectOptions = { manual: core.manualRedirects, maxRedirects: config.maxRedirects };
  if (hooks.length > 0) {
    observedRead = (response, context) => {
      for (const hook of hooks) hook.received?.(response, context.attempt);
      return read(response, context);
    };
    redirects = {
      ...redirects,
      // At the transport, after the interceptors: what is told is what is sent.
      onSend: (sendable) => hooks.forEach((hook) => hook.sent?.(sendable, state.attempts)),
      onRedirect: (hop) => hooks.forEach((hook) => hook.redirected?.(hop, state.attempts)),
    };
  }
  const intercepting = core.features.find((feature) => feature.intercept);
  const intercept = intercepting?.intercept;
  // Streams and interceptors bring the held attempt with them; a one-value call without them needs only `send`.
  const sender = stream?.send ?? intercepting?.send ?? send;
  const attemptOptions: Omit<AttemptOptions, 'context'> = {
    timeoutMs: limits.timeoutMs,
    scheduler: config.scheduler,
    redirects,
    intercept,
    transport: config.transport,
    stream,
  };
  // The request of one attempt, with that attempt's credentials (and a stream's own headers: Last-Event-ID).
  const authorized = (credentials: Credentials) => authorize(request, credentials, stream?.headers?.());
  const { auth } = config;
  return defer(() => {
    // The body limit, the item check (withValidation()'s) and the scheduler (a pull stream's idle timer), with the
    // attempt: a literal, not a spread with added keys, which costs microseconds per attempt in Node 20 (constants.ts).
    const context = { target, attempt: ++state.attempts, maxBodySize: limits.maxBodySize, item: limits.item, scheduler: config.scheduler };
    // Per attempt: a retry or a replay asks an auth function for the current token; only asyncAuth()'s make it wait.
    const given = credentialsOf(auth);
    const request$: LaterRequest | SendableRequest =
      typeof given === 'function' ? (sendRequest) => given((credentials) => sendRequest(authorized(credentials))) : authorized(given);
    return sender(request$, observedRead, Object.assign({ context }, attemptOptions));
  });
}
