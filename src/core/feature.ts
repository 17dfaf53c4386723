/**
 * # The plug-in contract
 *
 * The core does the brief's job: prepare a request (checked once, before
 * anything is sent), then, in a `defer`, attempts through the transport with
 * the body read inside each one, then rxjs `retry({ count, delay })` with the
 * pure decision. Every other capability is a {@link Feature}: a value passed
 * to the client after its options, as Angular's `provideHttpClient(withFetch())`
 * takes features, and absent otherwise. A feature that is not imported adds no
 * bytes; a client without features runs no hook at all.
 *
 * ```ts
 * const events = withEvents();
 * const client = new AsyncAPIClient({ baseUrl }, withCircuitBreaker({ failureThreshold: 5 }), withRetryBudget(), events);
 * ```
 *
 * ## What a feature may do, and where it runs
 * `setup(client)` runs once, when the client is made (resolve and check the
 * feature's options there, never per request). It returns {@link FeatureHooks}:
 *
 * 1. `prepare(request)`: changes the prepared request once per logical
 *    request, before the first attempt (the idempotency key).
 * 2. `intercept(request, fetch, attempt, context)` with `send`: stands around
 *    the transport for every fetch of an attempt (interceptors), through the held
 *    attempt of `core/held-attempt.ts` that it brings; `context` names the attempt
 *    for its errors. At most one feature intercepts.
 * 3. `start(request)`: runs once per logical request (each subscription),
 *    after `prepare`; the {@link RequestHooks} it returns live as long as that
 *    request. They may:
 *    - `attempts`: wrap the attempts, inside the retry: every attempt (and
 *      every replay) goes through it (circuit breaker, token refresh);
 *    - `retry`: veto a retry the policy allows, before its wait (retry
 *      budget, deadline);
 *    - `whole`: wrap the whole request, outside the retry (deadline, events);
 *    - `item`: check each item of a stream where its reader knows its place
 *      (validation: the `ndjson()` line, the `sse()` event); the core hands
 *      it to the readers as `AttemptContext.item`, and the stream readers
 *      that read items pass each through it, one at a time. A one-value
 *      reader that sets `checks` (`poll()`'s) gets it too instead of a
 *      `whole` check of its value: it hands it to its caller, which checks
 *      what it makes of the value (each new one, parsed) after the request;
 *    - `sent`, `received`, `redirected`, `retrying`: observe (events, the
 *      breaker's probe). They must not throw.
 *
 *    A call refused before its first attempt (a `ConfigurationError`: a bad
 *    endpoint, body or option) still runs `start`, with the client's base
 *    URL as its target, no options and 0 attempts; only its `whole` is used,
 *    around the error, so that `giveUp` is told of every request that fails.
 *
 * ## In what order
 * Hooks of several features run in the order of each feature's `order`
 * (lower first), whatever order the user passed them in: the lowest wraps
 * innermost. The built-in orders: idempotency key and interceptors 0,
 * validation 4, deadline 5, circuit breaker 10, retry budget 15, token
 * refresh 20, events 90, sharing 95, cache 97. So a replay after a token
 * refresh passes the breaker (`attempts`); the deadline vetoes a retry before
 * the budget pays for it (`retry`); the check of a value runs after the
 * retries and inside the deadline (`whole`), and `giveUp` sees the deadline's
 * error and the validation's (`whole`); a read that joins one in flight, or
 * is answered from the cache, sends nothing and so tells no event (`whole`,
 * outside the events').
 *
 * A feature that hands one answer to several subscribers (sharing, a cache)
 * reads the call's `reader` from the {@link RequestContext}: the `Response`
 * of `request()` (`RESPONSE_READER`) can be read only once.
 *
 * ## The transport seam
 * Every fetch goes through the client's `Transport` (core/transport.ts),
 * shaped like rxjs `fromFetch(url, init)` with `init.selector`. What a
 * feature needs a transport to do travels on that `init`, set by the
 * feature's `prepare` on the prepared request's `init` (which every attempt
 * and redirect hop spreads), and nowhere else; a transport ignores what it
 * cannot do. One such field so far: `init.onUploadProgress(loaded, total)`,
 * set by `withUploadProgress()`: the transport calls it as it consumes the
 * body, keeping its framing (fetch in Node and undici count the pull of a
 * stream over the body; `xhrTransport()` relays XHR's upload events; a
 * browser's fetch cannot). A transport made for tests implements it by
 * calling it once with the body's size, or not at all.
 *
 * ## Time and events
 * Every timer a feature starts uses `client.scheduler` and reads the clock
 * with `client.scheduler.now()`, so tests run in virtual time. A feature that
 * has something to tell calls `client.emit(() => event)`: the event is built
 * only when a listener (the `withEvents()` feature) is there.
 *
 * ## The host's context
 * A feature that calls functions of the user's (interceptors, a token
 * refresh) calls each one through `client.run` when it is set, at the moment
 * it calls it: a framework that hosts the client gives it so that those
 * functions run in its context (`provideApiClient()` of rx-api-client/angular
 * sets it to Angular's injection context, so `inject()` works inside them).
 * It is absent on a client made with `new AsyncAPIClient()`: the core neither
 * sets nor reads it, and costs nothing for it. Auth is not a feature: an
 * `authHeaders` function (an `asyncAuth()` one too) is called by the core in
 * each attempt, inside its timeout; the host wraps it in its context itself.
 *
 * @module
 */
