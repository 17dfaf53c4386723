import { concatMap, defer, EMPTY, type Observable, type OperatorFunction } from 'rxjs';
import { ParseError } from '../errors.js';
import type { Interceptor } from '../interceptors.js';
import { checkStatus, type AttemptContext } from '../response.js';
import { readChunks } from './chunks.js';
import { bodySizeLimit, decodeLines, utf8Length, type SizeLimit } from './lines.js';
import type { StreamMode } from './mode.js';

/**
 * One event of a Server-Sent Events stream, as `client.sse()` emits it.
 *
 * @example
 * ```ts
 * client.sse('/prices').subscribe(({ event, data, id }) => console.log(event, id, JSON.parse(data)));
 * ```
 */
export interface ServerSentEvent {
  /** The last event ID: set by this event's `id:` field or an earlier one; `''` when none was. */
  readonly id: string;
  /** The event type: the `event:` field, `message` when there is none. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** The reconnection time the server asked for with `retry:`, in ms; `undefined` until it does. */
  readonly retry: number | undefined;
}

/**
 * What outlives one connection of an event stream: what a reconnection needs.
 *
 * @example
 * ```ts
 * const session: SseSession = { lastEventId: '', retry: undefined };
 * readLines(response, context).pipe(parseSse(session)).subscribe({ complete: () => console.log(session.lastEventId, session.retry) });
 * ```
 */
export interface SseSession {
  /** Sent back as `Last-Event-ID` when reconnecting, unless empty. */
  lastEventId: string;
  /** The wait before reconnecting that the server asked for, in ms. */
  retry: number | undefined;
}

/**
 * Reads the lines of one connection as the HTML spec's event stream
 * interpretation says: `data` lines accumulate (joined with `\n`), an empty
 * line dispatches the event (none when there was no data), `event` names its
 * type, `id` sets the last event ID (unless it holds NUL), `retry` with digits
 * only sets the reconnection time, lines starting with `:` are comments and
 * other fields are ignored. The ID and reconnection time live in the session,
 * so they carry over to the next connection (the ID buffer starts from the
 * session's ID, as Chromium does); a half-received event is dropped with its
 * connection. With a `limit`, the data of an event in progress (its `data`
 * lines, each with its `\n`) may not pass `limit.maxBytes`: the line that
 * passes it throws `limit.tooLarge(bytes)`.
 *
 * @example
 * ```ts
 * const parser = new SseParser({ lastEventId: '', retry: undefined });
 * parser.line('id: 7');
 * parser.line('data: hello');
 * parser.line(''); // { id: '7', event: 'message', data: 'hello', retry: undefined }
 * ```
 */
export class SseParser {
  readonly #session: SseSession;
  readonly #limit: SizeLimit | undefined;
  #data = '';
  /** The UTF-8 bytes of `#data`, counted only when there is a limit. */
  #dataBytes = 0;
  #type = '';
  #id: string;

  /** @param limit the largest event (its data), and its error; none when absent */
  constructor(session: SseSession, limit?: SizeLimit) {
    this.#session = session;
    this.#limit = limit;
    this.#id = session.lastEventId;
  }

  /** Takes one line (without its end) and returns the event it dispatches, if any. */
  line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#addData(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.#session.retry = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  #addData(value: string): void {
    const limit = this.#limit;
    // Many short data lines make one event: without a limit, an event that never ends would grow for ever.
    if (limit !== undefined && limit.maxBytes !== Infinity) {
      this.#dataBytes += utf8Length(value) + 1;
      if (this.#dataBytes > limit.maxBytes) throw limit.tooLarge(this.#dataBytes);
    }
    this.#data += `${value}\n`;
  }

  #dispatch(): ServerSentEvent | undefined {
    this.#session.lastEventId = this.#id;
    const data = this.#data;
    const type = this.#type;
    this.#data = '';
    this.#dataBytes = 0;
    this.#type = '';
    if (data === '') return undefined;
    return { id: this.#id, event: type === '' ? 'message' : type, data: data.slice(0, -1), retry: this.#session.retry };
  }
}

/**
 * Turns the lines of one connection into events (see {@link SseParser}).
 *
 * @param limit the largest event, and its error; none when absent
 * @example
 * ```ts
 * readLines(response, context).pipe(parseSse(session));
 * ```
 */
export function parseSse(session: SseSession, limit?: SizeLimit): OperatorFunction<string, ServerSentEvent> {
  return (lines) =>
    defer(() => {
      const parser = new SseParser(session, limit);
      return lines.pipe(
        concatMap((line) => {
          const event = parser.line(line);
          return event === undefined ? [] : [event];
        }),
      );
    });
}

/**
 * The reader of one `client.sse()` connection. A 204 ends the stream (the
 * server says: no more); a response that is not `text/event-stream` errors
 * with {@link ParseError}, not retried; a line or an event's data longer than
 * `context.maxBodySize` errors with `BodyTooLargeError`, not retried.
 *
 * @example
 * ```ts
 * send(prepared, readSse(session), 1, 30_000, asyncScheduler, { stream: true });
 * ```
 */
export function readSse(session: SseSession): (response: Response, context: AttemptContext) => Observable<ServerSentEvent> {
  return (response, context) => {
    checkStatus(response, context);
    if (response.status === 204) return EMPTY;
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'text/event-stream') {
      response.body?.cancel().catch(() => undefined);
      throw new ParseError(undefined, '', response.status, context.target, context.attempt, { contentType });
    }
    const limit = bodySizeLimit(response, context);
    return readChunks(response, context).pipe(decodeLines(limit), parseSse(session, limit));
  };
}

/**
 * Sends the session's last event ID as `Last-Event-ID` (UTF-8, as the spec
 * says), when it has one: on every attempt, so a reconnection resumes.
 *
 * @example
 * ```ts
 * client.sse('/feed'); // uses it on every attempt
 * ```
 */
export function lastEventIdInterceptor(session: SseSession): Interceptor {
  return (request, next) => {
    if (session.lastEventId === '') return next(request);
    const headers = new Headers(request.headers);
    // Header values are byte strings: one character per UTF-8 byte.
    headers.set('last-event-id', String.fromCharCode(...new TextEncoder().encode(session.lastEventId)));
    return next(new Request(request, { headers }));
  };
}

/**
 * How `client.sse()` runs: it resumes after a drop (with `Last-Event-ID`),
 * waiting the server's `retry` when it gave one.
 *
 * @example
 * ```ts
 * const session: SseSession = { lastEventId: '', retry: undefined };
 * sseMode(session).resumable; // true
 * ```
 */
export function sseMode(session: SseSession): StreamMode {
  return { interceptors: [lastEventIdInterceptor(session)], resumable: true, serverDelay: () => session.retry };
}
