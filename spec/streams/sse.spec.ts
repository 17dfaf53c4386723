import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { concatAll, lastValueFrom, take } from 'rxjs';
import { AsyncAPIClient, bearerTokenAuth, BodyTooLargeError, HttpError, NetworkError, ParseError, sse, withEvents, withInterceptors, withTokenRefresh, type RetryEvent, type ServerSentEvent } from '../../src/index.js';
import { decideStreamRetry } from '../../src/streams/mode.js';
import { readBatches } from '../../src/streams/mode.js';
import { openSse, sseStream } from '../../src/streams/sse.js';
import { SseParser, type SseSession } from '../../src/streams/sse-parser.js';
import type { AttemptContext } from '../../src/core/context.js';

const readSse = (session: SseSession) => (response: Response, context: AttemptContext) =>
  readBatches(response, context, { open: openSse(session), stream: sseStream(session) }).pipe(concatAll());
import { eventsOf } from '../support/events.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { useVirtualTime } from '../support/virtual-time.js';
import { until } from '../support/until.js';

let server: TestServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});


const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };
/** Writes, then drops the connection (setImmediate: never faked, so it runs in virtual time too). */
const dropAfter = (res: ServerResponse, text: string) => {
  res.writeHead(200, SSE);
  res.write(text, () => setImmediate(() => res.socket?.destroy()));
};

/** In virtual time: lets the wait of each retry the client schedules pass, until `done`. */
async function waitOutRetries(retries: readonly RetryEvent[], done: () => boolean): Promise<void> {
  for (let waited = 0; ; waited += 1) {
    await until(() => done() || retries.length > waited);
    if (done()) return;
    await vi.advanceTimersByTimeAsync(retries[waited]!.delayMs);
  }
}

function parse(lines: string[], session: SseSession = { lastEventId: '', retry: undefined }) {
  const parser = new SseParser(session);
  return { events: lines.map((line) => parser.line(line)).filter((e) => e !== undefined), session };
}

const message = (data: string, more: Partial<ServerSentEvent> = {}): ServerSentEvent => ({ id: '', event: 'message', data, retry: undefined, ...more });

describe('SseParser (the HTML spec examples and rules)', () => {
  it.each<[string, string[], ServerSentEvent[]]>([
    ['data lines joined with LF', ['data: YHOO', 'data: +2', 'data: 10', ''], [message('YHOO\n+2\n10')]],
    ['comments ignored', [': test stream', '', 'data: first event', 'id: 1', '', 'data:second event', 'id', '', 'data:  third event', ''], [
      message('first event', { id: '1' }),
      message('second event'),
      message(' third event'),
    ]],
    ['a field without a colon, and an event without its blank line', ['data', '', 'data', 'data', '', 'data:'], [message(''), message('\n')]],
    ['with or without the space after the colon', ['data:test', '', 'data: test', ''], [message('test'), message('test')]],
    ['an event type, reset after dispatch', ['event: add', 'data: 1', '', 'data: 2', ''], [message('1', { event: 'add' }), message('2')]],
    ['no data: no event', ['event: ping', '', 'id: 5', ''], []],
    ['an id with NUL is ignored', ['id: 3', 'data: a', '', 'id: x\0y', 'data: b', ''], [message('a', { id: '3' }), message('b', { id: '3' })]],
    // Such an id could not go back in a Last-Event-ID header (undici refuses it): the last one that can is kept.
    ['an id with another control character is not kept, and the next event says so', ['id: 3', 'data: a', '', 'id: x\u0001y', 'data: b', '', 'data: c', ''], [
      message('a', { id: '3' }),
      message('b', { id: '3', refusedId: 'x\u0001y' }),
      message('c', { id: '3' }),
    ]],
    ['a refused id is told with the next event that has data; a good id after it wins', ['id: 3', 'data: a', '', 'id: \u007f', '', 'data: b', '', 'id: \u001b[0m', 'id: 4', 'data: c', ''], [
      message('a', { id: '3' }),
      message('b', { id: '3', refusedId: '\u007f' }),
      message('c', { id: '4' }),
    ]],
    ['a tab is fine in an id', ['id: a\tb', 'data: a', ''], [message('a', { id: 'a\tb' })]],
    ['the id carries over; an empty id clears it', ['id: 7', 'data: a', '', 'data: b', '', 'id:', 'data: c', ''], [
      message('a', { id: '7' }),
      message('b', { id: '7' }),
      message('c'),
    ]],
    ['retry with digits only', ['retry: 1500', 'data: a', '', 'retry: 2s', 'retry: -1', 'data: b', ''], [
      message('a', { retry: 1500 }),
      message('b', { retry: 1500 }),
    ]],
    ['unknown fields are ignored', ['foo: bar', 'data: a', 'Data: b', ''], [message('a')]],
    ['a colon in the value is kept', ['data: a: b', ''], [message('a: b')]],
  ])('%s', (_name, lines, expected) => {
    expect(parse(lines).events).toEqual(expected);
  });

  it('keeps the last event ID and the retry time in the session, for the next connection', () => {
    const { session } = parse(['retry: 250', 'id: 41', 'event: ping', '']);
    expect(session).toEqual({ lastEventId: '41', retry: 250 });
    // The next connection starts from the session's ID, as Chromium does.
    expect(parse(['data: x', ''], session).events).toEqual([message('x', { id: '41', retry: 250 })]);
  });
});