import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import type { AuthSource } from '../auth/provider.js';
import type { RetryPolicy } from '../retry/policy.js';
import type { FetchOne, Sender } from './attempt.js';
import type { AttemptContext, ItemCheck } from './context.js';
import type { RequestTarget } from './errors.js';
import type { RedirectHop } from './follow-redirects.js';
import type { RequestOptions } from './options.js';
import type { PreparedRequest, SendableRequest } from './prepare.js';
import type { Reader } from './response.js';

/**
 * What a feature sees of the client, once, in `setup`.
 *
 * @example
 * ```ts
 * const logging: Feature = { order: 50, setup: (client) => ({ start: () => ({ sent: (request) => console.log(client.baseUrl.href, request.url.pathname) }) }) };
 * ```
 */
export interface ClientContext {
  /** The base URL, with a trailing `/`. */
  readonly baseUrl: URL;
  /** The client's `allowedOrigins`, checked: with the base URL's origin, where credentials may go. */
  readonly allowedOrigins: ReadonlySet<string>;
  /** The scheduler of every timer: features use it too. */
  readonly scheduler: SchedulerLike;
  /** The per-attempt timeout in ms, `Infinity` for none. */
  readonly timeout: number;
  /** The client's `authHeaders`, checked. */
  readonly auth: AuthSource;
  /** The client's retry policy. */
  readonly retry: RetryPolicy;
  /** Tells the client's event listeners: `make` runs only when there is one. */
  emit(make: () => FeatureEvent): void;
  /** Adds an event listener (what `withEvents()` does); it gets the maker, and builds the event only if it wants it. */
  listen(listener: (make: () => FeatureEvent) => void): void;
  /** Runs a function of the user's in the host's context (see the module comment); absent outside a host. */
  readonly run?: <T>(callback: () => T) => T;
}

/**
 * The least an event has: a `type`, and the request it is about.
 *
 * @example
 * ```ts
 * const event: FeatureEvent = { type: 'circuit', method: 'GET', url: 'https://api.example.com/items' };
 * ```
 */
export interface FeatureEvent {
  /** What happened: one name per kind of event (`'circuit'`...), which listeners narrow on. */
  readonly type: string;
  /** The request's HTTP method, upper case. */
  readonly method: string;
  /** The request's URL without its query string (a query may hold a key). */
  readonly url: string;
}

/**
 * One logical request, as its features see it.
 *
 * @example
 * ```ts
 * const hooks = (request: RequestContext): RequestHooks => ({ sent: () => console.log(`${request.target.method} attempt ${request.attempts}`) });
 * ```
 */
export interface RequestContext {
  /** Method and URL without query: for errors and events. */
  readonly target: RequestTarget;
  /** The options of the call: a feature reads its per-request override here. */
  readonly options: RequestOptions;
  /** How the answer is read: `RESPONSE_READER` (core/response) for `request()`, whose `Response` can be read once (`withSharing()` leaves it out). */
  readonly reader: Reader<unknown>;
  /** `false` when the body is a stream that can be sent only once. */
  readonly replayable: boolean;
  /** Whether this is a stream (the stream readers): its values are many, and it ends when it completes. */
  readonly stream: boolean;
  /** Attempts started so far, replays included; 1 during the first. */
  readonly attempts: number;
}

/**
 * What a feature does for one logical request. Every field is optional.
 *
 * @example
 * ```ts
 * const hooks: RequestHooks = { whole: (request$) => request$.pipe(finalize(() => console.log('done'))) };
 * ```
 */
