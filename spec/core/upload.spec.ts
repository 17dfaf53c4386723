// Issue 13, item 11: an upload read as it is sent (a Node stream, an async generator, a web stream) is
// streamed, its memory bounded whatever its size. The fetch transport always streamed it; the undici
// transport read it all into memory before sending a byte. Runs on both transports.
import { Readable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, type RequestBody } from '../../src/index.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

const CHUNK = 64 * 1024;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that counts the bytes of each upload as they arrive, and answers with the count and the headers it saw. */
async function countingServer(): Promise<TestServer & { received: () => number }> {
  let received = 0;
  const started = await startServer((req, res) => {
    req.on('data', (chunk: Buffer) => (received += chunk.byteLength));
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received, length: req.headers['content-length'] ?? null, type: req.headers['content-type'] ?? null })),
    );
  });
  return Object.assign(started, { received: () => received });
}

/**
 * Chunks that go in lock step with the server: each one is made only once the server has
 * received every byte before it. A transport that reads the whole body before it sends a byte
 * never gets past the first chunk (the wait fails after a few seconds).
 */
async function* lockStep(count: number, received: () => number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i += 1) {
    await until(() => received() >= i * CHUNK);
    yield new Uint8Array(CHUNK).fill(i);
  }
}

/** A web stream that pulls from `chunks` as it is read. */
function webStream(chunks: AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

describe('a body read as it is sent is streamed, not gathered first', () => {
  it.each<[string, (received: () => number) => RequestBody]>([
    ['an async generator', (received) => lockStep(16, received) as unknown as RequestBody],
    ['a Node Readable', (received) => Readable.from(lockStep(16, received)) as unknown as RequestBody],
    ['a web ReadableStream', (received) => webStream(lockStep(16, received))],
  ])('%s: each chunk reaches the server before the next is made', async (_name, make) => {
    const counting = await countingServer();
    server = counting;
    const client = new AsyncAPIClient({ baseUrl: counting.origin, retry: false });
    const reply = await lastValueFrom(client.read('/upload', { read: (response) => response.json() as Promise<{ received: number }> }, { method: 'PUT', body: make(counting.received) }));
    expect(reply.received).toBe(16 * CHUNK);
  });

  it('a 32 MiB upload from a Node stream never holds much more than the socket buffers in memory', async () => {
    const counting = await countingServer();
    server = counting;
    let made = 0;
    let ahead = 0;
    // Made as fast as the transport asks for them: how far ahead of the server it gets is what it holds.
    const body = Readable.from(
      (function* chunks(): Generator<Uint8Array> {
        for (let i = 0; i < 512; i += 1) {
          made += CHUNK;
          ahead = Math.max(ahead, made - counting.received());
          yield new Uint8Array(CHUNK);
        }
      })(),
    );
    const client = new AsyncAPIClient({ baseUrl: counting.origin, retry: false });
    const reply = await lastValueFrom(client.read('/upload', { read: (response) => response.json() as Promise<{ received: number }> }, { method: 'POST', body: body as unknown as RequestBody }));
    expect(reply.received).toBe(32 * 1024 * 1024);
    expect(ahead).toBeLessThan(16 * 1024 * 1024);
  });
});

it('a Blob is sent with its length and type (streamed, as fetch sends one)', async () => {
  const counting = await countingServer();
  server = counting;
  const client = new AsyncAPIClient({ baseUrl: counting.origin });
  const blob = new Blob([new Uint8Array(3 * CHUNK)], { type: 'application/octet-stream' });
  const reply = await lastValueFrom(client.read('/upload', { read: (response) => response.json() }, { method: 'POST', body: blob }));
  expect(reply).toEqual({ received: 3 * CHUNK, length: String(3 * CHUNK), type: 'application/octet-stream' });
});