describe('SseParser with a largest event', () => {
  const tooLarge = (receivedBytes: number) => ({ receivedBytes });

  it('errors as soon as the data of the event in progress passes the limit', () => {
    const parser = new SseParser({ lastEventId: '', retry: undefined }, { maxBytes: 8, tooLarge });
    // The buffer holds each data line and its LF: 'abc\n' (4), 'de\n' (7), 'f\n' (9).
    expect(parser.line('data: abc')).toBeUndefined();
    expect(parser.line('data: de')).toBeUndefined();
    expect(() => parser.line('data: f')).toThrow(expect.objectContaining({ receivedBytes: 9 }));
  });

  it('the count starts again with each event; other fields and comments are not held', () => {
    const parser = new SseParser({ lastEventId: '', retry: undefined }, { maxBytes: 8, tooLarge });
    const lines = ['data: abc', 'data: de', ': a comment longer than eight', 'event: a type longer than eight', '', 'data: abcdefg', ''];
    expect(lines.map((line) => parser.line(line)).filter((e) => e !== undefined).map((e) => e.data)).toEqual(['abc\nde', 'abcdefg']);
  });

  it('counts UTF-8 bytes', () => {
    const parser = new SseParser({ lastEventId: '', retry: undefined }, { maxBytes: 8, tooLarge });
    expect(() => parser.line('data: €€€')).toThrow(expect.objectContaining({ receivedBytes: 10 }));
  });
});

describe('readSse: the largest line and event are maxBodySize', () => {
  const context = { target: { method: 'GET', url: 'https://h/feed' }, attempt: 1, maxBodySize: 16 };
  const stream = (text: string) => new Response(text, { headers: SSE });

  it('an event of many short data lines', async () => {
    const recording = record(readSse({ lastEventId: '', retry: undefined })(stream('data: ok\n\n' + 'data: 12345\n'.repeat(4) + '\n'), context));
    await until(recording.done);
    const { values, error } = recording;
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ status: 200, maxBodySize: 16, receivedBytes: 18 });
    expect(values.map((e) => e.data)).toEqual(['ok']);
  });

  it('one long line', async () => {
    const error = await lastValueFrom(readSse({ lastEventId: '', retry: undefined })(stream(': ' + 'x'.repeat(20) + '\n'), context)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BodyTooLargeError', receivedBytes: 22 });
  });

});

