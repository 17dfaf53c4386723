/*
 * The Server-Sent Events wire format: an event, the state a stream keeps across its connections, and the
 * parser that turns the body's lines into events (the HTML standard's "event stream interpretation").
 * ./sse.ts reads a response through it.
 */
import { utf8Length, type SizeLimit } from './lines.js';

/**
 * One event of a Server-Sent Events stream, as `client.sse()` emits it.
 *
 * @example
 * ```ts
 * client.sse('/prices').subscribe(({ event, data, id }) => console.log(event, id, JSON.parse(data)));
 * ```
 */
export interface ServerSentEvent<Data = string> {
  /** The last event ID: set by this event's `id:` field or an earlier one; `''` when none was. */
  readonly id: string;
  /** The event type: the `event:` field, `message` when there is none. */
  readonly event: string;
  /** The `data:` lines joined with `\n`; with a `schema`, that text parsed as JSON and checked: the schema's output. */
  readonly data: Data;
  /** The reconnection time the server asked for with `retry:`, in ms; `undefined` until it does. */
  readonly retry: number | undefined;
  /**
   * An `id:` that came since the last event and cannot be sent back as
   * `Last-Event-ID` (it holds a control character, which a header cannot):
   * it was not kept, and `id` is still the last one that can be sent.
   * Absent when there was none.
   */
  readonly refusedId?: string;
}

/**
 * What outlives one connection of an event stream: what a reconnection needs.
 *
 * @example
 * ```ts
 * const session: SseSession = { lastEventId: '', retry: undefined };
 * const decoder = openSse(session)(response, context); // the events of one connection; the session outlives it
 * ```
 */
export interface SseSession {
  /** Sent back as `Last-Event-ID` when reconnecting, unless empty. */
  lastEventId: string;
  /** The wait before reconnecting that the server asked for, in ms. */
  retry: number | undefined;
}

// What a header value cannot hold (after UTF-8, every other character is a byte a header may carry).
const UNSENDABLE = /[\0-\x08\n-\x1f\x7f]/;

/**
 * Reads the lines of one connection as the HTML spec's event stream
 * interpretation says: `data` lines accumulate (joined with `\n`), an empty
 * line dispatches the event (none when there was no data), `event` names its
 * type, `id` sets the last event ID (unless it holds NUL, or another control
 * character that a `Last-Event-ID` header cannot carry: then the next event's
 * `refusedId` says so), `retry` with digits
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
  /** An `id:` not kept since the last event, to tell with the next one. */
  #refused: string | undefined;

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
        // NUL: the spec ignores the field. Another control character could not go back in a Last-Event-ID
        // header (undici refuses it), and every reconnection would fail: the last ID that can is kept.
        if (UNSENDABLE.test(value)) {
          if (!value.includes('\0')) this.#refused = value;
        } else {
          this.#id = value;
          this.#refused = undefined;
        }
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
    const event: ServerSentEvent = { id: this.#id, event: type === '' ? 'message' : type, data: data.slice(0, -1), retry: this.#session.retry };
    if (this.#refused === undefined) return event;
    const refusedId = this.#refused;
    this.#refused = undefined;
    return { ...event, refusedId };
  }
}
