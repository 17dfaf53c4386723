/**
 * What a {@link TestTransport} answers with: a {@link Reply}, and helpers for
 * the answers a test of failures needs (a status with `Retry-After`, a network
 * reset, no answer at all, a body in slow chunks, NDJSON and SSE streams).
 *
 * @module
 */

/**
 * One answer of the test transport. Every field is optional: `{}` is a 200
 * with an empty body.
 *
 * @example
 * ```ts
 * const created: Reply = { status: 201, headers: { location: '/items/7' }, body: { id: 7 } };
 * ```
 */
export interface Reply {
  /** @default 200 */
  readonly status?: number;
  /** Response headers; a body that is not text or bytes gets `content-type: application/json` unless they set one. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A string, bytes, a `Blob`, `FormData` or a `ReadableStream` as they are; any other value as JSON. */
  readonly body?: unknown;
  /** The body in parts (instead of `body`), each sent `interval` ms after the one before. */
  readonly chunks?: readonly (string | Uint8Array)[];
  /**
   * Milliseconds before each chunk, on the transport's scheduler.
   * @default 0
   */
  readonly interval?: number;
  /**
   * How the body ends after its chunks: it closes with the last one, the
   * connection resets `interval` ms after it (the read fails as fetch's does,
   * with a `TypeError`), or it never ends.
   * @default 'close'
   */
  readonly end?: 'close' | 'reset' | 'hang';
  /**
   * Milliseconds before the response (or the fault), on the transport's scheduler.
   * @default 0
   */
  readonly delay?: number;
  /** A fault instead of a response: the connection resets (fetch rejects with a `TypeError`), or nothing ever comes. */
  readonly fault?: 'reset' | 'hang';
}

/**
 * A reply with a status, as a server under load sends it: `retryAfter`
 * (seconds, or a date) becomes the `Retry-After` header.
 *
 * @param status the HTTP status
 * @param options headers, a body, and `retryAfter`
 * @returns the reply
 * @example
 * ```ts
 * api.on('GET', '/items', statusReply(429, { retryAfter: 1 }), { body: [] });
 * ```
 */
export function statusReply(status: number, options: Omit<Reply, 'status' | 'fault'> & { readonly retryAfter?: number | Date } = {}): Reply {
  const { retryAfter, ...reply } = options;
  if (retryAfter === undefined) return { ...reply, status };
  const value = retryAfter instanceof Date ? retryAfter.toUTCString() : String(retryAfter);
  return { ...reply, status, headers: { ...reply.headers, 'retry-after': value } };
}

/**
 * A connection reset: the request fails as fetch fails when the network does
 * (a `TypeError`), which the client retries as a `NetworkError`.
 *
 * @param delay milliseconds before the reset, on the transport's scheduler
 * @default delay 0
 * @returns the reply
 * @example
 * ```ts
 * api.on('GET', '/items', networkReset(), { body: [] });
 * ```
 */
export function networkReset(delay = 0): Reply {
  return { fault: 'reset', delay };
}

/**
 * A request that is never answered: what the client's timeout, a deadline or
 * unsubscribing has to end.
 *
 * @returns the reply
 * @example
 * ```ts
 * api.on('GET', '/slow', noAnswer());
 * ```
 */
export function noAnswer(): Reply {
  return { fault: 'hang' };
}

/**
 * A 200 whose body comes in parts, `interval` ms apart: a slow body, or a
 * stream that breaks (`end: 'reset'`) or stalls (`end: 'hang'`).
 *
 * @param chunks the parts of the body
 * @param options `interval`, `end`, `headers`...
 * @returns the reply
 * @example
 * ```ts
 * api.on('GET', '/report', chunkedReply(['{"rows":', '[1,2]}'], { interval: 1_000 }));
 * ```
 */
export function chunkedReply(chunks: readonly (string | Uint8Array)[], options: Omit<Reply, 'chunks' | 'body' | 'fault'> = {}): Reply {
  return { ...options, chunks };
}

/**
 * A newline-delimited JSON stream (`application/x-ndjson`): one value a line,
 * `interval` ms apart, as `ndjson(client, url)` reads it.
 *
 * @param values the values, one a line
 * @param options `interval`, `end`, `headers`...
 * @returns the reply
 * @example
 * ```ts
 * api.on('GET', '/jobs', ndjsonReply([{ id: 1 }, { id: 2 }], { interval: 500, end: 'reset' }));
 * ```
 */
export function ndjsonReply(values: readonly unknown[], options: Omit<Reply, 'chunks' | 'body' | 'fault'> = {}): Reply {
  return streamReply('application/x-ndjson', values.map((value) => `${JSON.stringify(value)}\n`), options);
}

/**
 * One event of {@link sseReply}: its data, and optionally its type, id and reconnection delay.
 *
 * @example
 * ```ts
 * const event: ScriptedEvent = { event: 'price', data: '{"eur":3}', id: '41' };
 * ```
 */
export interface ScriptedEvent {
  /** The `data:` field: the event's data, one `data:` line per line of it. */
  readonly data: string;
  /** The `event:` field: the event's type; absent for a plain `message`. */
  readonly event?: string;
  /** The `id:` field: what `sse()` sends back as `Last-Event-ID` when it reconnects. */
  readonly id?: string;
  /** The `retry:` field: the reconnection delay the server asks for, in ms. */
  readonly retry?: number;
}

/**
 * A Server-Sent Events stream (`text/event-stream`), one event a chunk,
 * `interval` ms apart, as `sse(client, url)` reads it.
 *
 * @param events the events: a string is an event with that data
 * @param options `interval`, `end` (`'close'` makes `sse()` reconnect), `headers`...
 * @returns the reply
 * @example
 * ```ts
 * api.on('GET', '/prices', sseReply([{ id: '1', data: '3' }, '4'], { interval: 1_000, end: 'hang' }));
 * ```
 */
export function sseReply(events: readonly (string | ScriptedEvent)[], options: Omit<Reply, 'chunks' | 'body' | 'fault'> = {}): Reply {
  return streamReply('text/event-stream', events.map(encodeEvent), options);
}

function streamReply(contentType: string, chunks: string[], options: Omit<Reply, 'chunks' | 'body' | 'fault'>): Reply {
  return { ...options, headers: { 'content-type': contentType, ...options.headers }, chunks };
}

function encodeEvent(event: string | ScriptedEvent): string {
  const { data, event: type, id, retry } = typeof event === 'string' ? { data: event } : event;
  const fields = [type === undefined ? '' : `event: ${type}\n`, id === undefined ? '' : `id: ${id}\n`, retry === undefined ? '' : `retry: ${retry}\n`];
  return `${fields.join('')}${data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
}