describe('decideStreamRetry', () => {
  const policy = { maxAttempts: 3, baseDelay: 2000 };
  const target = { method: 'GET', url: 'https://h/x' };
  const network = new NetworkError(new TypeError('x'), target, 1);
  const notFound = new HttpError(new Response(null, { status: 404 }), target, 1);
  const unavailable = (headers: Record<string, string> = {}) => new HttpError(new Response(null, { status: 503, headers }), target, 1);

  it.each([
    ['nothing emitted: the policy', network, 1, { emitted: false, resumable: false }, { retry: true, delayMs: 2000, fromServer: false }],
    ['emitted, not resumable: never', network, 1, { emitted: true, resumable: false }, { retry: false }],
    ['emitted, resumable: the policy', network, 2, { emitted: true, resumable: true }, { retry: true, delayMs: 4000, fromServer: false }],
    ['the server delay replaces the backoff', network, 2, { emitted: true, resumable: true, serverDelayMs: 300 }, { retry: true, delayMs: 300, fromServer: true }],
    ['a server delay of 0', network, 1, { emitted: false, resumable: true, serverDelayMs: 0 }, { retry: true, delayMs: 0, fromServer: true }],
    ['a retry time above maxRetryAfter stops retrying, as a long Retry-After does', network, 1, { emitted: true, resumable: true, serverDelayMs: 60_001 }, { retry: false }],
    ['a retry time of exactly maxRetryAfter is waited', network, 1, { emitted: true, resumable: true, serverDelayMs: 60_000 }, { retry: true, delayMs: 60_000, fromServer: true }],
    ["a status's Retry-After wins over the retry time", unavailable({ 'retry-after': '2' }), 1, { emitted: true, resumable: true, serverDelayMs: 10 }, { retry: true, delayMs: 2000, fromServer: true }],
    ["a status's Retry-After date is read on the caller's clock", unavailable({ 'retry-after': 'Thu, 01 Jan 1970 00:00:05 GMT' }), 1, { emitted: true, resumable: true, serverDelayMs: 10, now: 1000 }, { retry: true, delayMs: 4000, fromServer: true }],
    ['a status without Retry-After waits the retry time', unavailable(), 1, { emitted: true, resumable: true, serverDelayMs: 10 }, { retry: true, delayMs: 10, fromServer: true }],
    ["a status's Retry-After above maxRetryAfter stops retrying, whatever the retry time", unavailable({ 'retry-after': '61' }), 1, { emitted: true, resumable: true, serverDelayMs: 10 }, { retry: false }],
    ['the server delay cannot revive a final error', notFound, 1, { emitted: false, resumable: true, serverDelayMs: 300 }, { retry: false }],
    ['nor pass maxAttempts', network, 3, { emitted: false, resumable: true, serverDelayMs: 300 }, { retry: false }],
    ['a line or event above maxBodySize is final', new BodyTooLargeError({ maxBodySize: 8, receivedBytes: 9 }, 200, target, 1), 1, { emitted: true, resumable: true, serverDelayMs: 0 }, { retry: false }],
  ])('%s', (_name, error, attempt, state, expected) => {
    expect(decideStreamRetry(policy, error, attempt, state)).toEqual(expected);
  });

  it('maxRetryAfter of the policy bounds the retry time', () => {
    const state = { emitted: true, resumable: true, serverDelayMs: 90_000 };
    expect(decideStreamRetry({ ...policy, maxRetryAfter: 120_000 }, network, 1, state)).toEqual({ retry: true, delayMs: 90_000, fromServer: true });
    expect(decideStreamRetry({ ...policy, maxRetryAfter: 0 }, network, 1, { ...state, serverDelayMs: 0 })).toEqual({ retry: true, delayMs: 0, fromServer: true });
  });
});

