// Issue 19: the pull forms read the body only when the loop asks, so a slow consumer slows the server
// (TCP backpressure), with the Observable form's contract. Real servers on loopback; both transports.
import type { ServerResponse } from 'node:http';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AsyncAPIClient,
  BodyTooLargeError,
  ConfigurationError,
  HttpError,
  NetworkError,
  ParseError,
  pullChunks,
  pullLines,
  pullNdjson,
  pullSse,
  TimeoutError,
  withDeadline,
  withEvents,
} from '../../src/index.js';
import { eventsOf } from '../support/events.js';
import { startServer, type Hit, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useVirtualTime } from '../support/virtual-time.js';

let server: TestServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

const LINE = `${JSON.stringify({ id: 0, pad: 'x'.repeat(180) })}\n`;

/**
 * A server that writes `lines` NDJSON lines as fast as the socket takes them (the next write waits for
 * `drain`), counting the bytes the socket accepted: what the client has not read stays in its buffers.
 */
async function exportServer(lines: number): Promise<TestServer & { written: () => number }> {
  let written = 0;
  const started = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const block = LINE.repeat(256);
    let left = lines;
    const write = (): void => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(256, left);
        left -= n;
        written += n * LINE.length;
        if (!res.write(n === 256 ? block : LINE.repeat(n))) return void res.once('drain', write);
      }
      if (left === 0) res.end();
    };
    write();
  });
  return Object.assign(started, { written: () => written });
}

describe('pullNdjson: items on demand', () => {
  it('yields every value in order, item by item, in batches, and through rxjs from()', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('{"n":1}\n\n{"n":2}\r\n{"n":3}'));
    const client = new AsyncAPIClient(server.origin);
    const items: unknown[] = [];
    for await (const item of pullNdjson<{ n: number }>(client, '/jobs', { since: 1 })) items.push(item);
    expect(items).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const batches: (readonly unknown[])[] = [];
    for await (const batch of pullNdjson(client, '/jobs').batches()) batches.push(batch);
    expect(batches.flat()).toEqual(items);
    expect(batches.every((batch) => batch.length > 0)).toBe(true);
    expect(await lastValueFrom(from(pullNdjson(client, '/jobs')).pipe(toArray()))).toEqual(items);
    expect(server.hits.map((hit) => [hit.url, hit.headers.accept])).toEqual([
      ['/jobs?since=1', 'application/x-ndjson'],
      ['/jobs', 'application/x-ndjson'],
      ['/jobs', 'application/x-ndjson'],
    ]);
  });

  it('sends nothing until the loop starts, and each loop is a request of its own', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('1\n'));
    const jobs = pullNdjson(new AsyncAPIClient(server.origin), '/jobs');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.hits).toHaveLength(0);
    for await (const job of jobs) expect(job).toBe(1);
    for await (const job of jobs) expect(job).toBe(1);
    expect(server.hits).toHaveLength(2);
  });
});

