import { concatMap, defer, EMPTY, Observable } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import { DEFAULTS, MAX_TIMER_MS } from '../core/constants.js';
import { sendHeld } from '../core/held-attempt.js';
import { resolveTimeout, type QueryParams, type ReadOptions } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import type { StreamReading } from '../core/response.js';
import { decideRetry, NO_RETRY, type RetryDecision } from '../retry/decide.js';
import type { RetryPolicy } from '../retry/policy.js';

/**
 * How `chunks()`, `lines()` and `ndjson()` are retried: by the policy until
 * the first value, never after it (the values would repeat).
 *
 * @example
 * ```ts
 * PLAIN_STREAM.resetOnSuccess; // false
 * ```
 */
export const PLAIN_STREAM: StreamReading = Object.freeze({
  resetOnSuccess: false,
  send: sendHeld,
  // What decideStreamRetry says of a stream that does not resume, without the rest of it.
  decide: (policy: RetryPolicy, error: unknown, attempt: number, now: number, emitted: boolean) => (emitted ? NO_RETRY : decideRetry(policy, error, attempt, now)),
});

/**
 * Decides a stream's retry: a stream that emitted and cannot resume is not
 * retried (its values would repeat); otherwise the policy decides. A wait
 * that a failed response asks for (`Retry-After` and the like) wins; else
 * the wait the stream asked for (`serverDelayMs`, the event stream's
 * `retry:`) replaces the backoff. Either is bounded by `maxRetryAfter`: a
 * server that asks for longer gets no retry.
 *
 * @param state whether the stream emitted and can resume, the wait it asked for, and the time now (the scheduler's `now()`, for `Retry-After` dates)
 * @example
 * ```ts
 * decideStreamRetry(policy, networkError, 1, { emitted: true, resumable: false });                       // { retry: false }
 * decideStreamRetry(policy, networkError, 1, { emitted: true, resumable: true, serverDelayMs: 500 });  // { retry: true, delayMs: 500, fromServer: true }
 * ```
 */
export function decideStreamRetry(
  policy: Partial<RetryPolicy>,
  error: unknown,
  attempt: number,
  state: { readonly emitted: boolean; readonly resumable: boolean; readonly serverDelayMs?: number | undefined; readonly now?: number },
): RetryDecision {
  if (state.emitted && !state.resumable) return NO_RETRY;
  const decision = decideRetry(policy, error, attempt, state.now);
  // A status's own Retry-After is the server's word on its load now; the stream's retry: is older and more general.
  if (!decision.retry || decision.fromServer || state.serverDelayMs === undefined) return decision;
  const { maxRetryAfter } = { ...DEFAULTS.retry, ...policy };
  if (state.serverDelayMs > maxRetryAfter) return NO_RETRY;
  return { retry: true, delayMs: Math.min(state.serverDelayMs, MAX_TIMER_MS), fromServer: true };
}

/**
 * Options of the stream functions (`chunks`, `lines`, `ndjson`, `sse`): those
 * of a GET, and how long the stream may go quiet.
 *
 * @example
 * ```ts
 * const options: StreamOptions = { idleTimeout: 60_000, deadline: false };
 * sse(client, '/prices', undefined, options);
 * ```
 */
export interface StreamOptions extends ReadOptions {
  /**
   * The longest quiet spell, in ms: from the response to the first value
   * (chunk, line or event), and between values. Passing it ends the attempt
   * with a `TimeoutError` whose `scope` is `'idle'`, which the stream's retry
   * rules take as any timeout (a plain stream retries only before its first
   * value; `sse` reconnects, and a run of quiet connections ends it).
   * `false` for none.
   * @default false
   */
  idleTimeout?: number | false;
}

/**
 * Turns a body's chunks into the stream's items, one chunk at a time: the
 * one step that both forms of a stream (the Observable and the pull form)
 * read through, so an item is made, and may be checked, in one place. It
 * returns the items a chunk completes; a failure (a line past `maxBodySize`,
 * a line that is not JSON) is set in `failed` once the items before it are
 * returned, and the stream ends with it.
 *
 * @example
 * ```ts
 * const decoder = new LineDecoder();
 * decoder.push(new TextEncoder().encode('a\nb')); // ['a']
 * decoder.end();                                    // ['b']
 * ```
 */
export interface ChunkDecoder<T> {
  /** The items that `chunk` completes. */
  push(chunk: Uint8Array): T[];
  /** The items left once the body ended. */
  end(): T[];
  /** What ends the stream, after the items returned with it; `undefined` while nothing does. */
  readonly failed: { readonly error: unknown } | undefined;
  /** Set for a {@link CheckedDecoder}. */
  readonly settle?: undefined;
}

/**
 * The decoder of a stream whose items `withValidation()` checks (the
 * attempt's `context.item`): each item it returns is that item's check, to
 * subscribe in turn (see `settle`). A kind chooses it once per
 * response, so a stream without a schema pays nothing per item for it.
 *
 * @example
 * ```ts
 * const decoder = openNdjson(response, { target, attempt: 1, item: check });
 * if (decoder.settle) decoder.push(chunk); // [Observable<unknown>, ...], one check per line
 * ```
 */
