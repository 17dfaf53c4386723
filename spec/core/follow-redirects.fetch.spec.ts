// Uploads on Node's fetch keep no copy of their body (issue 15): a Blob or stream body goes with redirect 'error',
// the one mode in which fetch (undici) does not clone the request, and so does not tee the body into a branch that
// nobody reads. About fetch only (the undici run of the suite leaves this file out; undiciTransport() shows a
// redirect of such a body, and the client follows it: ./origins.spec.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, bearerTokenAuth, RedirectError, withEvents, type ClientEvent, type ClientOptions } from '../../src/index.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { ONE_SHOT_BODIES } from '../support/one-shot-bodies.js';

const STREAM_REFUSAL =
  'was redirected, and its body, a stream, cannot be sent again (fetch in Node sends it without keeping a copy): send a string or ArrayBuffer, or handle the redirect on the server';
const BLOB_REFUSAL =
  'was redirected, and fetch in Node follows no redirect of a body that is a Blob (it sends one without keeping a copy, which a redirect would need): send it through undiciTransport() from rx-api-client/undici, which follows it, or handle the redirect on the server';

interface Received {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: TestServer & { received: Received[] };
let other: TestServer;

/** Reads each request whole, then answers `/redirect?status=&to=` with that redirect and anything else with 200 and the bytes it got. */
async function redirectingServer(): Promise<TestServer & { received: Received[] }> {
  const received: Received[] = [];
  const started = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const url = new URL(req.url ?? '/', 'http://x');
      const location = url.searchParams.get('to');
      if (url.pathname === '/redirect') res.writeHead(Number(url.searchParams.get('status')), location === null ? {} : { location }).end('moved');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${chunks.reduce((n, c) => n + c.length, 0)}`);
    });
  });
  return Object.assign(started, { received });
}

beforeEach(async () => {
  server = await redirectingServer();
  other = await startServer((_req, res) => res.end('elsewhere'));
});

afterEach(async () => {
  await server.close();
  await other.close();
});

function newClient(options: Partial<ClientOptions> = {}): { client: AsyncAPIClient; events: ClientEvent[] } {
  const feature = withEvents();
  const client = new AsyncAPIClient({ baseUrl: server.origin, authHeaders: bearerTokenAuth('tok-SECRET'), retry: { baseDelay: 1 }, ...options }, feature);
  const events: ClientEvent[] = [];
  feature.events$.subscribe((event) => events.push(event));
  return { client, events };
}

describe('fetch in Node: a Blob or stream body is sent with redirect "error"', () => {
  it.each(ONE_SHOT_BODIES)('%s: any redirect (307, 308, 303 too) is a RedirectError, not retried; the body went once, chunked, and nothing reached the new location', async (_name, body) => {
    const { client, events } = newClient();
    for (const status of [307, 308, 303]) {
      const recording = record(client.request('POST', `/redirect?status=${status}&to=${encodeURIComponent(`${other.origin}/new`)}`, { body: body() as unknown as BodyInit }));
      await until(recording.done);
      expect(recording.error).toBeInstanceOf(RedirectError);
      expect((recording.error as Error).message).toBe(`POST ${server.origin}/redirect ${STREAM_REFUSAL}`);
      expect(recording.error).toMatchObject({ attempts: 1 });
    }
    expect(server.received.map(({ headers, body }) => [headers['transfer-encoding'], headers['content-length'], body])).toEqual([
      ['chunked', undefined, 'part-1,part-2'],
      ['chunked', undefined, 'part-1,part-2'],
      ['chunked', undefined, 'part-1,part-2'],
    ]);
    expect(other.hits).toEqual([]);
    expect(events.filter((e) => e.type === 'retry' || e.type === 'redirect')).toEqual([]);
  });

  it('a Blob goes with its content-length and type; a 307 is a RedirectError that says what to do, not retried, and nothing reaches the new location', async () => {
    const { client, events } = newClient();
    const file = new Blob(['a file of 19 bytes.'], { type: 'text/csv' });
    const recording = record(client.request('PUT', `/redirect?status=307&to=${encodeURIComponent(`${other.origin}/new`)}`, { body: file }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(RedirectError);
    expect((recording.error as Error).message).toBe(`PUT ${server.origin}/redirect ${BLOB_REFUSAL}`);
    expect(recording.error).toMatchObject({ attempts: 1 });
    expect(server.received.map(({ headers, body }) => [headers['content-length'], headers['content-type'], headers['transfer-encoding'], body])).toEqual([
      ['19', 'text/csv', undefined, 'a file of 19 bytes.'],
    ]);
    expect(other.hits).toEqual([]);
    expect(events.filter((e) => e.type === 'retry' || e.type === 'redirect')).toEqual([]);
  });

  it('fetch shows no 3xx of such a body: one without Location, or under maxRedirects: 0, is a RedirectError too', async () => {
    const { client } = newClient({ maxRedirects: 0 });
    for (const path of ['/redirect?status=302', `/redirect?status=302&to=/new`]) {
      const recording = record(client.request('PUT', path, { body: new Blob(['x']) }));
      await until(recording.done);
      expect(recording.error).toBeInstanceOf(RedirectError);
    }
    expect(server.received).toHaveLength(2);
  });

  it('under maxRedirects: 0 the RedirectError says how to get the 3xx itself', async () => {
    const { client } = newClient({ maxRedirects: 0 });
    const error = await lastValueFrom(client.request('PUT', '/redirect?status=302&to=/new', { body: new Blob(['x']) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as Error).message).toBe(
      `PUT ${server.origin}/redirect was answered with a redirect, which fetch in Node does not show for a body that is a Blob (it sends one without keeping a copy): send it through undiciTransport() from rx-api-client/undici to get the 3xx response`,
    );
  });

  it('a form with a file goes as a Blob does (a RedirectError on a 307); a form of strings still follows it', async () => {
    const { client } = newClient();
    const withFile = new FormData();
    withFile.set('name', 'report');
    withFile.set('file', new Blob(['a,b'], { type: 'text/csv' }), 'report.csv');
    const error = await lastValueFrom(client.request('POST', '/redirect?status=307&to=/new', { body: withFile })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as Error).message).toContain('a body that is a form with a file');
    const strings = new FormData();
    strings.set('name', 'report');
    const followed = await lastValueFrom(client.request('POST', '/redirect?status=307&to=/new', { body: strings }));
    expect(followed.status).toBe(200);
    expect(server.received.map(({ url }) => url.split('?', 1)[0])).toEqual(['/redirect', '/redirect', '/new']);
  });

  it("where fetch is not undici's (no process.versions.undici: Bun, Deno), a Blob keeps 'manual' and its 307 is followed", async () => {
    const saved = Object.getOwnPropertyDescriptor(process.versions, 'undici');
    delete (process.versions as { undici?: string }).undici;
    try {
      const { client } = newClient();
      const followed = await lastValueFrom(client.request('PUT', '/redirect?status=307&to=/new', { body: new Blob(['0123']) }));
      expect(await followed.text()).toBe('got 4');
      expect(server.received.map(({ url, body }) => [url.split('?', 1)[0], body])).toEqual([
        ['/redirect', '0123'],
        ['/new', '0123'],
      ]);
    } finally {
      if (saved) Object.defineProperty(process.versions, 'undici', saved);
    }
  });

  it('a Blob answered without a redirect is the answer; a JSON body still follows a 307 with its body', async () => {
    const { client } = newClient();
    const response = await lastValueFrom(client.request('PUT', '/file', { body: new Blob(['0123456789']) }));
    expect(await response.text()).toBe('got 10');
    expect(server.received[0]!.headers['content-length']).toBe('10');
    const followed = await lastValueFrom(client.request('POST', '/redirect?status=307&to=/new', { json: { n: 1 } }));
    expect(await followed.text()).toBe('got 7');
    expect(server.received.map(({ url, body }) => [url.split('?', 1)[0], body])).toEqual([
      ['/file', '0123456789'],
      ['/redirect', '{"n":1}'],
      ['/new', '{"n":1}'],
    ]);
  });
});

describe('fetch in Node keeps no copy of an upload', () => {
  const PIECE = 64 * 1024;
  const PIECES = 64; // 4 MiB

  /** Pieces made one at a time as the stream is pulled; each watched through a WeakRef, so that a copy kept anywhere shows. */
  function watchedPieces(): { stream: () => ReadableStream<Uint8Array>; alive: () => number } {
    const watched: WeakRef<Uint8Array>[] = [];
    const stream = () => {
      let made = 0;
      return new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (made === PIECES) return controller.close();
            const piece = new Uint8Array(PIECE).fill(0x61);
            watched.push(new WeakRef(piece));
            made += 1;
            controller.enqueue(piece);
          },
        },
        { highWaterMark: 0 },
      );
    };
    return { stream, alive: () => watched.filter((ref) => ref.deref() !== undefined).length };
  }

  /** A server that reads the whole body and answers only when told, so the upload's request is still in flight. */
  async function holdingServer(): Promise<TestServer & { bytes: () => number; answer: () => void }> {
    let bytes = 0;
    let answer = () => undefined as void;
    const held = await startServer((req, res) => {
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => (answer = () => void res.end(`got ${bytes}`)));
    });
    return Object.assign(held, { bytes: () => bytes, answer: () => answer() });
  }

  class WatchedBlob extends Blob {
    constructor(private readonly pieces: ReturnType<typeof watchedPieces>) {
      super([new Uint8Array(PIECE * PIECES)]);
    }

    // What fetch sends of a Blob: its stream().
    override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
      return this.pieces.stream() as ReadableStream<Uint8Array<ArrayBuffer>>;
    }
  }

  it.each([
    ['a ReadableStream', (pieces: ReturnType<typeof watchedPieces>) => pieces.stream(), undefined],
    ['a Blob', (pieces: ReturnType<typeof watchedPieces>) => new WatchedBlob(pieces), String(PIECE * PIECES)],
  ])('%s: once the server has it all, while the request is still in flight, no piece sent is still held', async (_name, body, contentLength) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const held = await holdingServer();
    try {
      const pieces = watchedPieces();
      const client = new AsyncAPIClient({ baseUrl: held.origin });
      const recording = record(client.request('PUT', '/upload', { body: body(pieces) as BodyInit }));
      await until(() => held.bytes() === PIECE * PIECES);
      // A tee's unread branch would hold every piece until the request ends: all of them are still to be seen now.
      gc!();
      await new Promise<void>((resolve) => setImmediate(resolve));
      gc!();
      expect(pieces.alive()).toBeLessThanOrEqual(2);
      held.answer();
      await until(recording.done);
      expect(recording.error).toBeUndefined();
      expect(held.hits[0]!.headers['content-length']).toBe(contentLength);
    } finally {
      await held.close();
    }
  });
});
