import { defer, map, type Observable } from 'rxjs';
import { ParseError } from '../core/body-errors.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { QueryParams } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import { checkStatus, type StreamReading } from '../core/response.js';
import type { StandardSchemaV1, Validated } from '../core/standard-schema.js';
import type { SchemaOptions } from '../features/validation/index.js';
import { bodySizeLimit, decodingLines, LineDecoder } from './lines.js';
import { SseParser, type ServerSentEvent, type SseSession } from './sse-parser.js';
import { sendHeld } from '../core/held-attempt.js';
import { decideStreamRetry, readStream, type CheckedDecoder, type ChunkDecoder, type StreamKind, type StreamOptions } from './mode.js';
import { settle } from './settle.js';
import { pullStream, type PullOptions, type PullStream } from './pull.js';

/**
 * The decoder of one event-stream connection, once its response is checked.
 * A 204 ends the stream (the server says: no more); a response that is not
 * `text/event-stream` throws {@link ParseError}, not retried; a line or an
 * event's data longer than `context.maxBodySize` fails with
 * `BodyTooLargeError`, not retried. Every event of `sse()` and `pullSse()`
 * is made here, by the {@link SseParser}.
 *
 * @example
 * ```ts
 * client.read('/feed', { read: (response, context) => readBatches(response, context, { stream: sseStream(session), open: openSse(session) }) });
 * ```
 */
export function openSse(session: SseSession): (response: Response, context: AttemptContext) => ChunkDecoder<ServerSentEvent> | CheckedDecoder<ServerSentEvent> | undefined {
  // The events of every connection, counted for withValidation()'s errors.
  let count = 0;
  return (response, context) => {
    checkStatus(response, context);
    if (response.status === 204) return undefined;
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'text/event-stream') {
      response.body?.cancel().catch(() => undefined);
      throw new ParseError(undefined, '', response.status, context.target, context.attempt, { contentType });
    }
    const limit = bodySizeLimit(response, context);
    const lines = new LineDecoder(limit);
    const parser = new SseParser(session, limit);
    let failed: { readonly error: unknown } | undefined;
    const parse = (batch: string[]): ServerSentEvent[] => {
      const events: ServerSentEvent[] = [];
      try {
        for (const line of batch) {
          const event = parser.line(line);
          if (event !== undefined) events.push(event);
        }
      } catch (error) {
        failed = { error };
      }
      return events;
    };
    const { item } = context;
    // With a schema (withValidation()'s check), each event's check: its data as JSON, checked, told the event's
    // number. Chosen once per response: an event stream without a schema pays nothing per event for it.
    const checked = (event: ServerSentEvent): Observable<ServerSentEvent> => {
      const number = (count += 1);
      return defer(() => {
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch (cause) {
          throw new ParseError(cause, event.data, response.status, context.target, context.attempt);
        }
        return item!(data, { event: number }).pipe(map((checked) => ({ ...event, data: checked }) as unknown as ServerSentEvent));
      });
    };
    return decodingLines<ServerSentEvent>(lines, item ? (batch: string[]) => parse(batch).map(checked) : parse, () => failed, item && settle);
  };
}

// The shortest wait before a reconnection that a server's `retry:` can ask for, in ms (Firefox's floor too): a
// server cannot make the client reconnect in a tight loop.
const MIN_RECONNECT_MS = 500;
// How long a connection must stay open for its events to start the count of failures in a row again, in ms: a
// server that drops the connection right after each event cannot make the client reconnect for ever.
const STEADY_MS = 5_000;

/**
 * How an event stream is retried and resumed: the policy's `maxAttempts`
 * bounds the failures in a row, whose count starts again after events on a
 * connection that stayed open 5 s; the server's `retry:`, but never less
 * than 500 ms, replaces the backoff; and every
 * attempt sends the last event ID as `Last-Event-ID` (UTF-8, as the spec
 * says), when there is one. So a server that asks for `retry: 0` and drops
 * the connection after every event cannot make the client reconnect in a
 * tight loop, nor for ever.
 *
 * @example
 * ```ts
 * readStream(client, '/feed', undefined, undefined, () => ({ open: openSse(session), accept: 'text/event-stream', stream: sseStream(session) }));
 * ```
 */