describe('sse(client)', () => {
  it('emits the events as they arrive and completes when the server ends the stream', async () => {
    let request: IncomingMessage | undefined;
    let response: ServerResponse | undefined;
    server = await startServer((req, res) => {
      request = req;
      response = res;
      res.writeHead(200, SSE);
      res.write(': hello\n\nevent: price\nid: 1\ndata: {"p":1}\n\n');
    });
    const recording = record(sse(new AsyncAPIClient(server.origin), '/prices', { symbol: 'X' }));
    await until(() => recording.values.length === 1);
    expect(recording.values).toEqual([{ id: '1', event: 'price', data: '{"p":1}', retry: undefined }]);
    expect(request!.headers.accept).toBe('text/event-stream');
    expect(request!.headers['last-event-id']).toBeUndefined();
    expect(request!.url).toBe('/prices?symbol=X');
    response!.end('data: line 1\r\ndata: line 2\r\n\r\ndata: half an event');
    await until(recording.done);
    expect(recording.values.at(-1)).toEqual({ id: '1', event: 'message', data: 'line 1\nline 2', retry: undefined });
    expect(recording.values).toHaveLength(2);
    expect(recording.completed).toBe(true);
    expect(server.hits).toHaveLength(1);
  });

  it("reconnects after a drop with Last-Event-ID, after the server's retry time", async () => {
    server = await startServer((req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'retry: 3000\nid: 7\ndata: a\n\n');
      else res.writeHead(200, SSE).end(`id: 8\ndata: resumed after ${String(req.headers['last-event-id'])}\n\n`);
    });
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, feature);
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(client, '/feed'));
    await until(() => retries.length === 1);
    expect(retries[0]).toMatchObject({ attempt: 1, delayMs: 3000, reason: 'network error' });
    await vi.advanceTimersByTimeAsync(2999);
    expect(server.hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);
    expect(server.hits[1]!.headers['last-event-id']).toBe('7');
    expect(recording.values.map((e) => [e.id, e.data, e.retry])).toEqual([
      ['7', 'a', 3000],
      ['8', 'resumed after 7', 3000],
    ]);
    expect(recording.completed).toBe(true);
  });

  it("after a retry time, a 503's Retry-After is still waited", async () => {
    server = await startServer((_req, res, hit) => {
      const n = server!.hits.indexOf(hit);
      if (n === 0) dropAfter(res, 'retry: 10\ndata: a\n\n');
      else if (n === 1) res.writeHead(503, { 'retry-after': '2' }).end();
      else res.writeHead(200, SSE).end('data: b\n\n');
    });
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, feature);
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(client, '/feed'));
    await until(() => retries.length === 1);
    // retry: 10 is below the floor of 500 ms.
    expect(retries[0]).toMatchObject({ delayMs: 500, reason: 'network error', fromServer: true });
    await vi.advanceTimersByTimeAsync(500);
    await until(() => retries.length === 2);
    expect(retries[1]).toMatchObject({ delayMs: 2000, reason: 'status 503', fromServer: true });
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.hits).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);
    expect(recording.values.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('a retry time above maxRetryAfter ends the stream with the failure instead of waiting', async () => {
    server = await startServer((_req, res) => dropAfter(res, 'retry: 3600000\ndata: a\n\n'));
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, feature);
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(client, '/feed'));
    await until(recording.done);
    expect(recording.values.map((e) => e.data)).toEqual(['a']);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect(retries).toEqual([]);
    expect(server.hits).toHaveLength(1);
  });

  it('without a retry time it waits the policy backoff', async () => {
    server = await startServer((_req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'data: a\n\n');
      else res.writeHead(200, SSE).end();
    });
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, feature);
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(client, '/feed'));
    await until(() => retries.length === 1);
    expect(retries[0]).toMatchObject({ delayMs: 2000 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);
    expect(server.hits).toHaveLength(2);
    // No id was ever sent: no Last-Event-ID header.
    expect(server.hits[1]!.headers['last-event-id']).toBeUndefined();
  });

  it('sends the last event ID as UTF-8 bytes', async () => {
    server = await startServer((_req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'retry: 0\nid: é-1\ndata: a\n\n');
      else res.writeHead(200, SSE).end();
    });
    useVirtualTime();
    const feature = withEvents();
    const recording = record(sse(new AsyncAPIClient({ baseUrl: server.origin }, feature), '/feed'));
    await waitOutRetries(eventsOf(feature, 'retry'), recording.done);
    expect(Buffer.from(String(server.hits[1]!.headers['last-event-id']), 'latin1').toString('utf8')).toBe('é-1');
  });

  it("the Last-Event-ID is a header of each attempt: interceptors see it, and it wins over the request's own", async () => {
    server = await startServer((_req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'retry: 0\nid: 7\ndata: a\n\n');
      else res.writeHead(200, SSE).end('data: b\n\n');
    });
    const seen: (string | null)[] = [];
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient(
      { baseUrl: server.origin },
      withInterceptors((request, next) => {
        seen.push(request.headers.get('last-event-id'));
        return next(request);
      }),
      feature,
    );
    const recording = record(sse(client, '/feed', undefined, { headers: { 'Last-Event-ID': 'mine' } }));
    await waitOutRetries(eventsOf(feature, 'retry'), recording.done);
    expect(recording.values.map((e) => e.data)).toEqual(['a', 'b']);
    expect(seen).toEqual(['mine', '7']);
    expect(server.hits.map((h) => h.headers['last-event-id'])).toEqual(['mine', '7']);
  });

  it('maxAttempts bounds the failures in a row, and ends with the last error', async () => {
    server = await startServer((_req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'retry: 10\ndata: a\n\n');
      else res.writeHead(503).end();
    });
    useVirtualTime();
    const feature = withEvents();
    const recording = record(sse(new AsyncAPIClient({ baseUrl: server.origin }, feature), '/feed'));
    await waitOutRetries(eventsOf(feature, 'retry'), recording.done);
    expect(recording.values).toHaveLength(1);
    expect(recording.error).toBeInstanceOf(HttpError);
    expect(recording.error).toMatchObject({ status: 503 });
    // The drop, then two refused reconnections: three failures in a row with maxAttempts 3.
    expect(server.hits).toHaveLength(3);
  });

  it('an event on a connection that stayed open 5 s starts the count again: four failures, never three in a row, with maxAttempts 3', async () => {
    const plan = ['hold', '503', 'hold', '503', 'end'];
    const held: ServerResponse[] = [];
    server = await startServer((_req, res, hit) => {
      const step = plan[server!.hits.indexOf(hit)];
      if (step === 'hold') {
        res.writeHead(200, SSE);
        res.write(`retry: 500\nid: ${server!.hits.length}\ndata: x\n\n`);
        held.push(res);
      } else if (step === '503') res.writeHead(503).end();
      else res.writeHead(200, SSE).end('data: last\n\n');
    });
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, feature);
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(client, '/feed'));
    for (const connection of [0, 1]) {
      await until(() => recording.values.length === connection + 1);
      // Open for 5 s, then dropped; the 503 after it is the second failure in a row.
      await vi.advanceTimersByTimeAsync(5_000);
      held[connection]!.socket?.destroy();
      await until(() => retries.length === 2 * connection + 1);
      await vi.advanceTimersByTimeAsync(500);
      await until(() => retries.length === 2 * connection + 2);
      await vi.advanceTimersByTimeAsync(500);
    }
    await until(recording.done);
    expect(recording.completed).toBe(true);
    expect(recording.values.map((e) => e.data)).toEqual(['x', 'x', 'last']);
    // The events number the attempts of the whole stream, as the request events do.
    expect(retries.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(server.hits.map((h) => h.headers['last-event-id'])).toEqual([undefined, '1', '1', '3', '3']);
  });

  it('refreshes the token again at each reconnection that finds it expired, after fresh events', async () => {
    // Every connection drops after one event, and the token it used expires with it.
    let valid = 1;
    server = await startServer((req, res) => {
      if (req.headers.authorization !== `Bearer t${valid}`) return void res.writeHead(401).end();
      valid += 1;
      dropAfter(res, `retry: 0\nid: ${valid}\ndata: event ${valid}\n\n`);
    });
    let token = 0;
    let refreshes = 0;
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders: () => bearerTokenAuth(`t${token}`) },
      withTokenRefresh(() => {
        refreshes += 1;
        token = valid;
      }),
      feature,
    );
    // Three events, two drops between them: a third drop so soon after would end the stream (maxAttempts).
    const recording = record(sse(client, '/feed').pipe(take(3)));
    await waitOutRetries(eventsOf(feature, 'retry'), recording.done);
    expect(recording.error).toBeUndefined();
    expect(recording.values.map((e) => e.data)).toEqual(['event 2', 'event 3', 'event 4']);
    expect(refreshes).toBe(3);
  });

  it('retry: 0 and a server that drops after every event: each reconnection waits 500 ms at least, and maxAttempts bounds the drops', async () => {
    server = await startServer((_req, res) => dropAfter(res, `retry: 0\nid: ${server!.hits.length}\ndata: x\n\n`));
    useVirtualTime();
    const feature = withEvents();
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(new AsyncAPIClient({ baseUrl: server.origin }, feature), '/feed'));
    await until(() => retries.length === 1);
    expect(retries[0]).toMatchObject({ delayMs: 500, fromServer: true });
    await vi.advanceTimersByTimeAsync(499);
    expect(server.hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => retries.length === 2);
    await vi.advanceTimersByTimeAsync(500);
    await until(recording.done);
    // Each connection brought an event, but none stayed open: three drops in a row end the stream.
    expect(recording.values.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect(server.hits).toHaveLength(3);
    expect(retries.map((e) => e.delayMs)).toEqual([500, 500]);
  });

  it('without a retry time, drops right after events back off as failures in a row do: 2 s, 4 s, then the end', async () => {
    server = await startServer((_req, res) => dropAfter(res, 'data: x\n\n'));
    useVirtualTime();
    const feature = withEvents();
    const retries = eventsOf(feature, 'retry');
    const recording = record(sse(new AsyncAPIClient({ baseUrl: server.origin }, feature), '/feed'));
    await waitOutRetries(retries, recording.done);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect(retries.map((e) => e.delayMs)).toEqual([2000, 4000]);
    expect(server.hits).toHaveLength(3);
  });

  it('an id that cannot be sent back as Last-Event-ID is not kept: reconnections send the last one that can, and the event says so', async () => {
    server = await startServer((req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'retry: 500\nid: 1\ndata: a\n\nid: 2\u0001x\ndata: b\n\n');
      else res.writeHead(200, SSE).end(`data: after ${String(req.headers['last-event-id'])}\n\n`);
    });
    useVirtualTime();
    const feature = withEvents();
    const recording = record(sse(new AsyncAPIClient({ baseUrl: server.origin }, feature), '/feed'));
    await waitOutRetries(eventsOf(feature, 'retry'), recording.done);
    expect(recording.error).toBeUndefined();
    expect(recording.values).toEqual([
      message('a', { id: '1', retry: 500 }),
      message('b', { id: '1', retry: 500, refusedId: '2\u0001x' }),
      message('after 1', { id: '1', retry: 500 }),
    ]);
    expect(server.hits.map((h) => h.headers['last-event-id'])).toEqual([undefined, '1']);
  });

  it('a 204 ends the stream without reconnecting', async () => {
    server = await startServer((_req, res) => res.writeHead(204).end());
    const recording = record(sse(new AsyncAPIClient(server.origin), '/feed'));
    await until(recording.done);
    expect(recording.completed).toBe(true);
    expect(recording.values).toEqual([]);
    expect(server.hits).toHaveLength(1);
  });

  it('a response that is not text/event-stream errors with ParseError, not retried', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const recording = record(sse(new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }), '/feed'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ParseError);
    expect((recording.error as Error).message).toBe(`GET ${server.origin}/feed returned content-type "text/html" where text/event-stream was expected`);
    expect(server.hits).toHaveLength(1);
  });

  it('unsubscribing closes the connection; unsubscribing during the wait cancels the reconnection', async () => {
    server = await startServer((_req, res, hit) => {
      if (server!.hits.indexOf(hit) === 0) dropAfter(res, 'data: a\n\n');
      else {
        res.writeHead(200, SSE);
        res.write('data: b\n\n');
      }
    });
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, feature);
    const retries = eventsOf(feature, 'retry');
    const waiting = record(sse(client, '/feed'));
    await until(() => retries.length === 1);
    waiting.subscription.unsubscribe();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.hits).toHaveLength(1);

    vi.useRealTimers();
    const open = record(sse(new AsyncAPIClient({ baseUrl: server.origin, retry: false }), '/feed'));
    await until(() => open.values.length === 1);
    open.subscription.unsubscribe();
    await until(() => server!.hits[1]!.closedEarly);
  });
});
