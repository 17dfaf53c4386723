// Client-level specs of the wiring in src/client.ts (items 3, 4, 5, 7): they fail until it is done.
import { lastValueFrom, type Observable } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AsyncAPIClient,
  bearerTokenAuth,
  BodyNotReplayableError,
  BodyTooLargeError,
  HttpError,
  lines,
  ndjson,
  sse,
  TimeoutError,
  withCircuitBreaker,
  withDeadline,
  withEvents,
  withTokenRefresh,
  type ClientEvent,
} from '../../src/index.js';
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

describe('client wiring', () => {
  it('a 401 on a one-shot stream body: BodyNotReplayableError with the 401 as cause, no refresh, the circuit untouched', async () => {
    server = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.headers.authorization === 'Bearer new' ? 200 : 401).end());
    });
    let token = 'old';
    let refreshes = 0;
    const client = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders: () => bearerTokenAuth(token) },
      withTokenRefresh(() => {
        refreshes += 1;
        token = 'new';
      }),
      withCircuitBreaker({ failureThreshold: 1 }),
    );
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('payload')), c.close()) });
    const error = await lastValueFrom(client.request('PUT', '/upload', { body })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyNotReplayableError);
    expect((error as Error).cause).toBeInstanceOf(HttpError);
    expect((error as Error).cause).toMatchObject({ status: 401 });
    expect(error).toMatchObject({ attempts: 1 });
    expect(refreshes).toBe(0);
    expect(server.hits).toHaveLength(1);
    expect((await lastValueFrom(client.request('GET', '/next', { headers: { authorization: 'Bearer new' } }))).status).toBe(200);
  });

  it("after a token-refresh replay, the deadline's TimeoutError counts the replay as the giveUp event does", async () => {
    server = await startServer((req, res) => res.writeHead(req.headers.authorization === 'Bearer new' ? 503 : 401).end());
    let token = 'old';
    const events = withEvents();
    const client = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders: () => bearerTokenAuth(token) },
      withTokenRefresh(() => void (token = 'new')),
      withDeadline(1000),
      events,
    );
    const giveUps: ClientEvent[] = [];
    events.events$.subscribe((e) => e.type === 'giveUp' && giveUps.push(e));
    // The replay gets a 503; its 2 s backoff would pass the deadline.
    const error = await lastValueFrom(client.getJson('/x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ scope: 'deadline', attempts: 2 });
    expect(giveUps).toMatchObject([{ attempts: 2 }]);
    expect(server.hits).toHaveLength(2);
  });

  it('a quiet stream that is the half-open probe closes the circuit with its response', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/down') return void res.writeHead(503).end();
      if (req.url === '/quiet') return void res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': connected\n\n');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    useVirtualTime();
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: false }, withCircuitBreaker({ failureThreshold: 1, resetTimeout: 50 }), feature);
    await expect(lastValueFrom(client.getJson('/down'))).rejects.toBeInstanceOf(HttpError);
    await vi.advanceTimersByTimeAsync(50);
    const events: ClientEvent[] = [];
    feature.events$.subscribe((e) => events.push(e));
    const quiet = record(sse(client, '/quiet'));
    await until(() => events.some((e) => e.type === 'response'));
    expect(await lastValueFrom(client.getJson('/ok'))).toEqual({});
    expect(events.filter((e) => e.type === 'circuit').map((e) => (e as { state: string }).state)).toEqual(['halfOpen', 'closed']);
    quiet.subscription.unsubscribe();
  });

  // One signature for the three (ndjson and sse are generic in their schema, and a union of generic functions cannot be called).
  const streams: Record<'lines' | 'ndjson' | 'sse', (client: AsyncAPIClient, endpoint: string) => Observable<unknown>> = { lines, ndjson, sse };
  it.each(['lines', 'ndjson', 'sse'] as const)('%s: a line longer than the client maxBodySize ends with BodyTooLargeError, not retried, the connection closed', async (method) => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': method === 'sse' ? 'text/event-stream' : 'application/x-ndjson' });
      res.write(method === 'sse' ? 'data: 1\n\n' : '1\n');
      // Writes until the client hangs up: without the limit, the line would grow for ever.
      const pump = () => {
        while (!res.destroyed && res.write('x'.repeat(4096)));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, maxBodySize: 1024, retry: { baseDelay: 1 } });
    const recording = record<unknown>(streams[method](client, '/stream'));
    await until(recording.done);
    expect(recording.values).toHaveLength(1);
    expect(recording.error).toBeInstanceOf(BodyTooLargeError);
    expect(recording.error).toMatchObject({ maxBodySize: 1024 });
    expect(server.hits).toHaveLength(1);
    await until(() => server!.hits[0]!.closedEarly);
  });
});
