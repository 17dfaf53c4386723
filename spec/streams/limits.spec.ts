// Issue 13, item 8: the deadline bounds the whole life of a request, a stream's included (it used to bound
// only the time to the first value), client-wide or per request; and a stream's idleTimeout ends one that
// goes quiet. Real servers on loopback, the client's timers in virtual time; both transports.
import type { Observable } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, chunks, ConfigurationError, lines, ndjson, sse, TimeoutError, withDeadline, type StreamOptions } from '../../src/index.js';
import { record, type Recording } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useVirtualTime } from '../support/virtual-time.js';

let server: TestServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

type Stream = (client: AsyncAPIClient, options?: StreamOptions) => Observable<unknown>;
const STREAMS: [string, Stream][] = [
  ['chunks', (client, options) => chunks(client, '/s', undefined, options)],
  ['lines', (client, options) => lines(client, '/s', undefined, options)],
  ['ndjson', (client, options) => ndjson(client, '/s', undefined, options)],
  ['sse', (client, options) => sse(client, '/s', undefined, options)],
];

/** A server that sends one value at once (an event to sse, a line of JSON to the others), then one every `everyMs` (never, by default), and never ends. */
async function streamingServer(everyMs?: number): Promise<TestServer> {
  return startServer((req, res) => {
    const events = req.headers.accept === 'text/event-stream';
    res.writeHead(200, { 'content-type': events ? 'text/event-stream' : 'application/x-ndjson' });
    let n = 0;
    const send = () => res.write(events ? `data: ${(n += 1)}\n\n` : `${(n += 1)}\n`);
    send();
    if (everyMs !== undefined) {
      // A real timer on purpose: the server's pace is the network's, not the client's virtual time.
      const timer = globalThis.setInterval.call(globalThis, send, everyMs);
      req.on('close', () => clearInterval(timer));
    }
  });
}

/** Subscribes and waits (in real time) for the first value. */
async function firstValue(source: Observable<unknown>): Promise<Recording<unknown>> {
  const recording = record(source);
  await until(() => recording.values.length > 0 || recording.done());
  expect(recording.values.length).toBeGreaterThan(0);
  return recording;
}

describe.each(STREAMS)('%s', (_name, stream) => {
  it('a client-wide deadline ends the stream after its first value, with TimeoutError (scope deadline), and closes the connection', async () => {
    server = await streamingServer();
    useVirtualTime();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withDeadline(1_000));
    const recording = await firstValue(stream(client));
    await vi.advanceTimersByTimeAsync(999);
    expect(recording.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    expect(recording.error).toMatchObject({ scope: 'deadline', timeoutMs: 1_000 });
    expect((recording.error as Error).message).toContain('did not finish within its deadline of 1000 ms');
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('a per-request deadline does the same; deadline: false lets a stream outlive the client-wide one', async () => {
    server = await streamingServer();
    useVirtualTime();
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withDeadline(1_000));
    const short = await firstValue(stream(client, { deadline: 300 }));
    const long = await firstValue(stream(client, { deadline: false }));
    await vi.advanceTimersByTimeAsync(300);
    await until(short.done);
    expect(short.error).toMatchObject({ name: 'TimeoutError', scope: 'deadline', timeoutMs: 300 });
    await vi.advanceTimersByTimeAsync(60 * 60 * 1_000);
    expect(long.done()).toBe(false);
    long.subscription.unsubscribe();
  });

  it('idleTimeout ends a stream that goes quiet, with TimeoutError (scope idle) that says so', async () => {
    server = await streamingServer();
    useVirtualTime();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { maxAttempts: 2, baseDelay: 10 } });
    const recording = await firstValue(stream(client, { idleTimeout: 500 }));
    // sse reconnects after a quiet connection (as after any failure); its next connection is quiet too.
    for (let i = 0; i < 20 && !recording.done(); i += 1) {
      await vi.advanceTimersByTimeAsync(500);
      await until(() => recording.done() || server!.hits.length > 0);
    }
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    expect(recording.error).toMatchObject({ scope: 'idle', timeoutMs: 500 });
    expect((recording.error as Error).message).toContain('went quiet: no data for 500 ms (idleTimeout)');
  });

  it('idleTimeout lets a stream that keeps talking run on, well past it', async () => {
    server = await streamingServer(20);
    const client = new AsyncAPIClient({ baseUrl: server.origin });
    const recording = record(stream(client, { idleTimeout: 200 }));
    // Real time: values every 20 ms for 600 ms, three times the idle limit.
    await until(() => recording.values.length >= 20 || recording.done());
    expect(recording.done()).toBe(false);
    recording.subscription.unsubscribe();
  });

  it('a bad idleTimeout is a ConfigurationError on subscription, before anything is sent', async () => {
    server = await streamingServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin });
    const recording = record(stream(client, { idleTimeout: -1 }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(/idleTimeout must be a number of milliseconds/);
    expect(server.hits).toEqual([]);
  });
});

it('sse: a quiet connection is reconnected with Last-Event-ID; a run of quiet ones ends the stream', async () => {
  server = await startServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (req.headers['last-event-id'] === undefined) res.write('id: 7\ndata: first\n\n');
    else res.write(': quiet\n\n');
  });
  useVirtualTime();
  const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { maxAttempts: 3, baseDelay: 10 } });
  const recording = await firstValue(sse(client, '/s', undefined, { idleTimeout: 500 }));
  for (let i = 0; i < 20 && !recording.done(); i += 1) await vi.advanceTimersByTimeAsync(500);
  await until(recording.done);
  expect(recording.error).toMatchObject({ name: 'TimeoutError', scope: 'idle' });
  expect(server.hits.map((hit) => hit.headers['last-event-id'])).toEqual([undefined, '7', '7']);
});
