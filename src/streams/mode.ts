import { defer, type Observable } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import { DEFAULTS, MAX_TIMER_MS } from '../core/constants.js';
import { sendHeld } from '../core/held-attempt.js';
import { resolveTimeout, type QueryParams, type ReadOptions } from '../core/options.js';
import type { Reader, StreamReading } from '../core/response.js';
import { decideRetry, type RetryDecision } from '../retry/decide.js';
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

const NO_RETRY: RetryDecision = { retry: false };

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
  if (state.emitted && !state.resumable) return { retry: false };
  const decision = decideRetry(policy, error, attempt, state.now);
  // A status's own Retry-After is the server's word on its load now; the stream's retry: is older and more general.
  if (!decision.retry || decision.fromServer || state.serverDelayMs === undefined) return decision;
  const { maxRetryAfter } = { ...DEFAULTS.retry, ...policy };
  if (state.serverDelayMs > maxRetryAfter) return { retry: false };
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
 * What the stream functions share: the call, with the stream's `idleTimeout`
 * (checked on subscription: a bad one is a `ConfigurationError`) given to its
 * reading, and the other options to the client.
 *
 * @param reader makes the reader, on each subscription (an event stream's has a session of its own)
 * @example
 * ```ts
 * readStream(client, '/export.csv', undefined, { idleTimeout: 30_000 }, () => CHUNKS);
 * ```
 */
export function readStream<T>(client: AsyncAPIClient, endpoint: string, params: QueryParams | undefined, options: StreamOptions | undefined, reader: () => Reader<T>): Observable<T> {
  return defer(() => {
    const { idleTimeout, ...rest } = { ...options };
    const made = reader();
    const idle = resolveTimeout(idleTimeout, Infinity, 'idleTimeout');
    const stream = idle === Infinity ? made : { ...made, stream: { ...made.stream!, idleTimeout: idle } };
    return client.read(endpoint, stream, { ...rest, params });
  });
}