describe('pull forms: backpressure', () => {
  it('a loop that stops pulling stops the reading: the server can write little more than the socket buffers hold', async () => {
    // 200 MiB: far more than any buffer between the two.
    const exporter = await exportServer(1_000_000);
    server = exporter;
    const iterator = pullNdjson(new AsyncAPIClient(server.origin), '/export')[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ id: 0, pad: 'x'.repeat(180) });
    // Let the socket fill up, then watch it stay full: the body is not read while nobody pulls.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalled = exporter.written();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exporter.written()).toBe(stalled);
    expect(stalled).toBeLessThan(32 * 1024 * 1024);
    // Pulling again reads on, and the server writes on.
    for (let i = 0; i < 50_000; i += 1) await iterator.next();
    await until(() => exporter.written() > stalled);
    await iterator.return!();
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('the Observable form, for contrast, reads on whatever the consumer does', async () => {
    const exporter = await exportServer(20_000);
    server = exporter;
    const client = new AsyncAPIClient(server.origin);
    const { ndjson } = await import('../../src/index.js');
    const all = await lastValueFrom(ndjson(client, '/export').pipe(toArray()));
    expect(all).toHaveLength(20_000);
  });
});

describe('pull forms: closing the connection', () => {
  const open = (hit: () => Hit | undefined) => until(() => hit()?.closedEarly === true);

  it('break closes the connection at once', async () => {
    server = await exportServer(1_000_000);
    for await (const line of pullLines(new AsyncAPIClient(server.origin), '/export')) {
      expect(line).toBe(LINE.slice(0, -1));
      break;
    }
    await open(() => server!.hits[0]);
  });

  it('an exception in the loop closes the connection and propagates', async () => {
    server = await exportServer(1_000_000);
    const loop = async () => {
      for await (const _chunk of pullChunks(new AsyncAPIClient(server!.origin), '/export')) throw new Error('sink failed');
    };
    await expect(loop()).rejects.toThrow('sink failed');
    await open(() => server!.hits[0]);
  });

  it('return() while a step waits on a quiet server ends the step and closes the connection', async () => {
    server = await startServer((_req, res) => res.writeHead(200).write('1\n'));
    const iterator = pullNdjson(new AsyncAPIClient(server.origin), '/jobs')[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    const pending = iterator.next();
    await iterator.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    await open(() => server!.hits[0]);
  });

  it('an AbortSignal ends a waiting step with AbortError (its reason as cause) and closes the connection', async () => {
    server = await startServer((_req, res) => res.writeHead(200).write('1\n'));
    const controller = new AbortController();
    const iterator = pullNdjson(new AsyncAPIClient(server.origin), '/jobs', undefined, { signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort('user left');
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: 'user left' });
    await open(() => server!.hits[0]);
  });

  it('a signal aborted already sends nothing; a signal that is none is a ConfigurationError', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('1\n'));
    const client = new AsyncAPIClient(server.origin);
    const iterate = async (signal: AbortSignal) => {
      for await (const _ of pullNdjson(client, '/jobs', undefined, { signal }));
    };
    await expect(iterate(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    await expect(iterate({} as AbortSignal)).rejects.toBeInstanceOf(ConfigurationError);
    expect(server.hits).toHaveLength(0);
  });
});

describe('pull forms: the Observable form contract', () => {
  it('the retry policy until the first item: a 503 is retried, then the items come', async () => {
    let hits = 0;
    server = await startServer((_req, res) => ((hits += 1) === 1 ? res.writeHead(503).end() : res.writeHead(200).end('1\n2\n')));
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 5 } });
    const items: unknown[] = [];
    for await (const item of pullNdjson(client, '/jobs')) items.push(item);
    expect(items).toEqual([1, 2]);
    expect(server.hits).toHaveLength(2);
  });

  it('a 404 is thrown by the loop as HttpError, not retried', async () => {
    server = await startServer((_req, res) => res.writeHead(404).end());
    const loop = async () => {
      for await (const _ of pullLines(new AsyncAPIClient(server!.origin), '/missing'));
    };
    await expect(loop()).rejects.toBeInstanceOf(HttpError);
    expect(server.hits).toHaveLength(1);
  });

  it('a connection lost after the first item is a NetworkError, not retried (the items would repeat)', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200).write('1\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const items: unknown[] = [];
    const loop = async () => {
      for await (const item of pullNdjson(new AsyncAPIClient({ baseUrl: server!.origin, retry: { baseDelay: 5 } }), '/jobs')) items.push(item);
    };
    await expect(loop()).rejects.toBeInstanceOf(NetworkError);
    expect(items).toEqual([1]);
    expect(server.hits).toHaveLength(1);
  });

  it('a line that is not JSON: ParseError with its number, after the values before it; a line over maxBodySize: BodyTooLargeError', async () => {
    server = await startServer((req, res) => res.writeHead(200).end(req.url === '/bad' ? '1\n2\nnope\n3\n' : `1\n${'9'.repeat(64)}\n2\n`));
    const client = new AsyncAPIClient({ baseUrl: server.origin, maxBodySize: 32 });
    const collect = async (path: string) => {
      const items: unknown[] = [];
      try {
        for await (const item of pullNdjson(client, path)) items.push(item);
      } catch (error) {
        return { items, error };
      }
      return { items, error: undefined };
    };
    const bad = await collect('/bad');
    expect(bad.items).toEqual([1, 2]);
    expect(bad.error).toBeInstanceOf(ParseError);
    expect(bad.error).toMatchObject({ line: 3 });
    const long = await collect('/long');
    expect(long.items).toEqual([1]);
    expect(long.error).toBeInstanceOf(BodyTooLargeError);
    expect(long.error).toMatchObject({ maxBodySize: 32, receivedBytes: 64 });
  });

  it('features see the stream: withEvents tells the request and its end', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end('1\n'));
    const events = withEvents();
    const seen = eventsOf(events);
    for await (const _ of pullNdjson(new AsyncAPIClient({ baseUrl: server.origin }, events), '/jobs'));
    expect(seen.map((event) => event.type)).toContain('response');
  });

  it('an event stream reconnects with Last-Event-ID and goes on, as sse() does', async () => {
    server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The connection drops after the first event: the client reconnects.
      if (req.headers['last-event-id'] === undefined) res.write('retry: 10\nid: 1\ndata: a\n\n', () => setTimeout(() => res.socket?.destroy(), 10));
      else res.end(`id: 2\ndata: after ${req.headers['last-event-id']}\n\n`);
    });
    const client = new AsyncAPIClient(server.origin);
    const data: string[] = [];
    for await (const event of pullSse(client, '/feed')) {
      data.push(event.data);
      if (data.length === 2) break;
    }
    expect(data).toEqual(['a', 'after 1']);
    expect(server.hits[1]!.headers['last-event-id']).toBe('1');
  });
});

