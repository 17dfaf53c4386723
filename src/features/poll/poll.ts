import { asyncScheduler, defer, distinctUntilChanged, filter, finalize, fromEvent, map, Observable, ReplaySubject, share, Subscription, type SchedulerLike } from 'rxjs';
import type { AsyncAPIClient } from '../../core/client.js';
import type { AttemptContext, ItemCheck } from '../../core/context.js';
import { DEFAULTS } from '../../core/constants.js';
import { ConfigurationError } from '../../core/errors.js';
import type { QueryParams, ReadOptions } from '../../core/options.js';
import { readBodyText } from '../../core/read-body.js';
import { checkStatus, type Reader } from '../../core/response.js';
import type { StandardSchemaV1 } from '../../core/standard-schema.js';
import { endsPoll, failureDelay, nextDelay, resolvePace, type PollBackoff, type PollPace } from './pace.js';
import { validatorsOf } from '../validators.js';

/**
 * What a dashboard shows of a poll: one value of `poll()`'s stream. Times are the scheduler's (`now()`), in ms.
 *
 * @example
 * ```ts
 * const line = (s: PollState<Stats>) => (s.stale ? `retrying in ${Math.ceil((s.nextTryAt! - Date.now()) / 1000)} s` : `updated ${Math.round((Date.now() - s.lastChecked!) / 1000)} s ago`);
 * ```
 */
export interface PollState<T> {
  /** The last good value; the same object until the server's data changes. `undefined` before the first 200. */
  readonly value: T | undefined;
  /** When the last 200 came (with a `schema`, when its value passed it). */
  readonly lastFetched: number | undefined;
  /** When the value was last confirmed: a 200 or a 304. */
  readonly lastChecked: number | undefined;
  /** Whether the last poll failed, so that `value` (if any) may be out of date. */
  readonly stale: boolean;
  /** Why the last poll failed (after the retry policy gave up); `undefined` once one succeeds. */
  readonly error: unknown;
  /** When the next poll starts; `undefined` while one is in flight or the page is hidden. */
  readonly nextTryAt: number | undefined;
}

/**
 * Options of {@link poll}. Those of a read (`headers`, `timeout`, `retry`...) apply to every poll.
 * `T` is the value; `Parsed`, what `parse` makes of the body (the schema's input, with a `schema`).
 *
 * @example
 * ```ts
 * const options: PollOptions<Stats> = { interval: 5_000, jitter: 500, trigger: fromEvent(button, 'click') };
 * ```
 */
