import type { ServerResponse } from 'node:http';
import { eachValueFrom } from 'rxjs-for-await';
import { concatAll, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, BodyTooLargeError, chunks, HttpError, lines, ndjson, NetworkError, ParseError, TimeoutError, withEvents } from '../../src/index.js';
import { PLAIN_STREAM, readBatches } from '../../src/streams/mode.js';
import { openNdjson } from '../../src/streams/ndjson.js';
import type { AttemptContext } from '../../src/core/context.js';
import { eventsOf } from '../support/events.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useVirtualTime } from '../support/virtual-time.js';

let server: TestServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

/** A server whose responses stay open: the spec writes to them (held[n] is the nth hit). */
async function holdingServer(status = 200, headers: Record<string, string> = { 'content-type': 'application/x-ndjson' }) {
  const held: ServerResponse[] = [];
  server = await startServer((_req, res) => {
    res.writeHead(status, headers);
    res.flushHeaders();
    held.push(res);
  });
  return held;
}

const readNdjson = (response: Response, context: AttemptContext) => readBatches(response, context, { stream: PLAIN_STREAM, open: openNdjson }).pipe(concatAll());

describe('openNdjson', () => {
  const target = { method: 'GET', url: 'https://api.test/jobs' };
  const parsed = (lines: string[]) => lastValueFrom(readNdjson(new Response(lines.join('\n')), { target, attempt: 1 }).pipe(toArray()));

  it.each([
    ['an object', '{"a":1}', [{ a: 1 }]],
    ['a number with spaces', '  42 ', [42]],
    ['null', 'null', [null]],
    ['an empty line: no value', '', []],
    ['a blank line: no value', ' \t ', []],
  ])('%s', async (_name, line, expected) => {
    expect(await parsed([line])).toEqual(expected);
  });

  it('a line that is not JSON errors with ParseError naming its line (blank lines counted), the SyntaxError as cause', async () => {
    const error = await parsed(['1', '', '{oops']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({ line: 3, status: 200, method: 'GET', url: 'https://api.test/jobs' });
    expect((error as ParseError).cause).toBeInstanceOf(SyntaxError);
  });
});

describe('ndjson(client)', () => {
  it('emits each value as its line arrives, not after the body ends', async () => {
    const held = await holdingServer();
    const client = new AsyncAPIClient(server!.origin);
    const recording = record(ndjson<{ n: number }>(client, '/jobs', { since: 3 }));
    await until(() => held.length === 1);
    expect(server!.hits[0]).toMatchObject({ url: '/jobs?since=3' });
    expect(server!.hits[0]!.headers.accept).toBe('application/x-ndjson');
    held[0]!.write('{"n":1}\n{"n":');
    await until(() => recording.values.length === 1);
    expect(recording.values).toEqual([{ n: 1 }]);
    held[0]!.write('2}\n\n');
    await until(() => recording.values.length === 2);
    expect(recording.done()).toBe(false);
    held[0]!.end('{"n":3}');
    await until(recording.done);
    expect(recording.values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(recording.completed).toBe(true);
  });

  it('a bad line errors with ParseError naming its line number, not retried', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('{"a":1}\n\n{"a":2}\n<html>oops\n{"a":3}\n'));
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } });
    const recording = record(ndjson(client, '/x'));
    await until(recording.done);
    expect(recording.values).toEqual([{ a: 1 }, { a: 2 }]);
    const error = recording.error as ParseError;
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({ line: 4, status: 200, attempts: 1 });
    expect(error.message).toBe(`GET ${server.origin}/x returned line 4 that is not valid JSON (it starts with "<html>oops")`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(server.hits).toHaveLength(1);
  });

  it('a bad first line is not retried either', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('nope\n'));
    const recording = record(ndjson(new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }), '/x'));
    await until(recording.done);
    expect(recording.error).toMatchObject({ name: 'ParseError', line: 1 });
    expect(server.hits).toHaveLength(1);
  });

  it('is retried by the policy while it has emitted nothing', async () => {
    server = await startServer((_req, res, hit) => {
      const index = server!.hits.indexOf(hit);
      if (index === 0) res.writeHead(503).end();
      else if (index === 1) {
        // Headers, then the connection dies before the first line is complete.
        res.writeHead(200);
        res.write('{"n":');
        setTimeout(() => res.socket?.destroy(), 5);
      } else res.writeHead(200).end('{"n":1}\n');
    });
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }, feature);
    const retries = eventsOf(feature, 'retry');
    expect(await lastValueFrom(ndjson(client, '/x').pipe(toArray()))).toEqual([{ n: 1 }]);
    expect(server.hits).toHaveLength(3);
    expect(retries.map((e) => e.reason)).toEqual(['status 503', 'network error']);
  });

  it('is not retried once it has emitted: the drop ends it with NetworkError', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('{"n":1}\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }, feature);
    const events = eventsOf(feature);
    const recording = record(ndjson(client, '/x'));
    await until(recording.done);
    expect(recording.values).toEqual([{ n: 1 }]);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect(server.hits).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'giveUp']);
  });

  it('unsubscribing mid-stream closes the connection at once, and reports a cancel', async () => {
    const held = await holdingServer();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server!.origin }, feature);
    const events = eventsOf(feature);
    const recording = record(ndjson(client, '/x'));
    await until(() => held.length === 1);
    held[0]!.write('{"n":1}\n');
    await until(() => recording.values.length === 1);
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(events.at(-1)).toMatchObject({ type: 'cancel', attempts: 1 });
  });

  it('an error status is an HttpError with its body unread', async () => {
    server = await startServer((_req, res) => res.writeHead(404).end('{"error":"no such feed"}'));
    const recording = record(ndjson(new AsyncAPIClient(server.origin), '/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(HttpError);
    expect(await (recording.error as HttpError).response.text()).toBe('{"error":"no such feed"}');
  });

  it('for await with eachValueFrom: values as they come; break cancels the request', async () => {
    const held = await holdingServer();
    const client = new AsyncAPIClient(server!.origin);
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const value of eachValueFrom(ndjson<{ n: number }>(client, '/x'))) {
        seen.push(value);
        if (value.n === 2) break;
      }
    })();
    await until(() => held.length === 1);
    held[0]!.write('{"n":1}\n{"n":2}\n');
    await loop;
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    await until(() => server!.hits[0]!.closedEarly);
  });
});