describe('pull forms: time limits (virtual time)', () => {
  /** One line now, the rest only when `more()` is called. */
  async function quietServer(): Promise<{ more: () => void }> {
    const responses: ServerResponse[] = [];
    server = await startServer((_req, res) => {
      res.writeHead(200).write('1\n');
      responses.push(res);
    });
    return { more: () => responses.forEach((res) => res.write('2\n3\n')) };
  }

  it('idleTimeout bounds a wait on a quiet server: TimeoutError (scope idle), the connection closed', async () => {
    await quietServer();
    useVirtualTime();
    const iterator = pullNdjson(new AsyncAPIClient(server!.origin), '/jobs', undefined, { idleTimeout: 1_000 })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    const pending = iterator.next();
    const outcome = pending.then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(999);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ scope: 'idle', timeoutMs: 1_000 });
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('idleTimeout does not count the loop’s own time: a slow consumer is no quiet server', async () => {
    const quiet = await quietServer();
    useVirtualTime();
    const iterator = pullNdjson(new AsyncAPIClient(server!.origin), '/jobs', undefined, { idleTimeout: 1_000 })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    // The loop takes 5 s over its item; the server sends meanwhile.
    quiet.more();
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await iterator.next()).value).toBe(2);
    expect((await iterator.next()).value).toBe(3);
    await iterator.return!();
  });

  it('withDeadline bounds the whole loop', async () => {
    await quietServer();
    useVirtualTime();
    const client = new AsyncAPIClient({ baseUrl: server!.origin }, withDeadline(2_000));
    const iterator = pullNdjson(client, '/jobs')[Symbol.asyncIterator]();
    await iterator.next();
    const outcome = iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await outcome).toMatchObject({ name: 'TimeoutError', scope: 'deadline' });
    await until(() => server!.hits[0]!.closedEarly);
  });
});