export interface PollOptions<T, Parsed = T> extends ReadOptions {
  /**
   * The wait between the end of one poll and the start of the next, in ms.
   * @default 30000
   */
  interval?: number;
  /**
   * Up to this many ms added at random to each wait, so that many clients do not poll in step.
   * @default 0
   */
  jitter?: number;
  /**
   * The random source of `jitter`, from 0 to 1: for tests.
   * @default Math.random
   */
  random?: () => number;
  /** Polls at once when it emits ("Refresh now"); ignored while a poll is in flight. Its error ends the poll. */
  trigger?: Observable<unknown>;
  /** Query parameters of every poll. */
  params?: QueryParams;
  /**
   * Polls of one client with the same key share one poller (the first one's options).
   * @default the endpoint, its params and the `accept` header
   */
  key?: string;
  /**
   * Sends `If-None-Match` / `If-Modified-Since` from the last 200, so that an unchanged resource costs a 304.
   * @default true
   */
  conditional?: boolean;
  /**
   * Turns the body's text into the value.
   * @default JSON.parse (an empty body is `undefined`)
   */
  parse?: (text: string) => Parsed;
  /**
   * The `accept` header.
   * @default 'application/json'
   */
  accept?: string;
  /**
   * Whether a new 200's value is the same as the last (then `value` keeps its identity), asked when the body's text differs.
   * @default none: only the same text is the same value
   */
  equal?: (previous: T, next: T) => boolean;
  /** Which server hints set the pace (`Retry-After`, `X-Poll-Interval`, `max-age`); `false` turns them all off. */
  pace?: PollPace | false;
  /** The poll's own wait after failed polls (the retry policy has given up on each). */
  backoff?: PollBackoff;
  /**
   * In a browser, stop polling while `document.visibilityState` is `hidden` and poll at once when shown.
   * @default true
   */
  visibility?: boolean;
  /**
   * The scheduler of every wait: pass the client's in tests (a `TestScheduler`).
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/**
 * The options of a poll whose values a Standard Schema checks (`withValidation()` runs it): its output is the value.
 *
 * @example
 * ```ts
 * const options: PollSchemaOptions<typeof Stats> = { schema: Stats, interval: 5_000 };
 * ```
 */
export type PollSchemaOptions<S extends StandardSchemaV1> = PollOptions<StandardSchemaV1.InferOutput<S>, unknown> & {
  /** Each new value, once parsed, must pass it (a value it refuses is a failed poll); what it outputs is `value`. Needs `withValidation()`. */
  schema: S;
};

/** One answer as the poll's reader gives it, with `withValidation()`'s check when the poll has a schema. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly check: ItemCheck | undefined;
}

const readAnswer = async (response: Response, context: AttemptContext): Promise<Answer> => {
  checkStatus(response, context);
  const text = response.status === 304 ? '' : await readBodyText(response, context.maxBodySize ?? DEFAULTS.maxBodySize, context);
  return { status: response.status, headers: response.headers, text, check: context.item };
};

const parseJson = (text: string) => (text.trim() === '' ? undefined : JSON.parse(text));

const pollers = new WeakMap<AsyncAPIClient, Map<string, Observable<PollState<unknown>>>>();

/**
 * Polls an endpoint and emits its state each time a field changes (see {@link PollState}):
 * at once, then after each poll and each change of plan. Polls never overlap; each is
 * conditional, so an unchanged resource costs a 304 and keeps `value`'s identity; a failure
 * keeps the last value and waits with a growing backoff; a final 401, 403 or 404 ends the
 * stream with its `HttpError`. Two subscribers of one key share one poller, and the last
 * one to leave cancels the poll in flight and every timer.
 *
 * Node's fetch (and a browser's) adds `cache-control: no-cache` to a request with
 * `If-None-Match`: the validator still reaches the server, which may answer 304 as usual.
 *
 * With a `schema` (any Standard Schema v1 validator; the client needs `withValidation()`,
 * or the poll ends with a `ConfigurationError` before anything is sent), each new value,
 * once parsed, is checked (async schemas too) and `value` is the schema's output, typed
 * from it. A value it refuses is a failed poll: the last good value stays, `stale` and
 * `error` (the `ValidationError`) are set, and the next poll waits the failure backoff.
 *
 * @param client the client whose retry policy, auth and features each poll goes through
 * @param endpoint a path under the client's base URL
 * @returns the poll's states; it errors only when the poll ends
 * @throws ConfigurationError for a bad option, before anything is sent
 * @example
 * ```ts
 * poll<Stats>(client, '/stats', { interval: 5_000, trigger: fromEvent(refresh, 'click') })
 *   .subscribe((s) => render(s.value, s.stale, s.nextTryAt));
 * poll(client, '/stats', { schema: Stats }); // Observable<PollState<z.output<typeof Stats>>>, with withValidation()
 * ```
 */
export function poll<S extends StandardSchemaV1>(client: AsyncAPIClient, endpoint: string, options: PollSchemaOptions<S>): Observable<PollState<StandardSchemaV1.InferOutput<S>>>;
export function poll<T = unknown>(client: AsyncAPIClient, endpoint: string, options?: PollOptions<T>): Observable<PollState<T>>;
export function poll<T = unknown>(client: AsyncAPIClient, endpoint: string, options: PollOptions<T> = {}): Observable<PollState<T>> {
  const { interval, jitter, random, trigger, params, key, conditional, parse, accept = 'application/json', equal, pace, backoff, visibility, scheduler = asyncScheduler, ...read } = options;
  const resolved = resolvePace({ interval, jitter, random, pace, backoff });
  for (const [name, value] of Object.entries({ parse, equal, random })) {
    if (value !== undefined && typeof value !== 'function') throw new ConfigurationError(`poll option ${name} must be a function`);
  }
  if (trigger !== undefined && typeof trigger?.subscribe !== 'function') throw new ConfigurationError('poll option trigger must be an Observable, such as fromEvent(button, "click")');
  const id = key ?? `${endpoint} ${JSON.stringify(params ?? null)} ${accept}`;
  let byKey = pollers.get(client);
  if (!byKey) pollers.set(client, (byKey = new Map()));
  const found = byKey.get(id) as Observable<PollState<T>> | undefined;
  if (found) return found;
  // `checks`: a `schema` (in `read`) is withValidation()'s to check on each new value, not on the answer.
  const reader: Reader<Answer> = { read: readAnswer, accept, checks: true };
  const toValue = (parse ?? parseJson) as (text: string) => T;
  // The request's own headers in any of their forms (a record, Headers, pairs), checked by the client as for any request.
  const ownHeaders: [string, string][] = read.headers === undefined ? [] : Symbol.iterator in read.headers ? [...(read.headers as Iterable<[string, string]>)] : Object.entries(read.headers);
  const hidden = visibility !== false && typeof document !== 'undefined' ? () => document.visibilityState === 'hidden' : undefined;

  const poller = new Observable<PollState<T>>((subscriber) => {
    let state: PollState<T> = { value: undefined, lastFetched: undefined, lastChecked: undefined, stale: false, error: undefined, nextTryAt: undefined };
    let validators: Record<string, string> = {};
    let lastText: string | undefined;
    let failures = 0;
    let inFlight = false;
    const running = new Subscription();
    let wait: Subscription | undefined;
    let request: Subscription | undefined;

    const set = (changes: Partial<PollState<T>>) => {
      const next = Object.assign({}, state, changes);
      if ((Object.keys(next) as (keyof PollState<T>)[]).some((field) => !Object.is(next[field], state[field]))) subscriber.next((state = next));
    };
    // The next poll after `delayMs`; none while the page is hidden (it polls when shown).
    const plan = (delayMs: number, changes: Partial<PollState<T>>) => {
      wait?.unsubscribe();
      if (hidden?.()) return set(Object.assign({}, changes, { nextTryAt: undefined }));
      set(Object.assign({}, changes, { nextTryAt: scheduler.now() + delayMs }));
      running.add((wait = scheduler.schedule(pollNow, delayMs)));
    };
    // `fresh`: the new body's value, parsed and checked; unused for a 304 or the same text.
    const answered = ({ status, headers, text }: Answer, fresh: T) => {
      inFlight = false;
      failures = 0;
      const now = scheduler.now();
      if (status === 304) return plan(nextDelay(resolved, headers), { lastChecked: now, stale: false, error: undefined });
      let { value } = state;
      // The same text is the same value; `equal` may say that other text is too (a timestamp that moved).
      if (text !== lastText && (lastText === undefined || !equal?.(value as T, fresh))) value = fresh;
      lastText = text;
      if (conditional !== false) {
        validators = validatorsOf(headers);
      }
      plan(nextDelay(resolved, headers), { value, lastFetched: now, lastChecked: now, stale: false, error: undefined });
    };
    const failed = (error: unknown) => {
      inFlight = false;
      if (endsPoll(error)) return subscriber.error(error);
      failures += 1;
      plan(failureDelay(resolved, failures, error, scheduler.now()), { stale: true, error });
    };
    function pollNow(): void {
      if (inFlight || subscriber.closed) return;
      wait?.unsubscribe();
      inFlight = true;
      set({ nextTryAt: undefined });
      request?.unsubscribe();
      running.add(
        (request = client.read(endpoint, reader, Object.assign({}, read, { params, headers: [...ownHeaders, ...Object.entries(validators)] })).subscribe({
          next: (answer) => {
            const { status, text, check } = answer;
            // A new body's value, parsed, then checked by the schema (maybe async, cancelled with the poll). A body
            // that `parse` or the schema refuses is a failed poll, the last good value kept.
            running.add(
              defer(() => (status === 304 || text === lastText ? [state.value] : check ? check(toValue(text), {}) : [toValue(text)]))
                .pipe(map((fresh) => answered(answer, fresh as T)))
                .subscribe({ error: failed }),
            );
          },
          error: failed,
        })),
      );
    }

    subscriber.next(state);
    // A trigger that fails ends the poll with its error rather than leaving it unreported.
    if (trigger) running.add(trigger.subscribe({ next: () => pollNow(), error: (error: unknown) => subscriber.error(error) }));
    if (hidden) {
      running.add(
        fromEvent(document, 'visibilitychange').subscribe(() => {
          if (!hidden()) return pollNow();
          wait?.unsubscribe();
          set({ nextTryAt: undefined });
        }),
      );
    }
    if (!hidden?.()) pollNow();
    return running;
  }).pipe(
    // The last subscriber out (or the end): the poller is forgotten, so the next subscriber starts a fresh one.
    finalize(() => byKey.get(id) === poller && byKey.delete(id)),
    share({ connector: () => new ReplaySubject(1) }),
  );
  byKey.set(id, poller as Observable<PollState<unknown>>);
  return poller;
}

/**
 * The plain stream of a poll's values: each new value once (a 304 or an
 * unchanged body emits nothing), the same sharing, backoff and end as {@link poll}.
 *
 * @example
 * ```ts
 * pollValues<Stats>(client, '/stats', { interval: 5_000 }).subscribe((stats) => render(stats));
 * pollValues(client, '/stats', { schema: Stats }); // Observable<z.output<typeof Stats>>, with withValidation()
 * ```
 */
export function pollValues<S extends StandardSchemaV1>(client: AsyncAPIClient, endpoint: string, options: PollSchemaOptions<S>): Observable<StandardSchemaV1.InferOutput<S>>;
export function pollValues<T = unknown>(client: AsyncAPIClient, endpoint: string, options?: PollOptions<T>): Observable<T>;
export function pollValues<T = unknown>(client: AsyncAPIClient, endpoint: string, options?: PollOptions<T>): Observable<T> {
  return poll<T>(client, endpoint, options).pipe(
    filter((state) => state.lastFetched !== undefined),
    map((state) => state.value as T),
    distinctUntilChanged(),
  );
}