export function sseStream(session: SseSession): StreamReading {
  let failures = 0;
  // When the connection now open (or about to open) began: its reconnection's wait has passed by then.
  let openedAt = -Infinity;
  return {
    resetOnSuccess: true,
    send: sendHeld,
    decide: (policy, error, attempt, now, emitted) => {
      // The retry counts failures since the last event (1: events came since the last failure). Those events start
      // the count again only when their connection stayed open: one event per connection would reset it for ever.
      failures = attempt === 1 && now - openedAt >= STEADY_MS ? 1 : failures + 1;
      const serverDelayMs = session.retry === undefined ? undefined : Math.max(session.retry, MIN_RECONNECT_MS);
      const decision = decideStreamRetry(policy, error, failures, { emitted, resumable: true, serverDelayMs, now });
      if (decision.retry) openedAt = now + decision.delayMs;
      return decision;
    },
    // Header values are byte strings: one character per UTF-8 byte.
    headers: () => (session.lastEventId === '' ? undefined : { 'last-event-id': String.fromCharCode(...new TextEncoder().encode(session.lastEventId)) }),
  };
}

/**
 * GETs a Server-Sent Events stream and emits its events `{ id, event, data,
 * retry }`, parsed as the HTML spec says. When the connection drops it
 * reconnects with `Last-Event-ID`, after the server's `retry` time when it
 * sent one (500 ms at least), the policy's backoff otherwise; the policy's
 * `maxAttempts` bounds the failures in a row (events on a connection that
 * stayed open 5 s start the count again). It completes when the server ends
 * the stream (or answers 204). Sends `accept: text/event-stream`. A connection
 * quiet for longer than `idleTimeout` is dropped and reconnected as any other.
 *
 * With a `schema` (and the client's `withValidation()`) each event's data
 * is parsed as JSON (`ParseError` when it is not) and checked, and `data` is
 * the schema's output: the first invalid event ends the stream with
 * `ValidationError` naming its number, unless `onInvalid` skips it.
 *
 * @example
 * ```ts
 * sse(client, '/prices').pipe(filter((e) => e.event === 'price')).subscribe((e) => show(JSON.parse(e.data)));
 * sse(client, '/prices', undefined, { schema: Price }).subscribe((e) => show(e.data)); // data: z.output<typeof Price>
 * ```
 */
export function sse<S extends StandardSchemaV1 | undefined = undefined>(
  client: AsyncAPIClient,
  endpoint: string,
  params?: QueryParams,
  options?: StreamOptions & SchemaOptions<S>,
): Observable<ServerSentEvent<Validated<S, string>>> {
  return readStream(client, endpoint, params, options, sseKind<ServerSentEvent<Validated<S, string>>>);
}

/**
 * The pull form of {@link sse}: the events, read from the socket only as the
 * loop asks for them, reconnecting and resuming as `sse()` does (see
 * `PullStream` for the contract); a `schema` checks each event's data as
 * `sse()` does, numbering the events over every connection.
 *
 * @example
 * ```ts
 * for await (const { event, data } of pullSse(client, '/orders')) if (event === 'order') await ship(JSON.parse(data));
 * for await (const { data } of pullSse(client, '/prices', undefined, { schema: Price })) show(data); // data: z.output<typeof Price>
 * ```
 */
export function pullSse<S extends StandardSchemaV1 | undefined = undefined>(
  client: AsyncAPIClient,
  endpoint: string,
  params?: QueryParams,
  options?: PullOptions & SchemaOptions<S>,
): PullStream<ServerSentEvent<Validated<S, string>>> {
  return pullStream(client, endpoint, params, options, sseKind<ServerSentEvent<Validated<S, string>>>);
}

/** An event stream, with a session of its own: the last event ID, reconnection time and event count carry over its reconnections. */
function sseKind<T>(): StreamKind<T> {
  const session: SseSession = { lastEventId: '', retry: undefined };
  // T: the events, their data typed by the schema's output (or text) as the function's signature says.
  return { open: openSse(session), accept: 'text/event-stream', stream: sseStream(session) } as unknown as StreamKind<T>;
}