export interface RequestHooks {
  /** Wraps the attempts, inside the retry: each subscription is one attempt. */
  attempts?<T>(attempts$: Observable<T>): Observable<T>;
  /** Asked when the policy allows a retry after `delayMs`, before the wait: the error that ends the request instead, or `undefined`. */
  retry?(error: unknown, delayMs: number): unknown;
  /** Wraps the whole request, outside the retry. */
  whole?<T>(request$: Observable<T>): Observable<T>;
  /**
   * Checks each item of a stream where its reader knows its place (the
   * `ndjson()` line, the `sse()` event): the stream readers that read items
   * call it through {@link AttemptContext.item}, as does the caller of a
   * reader that `checks` (`poll()`). The first feature's is used.
   */
  item?: ItemCheck;
  /**
   * A request is about to go to the transport: after its credentials and the
   * interceptors, as it is sent (each of an interceptor's fetches; none for an
   * answer an interceptor makes itself). The hops of a redirect are `redirected`.
   */
  sent?(request: SendableRequest, attempt: number): void;
  /** An attempt has its final response (any status), before its body is read. */
  received?(response: Response, attempt: number): void;
  /** An attempt followed a redirect (where the client follows them: Node). */
  redirected?(hop: RedirectHop, attempt: number): void;
  /** A retry is scheduled. */
  retrying?(info: { readonly attempt: number; readonly delayMs: number; readonly fromServer: boolean; readonly error: unknown }): void;
}

/**
 * What a feature does, decided once per client in `setup`. A feature's
 * `setup` may return `intercept` only together with `send` (see
 * {@link Feature.setup}: one that intercepted without its sender would
 * intercept streams only).
 *
 * @example
 * ```ts
 * const stamp: FeatureHooks = { prepare: (request) => ({ ...request, init: { ...request.init, headers: { ...request.init.headers, 'x-client': 'a' } } }) };
 * ```
 */
export interface FeatureHooks extends CommonFeatureHooks {
  /** Stands around the transport for every fetch of an attempt; comes with `send`. See `Intercept`. */
  intercept?(request: SendableRequest, fetch: FetchOne, attempt: Subscription, context: AttemptContext): Observable<Response>;
  /** How attempts are sent when `intercept` is set: `sendHeld` (core/held-attempt), which runs it. */
  readonly send?: Sender;
}

/**
 * The hooks of a feature that does not stand around the transport: neither `intercept` nor `send`.
 *
 * @example
 * ```ts
 * const hooks: CommonFeatureHooks & NonInterceptingHooks = { start: () => undefined };
 * ```
 */
export interface NonInterceptingHooks {
  /** Absent: this feature does not intercept. */
  readonly intercept?: undefined;
  /** Absent: the client's own sender sends its attempts. */
  readonly send?: undefined;
}

/**
 * The hooks that any feature may have (see {@link FeatureHooks}).
 *
 * @example
 * ```ts
 * const hooks: CommonFeatureHooks = { options: ['deadline'], start: () => undefined };
 * ```
 */
export interface CommonFeatureHooks {
  /** Changes the prepared request, once per logical request. */
  prepare?(request: PreparedRequest, context: RequestContext): PreparedRequest;
  /** Starts the hooks of one logical request. */
  start?(request: RequestContext): RequestHooks | undefined;
  /** Per-request options this feature reads from {@link RequestContext.options} (`deadline`). */
  readonly options?: readonly string[];
}

/**
 * The hooks of a feature that stands around the transport (`withInterceptors()`): at most one feature of a
 * client intercepts, and it brings the sender that runs its `intercept`.
 *
 * @example
 * ```ts
 * const passing: InterceptingHooks = { send: sendHeld, intercept: (request, fetch) => fetch(request) };
 * ```
 */
export interface InterceptingHooks {
  /** Stands around the transport for every fetch of an attempt. See `Intercept`. */
  intercept(request: SendableRequest, fetch: FetchOne, attempt: Subscription, context: AttemptContext): Observable<Response>;
  /** How attempts are sent: `sendHeld` (core/held-attempt), which runs `intercept`. */
  readonly send: Sender;
}

/**
 * An opt-in capability of a client: `withCircuitBreaker()`, `withEvents()`...
 * See the module comment for the contract.
 *
 * @example
 * ```ts
 * const timing: Feature = {
 *   order: 50,
 *   setup: (client) => ({ start: () => ({ whole: (request$) => defer(() => { const t = client.scheduler.now(); return request$.pipe(finalize(() => console.log(client.scheduler.now() - t))); }) }) }),
 * };
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, timing);
 * ```
 */
export interface Feature {
  /** Where its hooks run among those of other features: lower is closer to the transport. */
  readonly order: number;
  /** Called once, when the client is made; `intercept` comes with its `send`, or neither is there. */
  setup(client: ClientContext): CommonFeatureHooks & (InterceptingHooks | NonInterceptingHooks);
}