export interface CheckedDecoder<T> extends Omit<ChunkDecoder<Observable<T>>, 'settle'> {
  /** Turns a batch of checks into the items that pass: `settle` (src/streams/settle.ts), imported only by the kinds that check. */
  readonly settle: (checks: Observable<T>[]) => Observable<T[]>;
}

/**
 * A kind of stream (chunks, lines, NDJSON, an event stream): how its
 * responses are checked and decoded, and how it is retried; made afresh for
 * each subscription or iteration (an event stream's session is its own).
 *
 * @example
 * ```ts
 * const LINES: StreamKind<string> = { stream: PLAIN_STREAM, open: (response, context) => (checkStatus(response, context), new LineDecoder(bodySizeLimit(response, context))) };
 * ```
 */
export interface StreamKind<T> {
  /** The `accept` header it sends. */
  readonly accept?: string;
  /** How its attempts are sent and retried. */
  readonly stream: StreamReading;
  /** Checks the response (this may throw) and makes its body's decoder; `undefined` when the stream ends here (a 204). */
  open(response: Response, context: AttemptContext): ChunkDecoder<T> | CheckedDecoder<T> | undefined;
}

/**
 * The batches of one response: each chunk's items, read as fast as they come.
 * A decoder's failure cancels the body (which closes a fetch's connection)
 * and errors, after the items before it; unsubscribing cancels the body too.
 * (rxjs's own `from(readableStream)` only releases its lock, which leaves a
 * stalled body open, and waits for the next chunk before it notices the
 * unsubscribe.)
 *
 * @example
 * ```ts
 * client.read('/logs', { read: (response, context) => readBatches(response, context, LINES), stream: PLAIN_STREAM }); // Observable<string[]>
 * ```
 */
export function readBatches<T>(response: Response, context: AttemptContext, kind: StreamKind<T>): Observable<T[]> {
  return defer(() => {
    const decoder = kind.open(response, context);
    const body = response.body;
    if (decoder === undefined || body === null) return EMPTY;
    // A refused item unsubscribes the batches, which cancels the body.
    return decoder.settle ? pump(body, decoder).pipe(concatMap(decoder.settle)) : pump(body, decoder);
  });
}

/** Reads a body to its end, each chunk's items as one batch, as fast as they come. */
function pump<T>(body: ReadableStream<Uint8Array>, decoder: Omit<ChunkDecoder<T>, 'settle'>): Observable<T[]> {
  return new Observable<T[]>((subscriber) => {
    const reader = body.getReader();
    let ended = false;
    const pump = (): void => {
      reader.read().then(({ done, value }) => {
        if (subscriber.closed) return;
        const batch = done ? decoder.end() : decoder.push(value);
        if (batch.length > 0) subscriber.next(batch);
        if (decoder.failed !== undefined) {
          reader.cancel().catch(() => undefined);
        } else if (!done) {
          return subscriber.closed || pump();
        }
        ended = true;
        return decoder.failed === undefined ? subscriber.complete() : subscriber.error(decoder.failed.error);
      }, (error: unknown) => {
        ended = true;
        subscriber.error(error);
      });
    };
    pump();
    return () => {
      if (!ended) reader.cancel().catch(() => undefined);
    };
  });
}

/**
 * What the stream functions share: the call, with the stream's `idleTimeout`
 * (checked on subscription: a bad one is a `ConfigurationError`) given to its
 * reading, and the other options to the client. Items travel through the
 * client's pipeline a chunk's batch at a time, and are taken apart at the
 * end: each operator of the pipeline runs once per chunk, not per item.
 *
 * @param kind makes the kind of stream, on each subscription (an event stream's has a session of its own)
 * @example
 * ```ts
 * readStream(client, '/export.csv', undefined, { idleTimeout: 30_000 }, () => CHUNKS);
 * ```
 */
export function readStream<T>(client: AsyncAPIClient, endpoint: string, params: QueryParams | undefined, options: StreamOptions | undefined, kind: () => StreamKind<T>): Observable<T> {
  return defer(() => {
    const { idleTimeout, ...rest } = { ...options };
    const made = kind();
    const idle = resolveTimeout(idleTimeout, Infinity, 'idleTimeout');
    const stream = idle === Infinity ? made.stream : Object.assign({}, made.stream, { idleTimeout: idle });
    // Object.assign, not a spread with an added key: microseconds per request in Node 20 (core/constants.ts).
    return client.read(endpoint, { read: (response, context) => readBatches(response, context, made), accept: made.accept, stream }, Object.assign({}, rest, { params }));
  }).pipe(flatten);
}

/**
 * The items of each batch, in order, as `concatAll()` gives them, without its
 * subscription per batch and the three subscribers it passes each item
 * through: some 30 ns an item, a tenth of what a line costs in all.
 */
function flatten<T>(batches: Observable<T[]>): Observable<T> {
  return new Observable<T>((subscriber) =>
    batches.subscribe({
      next: (batch) => {
        // A consumer that unsubscribed (take(n)) gets no more of the batch.
        for (const item of batch) if (!subscriber.closed) subscriber.next(item);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
}