describe('lines(client) and chunks(client)', () => {
  it('lines: each line as it completes, any line end', async () => {
    const held = await holdingServer(200, { 'content-type': 'text/plain' });
    const recording = record(lines(new AsyncAPIClient(server!.origin), '/log'));
    await until(() => held.length === 1);
    held[0]!.write('first\r');
    await until(() => recording.values.length === 1);
    held[0]!.end('\nsecond\rthird');
    await until(recording.done);
    expect(recording.values).toEqual(['first', 'second', 'third']);
  });

  it('chunks: the bytes as they arrive, then completion', async () => {
    const held = await holdingServer(200, { 'content-type': 'application/octet-stream' });
    const recording = record(chunks(new AsyncAPIClient(server!.origin), '/bin'));
    await until(() => held.length === 1);
    held[0]!.write(Buffer.from([1, 2, 3]));
    await until(() => recording.values.length === 1);
    expect([...recording.values[0]!]).toEqual([1, 2, 3]);
    held[0]!.end(Buffer.from([4]));
    await until(recording.done);
    expect(recording.values.flatMap((chunk) => [...chunk])).toEqual([1, 2, 3, 4]);
    expect(recording.completed).toBe(true);
  });

  it('chunks of a 204: none, then completion', async () => {
    server = await startServer((_req, res) => res.writeHead(204).end());
    const recording = record(chunks(new AsyncAPIClient(server.origin), '/none'));
    await until(recording.done);
    expect(recording.values).toEqual([]);
    expect(recording.completed).toBe(true);
  });

  it('take(1) on lines closes the connection', async () => {
    const held = await holdingServer(200, { 'content-type': 'text/plain' });
    const firstLine = record(lines(new AsyncAPIClient(server!.origin), '/log').pipe(take(1)));
    await until(() => held.length === 1);
    held[0]!.write('a\nb\n');
    await until(firstLine.done);
    expect(firstLine.values).toEqual(['a']);
    await until(() => server!.hits[0]!.closedEarly);
  });
});

describe('the timeout of a stream', () => {
  it('covers the wait for the response headers', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    useVirtualTime();
    const recording = record(ndjson(new AsyncAPIClient({ baseUrl: server.origin, timeout: 1000, retry: false }), '/x'));
    await until(() => server!.hits.length === 1);
    await vi.advanceTimersByTimeAsync(1000);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('does not cover the body: a stream may stay quiet longer than the timeout', async () => {
    const held = await holdingServer();
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server!.origin, timeout: 1000, retry: false }, feature);
    const events = eventsOf(feature);
    const recording = record(ndjson(client, '/x'));
    await until(() => events.some((e) => e.type === 'response'));
    await vi.advanceTimersByTimeAsync(60_000);
    held[0]!.end('{"late":true}\n');
    await until(recording.done);
    expect(recording.values).toEqual([{ late: true }]);
    expect(recording.completed).toBe(true);
  });
});

describe('readNdjson: the longest line is maxBodySize', () => {
  it('the values before the long line, then BodyTooLargeError, not ParseError', async () => {
    const context = { target: { method: 'GET', url: 'https://h/jobs' }, attempt: 1, maxBodySize: 16 };
    const response = new Response('{"n":1}\n{"n":2}\n{"text":"a value longer than sixteen bytes"}\n{"n":3}\n');
    const recording = record(readNdjson(response, context));
    await until(recording.done);
    const { values, error } = recording;
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBodySize: 16, receivedBytes: '{"text":"a value longer than sixteen bytes"}'.length });
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
