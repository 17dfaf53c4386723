import { gzipSync } from 'node:zlib';
import { lastValueFrom, toArray, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  asBlob,
  asBytes,
  asChunks,
  AsyncAPIClient,
  BodyTooLargeError,
  ConfigurationError,
  download,
  fetchTransport,
  upload,
  withUploadProgress,
  type RequestBody,
  type Transport,
  type TransferEvent,
  type TransferProgress,
} from '../../src/index.js';
import { undiciTransport } from '../../src/undici/index.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

// Transfers against a loopback server, on both Node transports. The 256 MiB sizes and peak memory are
// bench/progress.ts's: here sizes that keep the suite fast.
const TRANSPORTS: [string, () => Transport][] = [
  ['fetch', () => fetchTransport],
  ['undici', () => undiciTransport()],
];
const MiB = 1024 * 1024;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Bytes whose content is checkable: byte i is i mod 251. */
function payload(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = i % 251;
  return bytes;
}

const progressOf = (events: TransferEvent<unknown>[]) => events.filter((event): event is TransferProgress => event.type !== 'result');

/** Within each attempt: counts that only grow, the attempt's number, and (where the total is known) a last count that is it. */
function expectWellFormed(events: TransferProgress[], size: number, total: number | undefined): void {
  expect(events.length).toBeGreaterThan(0);
  for (let i = 1; i < events.length; i += 1) {
    if (events[i]!.attempt === events[i - 1]!.attempt) expect(events[i]!.loaded).toBeGreaterThan(events[i - 1]!.loaded);
    else expect(events[i]!.attempt).toBe(events[i - 1]!.attempt + 1);
  }
  const last = events.at(-1)!;
  expect(last.loaded).toBe(size);
  expect(last.total).toBe(total);
}

describe.each(TRANSPORTS)('download progress on %s', (_name, transport) => {
  it.each([1 * MiB, 16 * MiB])('of %i bytes: from 0 to content-length, then the bytes', async (size) => {
    const body = payload(size);
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) }).end(body));
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() });
    const events = await lastValueFrom(download(client, '/file', asBytes, { progressInterval: 0, maxBodySize: false }).pipe(toArray()));
    const progress = progressOf(events);
    expect(progress[0]).toEqual({ type: 'download', loaded: 0, total: size, attempt: 1 });
    expectWellFormed(progress, size, size);
    expect(progress.length).toBeGreaterThan(2);
    const result = events.at(-1)!;
    expect(result.type).toBe('result');
    expect(Buffer.from((result as { value: Uint8Array }).value).equals(Buffer.from(body))).toBe(true);
  });

  it('of a compressed body: no total, and loaded counts the bytes after decompression', async () => {
    const text = 'x'.repeat(MiB);
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(text)));
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() });
    const events = await lastValueFrom(download(client, '/file', asBlob, { progressInterval: 0 }).pipe(toArray()));
    expectWellFormed(progressOf(events), MiB, undefined);
    const blob = (events.at(-1) as { value: Blob }).value;
    expect([blob.size, blob.type]).toEqual([MiB, 'text/plain']);
  });

  it('of JSON: the parsed value comes last', async () => {
    const items = Array.from({ length: 20_000 }, (_, id) => ({ id, name: `item ${id}` }));
    const json = JSON.stringify(items);
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(json));
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() });
    const events = await lastValueFrom(download(client, '/items', { read: (response) => response.json() as Promise<unknown> }, { progressInterval: 0 }).pipe(toArray()));
    expect(events.at(-1)).toEqual({ type: 'result', value: items });
    expect(progressOf(events).at(-1)!.loaded).toBe(Buffer.byteLength(json));
  });

  it('restarts from 0 with the attempt number after a retried failure', async () => {
    let hits = 0;
    server = await startServer((_req, res) => {
      hits += 1;
      if (hits === 1) {
        // Headers and half the body, then the connection dies: a network error, retried.
        res.writeHead(200, { 'content-length': String(MiB) });
        res.write(payload(MiB / 2), () => res.socket?.destroy());
      } else res.writeHead(200, { 'content-length': String(MiB) }).end(payload(MiB));
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport(), retry: { baseDelay: 1 } });
    const progress = progressOf(await lastValueFrom(download(client, '/file', asBytes, { progressInterval: 0 }).pipe(toArray())));
    const second = progress.findIndex((event) => event.attempt === 2);
    expect(second).toBeGreaterThan(0);
    expect(progress[second]).toEqual({ type: 'download', loaded: 0, total: MiB, attempt: 2 });
    expectWellFormed(progress, MiB, MiB);
  });

  it('cancelled on unsubscribe: the server sees the connection closed', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(64 * MiB) });
      res.write(payload(MiB)); // and never the rest
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() });
    const seen: TransferEvent<Uint8Array>[] = [];
    const subscription: Subscription = download(client, '/file', asBytes, { progressInterval: 0, maxBodySize: false }).subscribe((event) => seen.push(event));
    await until(() => seen.some((event) => event.type === 'download' && event.loaded > 0));
    subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(seen.every((event) => event.type === 'download')).toBe(true);
  });

  it('of chunks: the progress and each chunk in one stream, every chunk after the count that includes it', async () => {
    const size = 4 * MiB;
    server = await startServer((_req, res) => res.writeHead(200, { 'content-length': String(size) }).end(payload(size)));
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() });
    const events = await lastValueFrom(download(client, '/file', asChunks, { progressInterval: 0 }).pipe(toArray()));
    expectWellFormed(progressOf(events), size, size);
    let counted = 0;
    let read = 0;
    for (const event of events) {
      if (event.type === 'result') {
        read += event.value.byteLength;
        expect(read).toBeLessThanOrEqual(counted);
      } else counted = event.loaded;
    }
    expect(read).toBe(size);
  });

  it('asBytes keeps to maxBodySize', async () => {
    server = await startServer((_req, res) => res.writeHead(200).end(payload(2048)));
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() });
    await expect(lastValueFrom(client.read('/file', asBytes, { maxBodySize: 1024 }))).rejects.toBeInstanceOf(BodyTooLargeError);
  });
});

describe.each(TRANSPORTS)('upload progress on %s', (_name, transport) => {
  /** A server that counts what it receives and answers it with the framing it saw. */
  const countingServer = () =>
    startServer((req, res) => {
      let received = 0;
      req.on('data', (chunk: Buffer) => (received += chunk.length));
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ received, contentLength: req.headers['content-length'] ?? null, chunked: req.headers['transfer-encoding'] === 'chunked' })),
      );
    });

  it.each([
    ['bytes', 1 * MiB, (size: number) => payload(size)],
    ['bytes', 16 * MiB, (size: number) => payload(size)],
    ['a Blob', 4 * MiB, (size: number) => new Blob([payload(size)])],
    ['a string', 2 * MiB, (size: number) => 'y'.repeat(size)],
  ] as const)('of %s (%i bytes): counted up to the total, sent with its content-length', async (_kind, size, make) => {
    server = await countingServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() }, withUploadProgress());
    const events = await lastValueFrom(upload(client, '/files', make(size), { progressInterval: 0 }).pipe(toArray()));
    expect(events.at(-1)).toEqual({ type: 'result', value: { received: size, contentLength: String(size), chunked: false } });
    const progress = progressOf(events);
    expect(progress.every((event) => event.type === 'upload')).toBe(true);
    expectWellFormed(progress, size, size);
    expect(progress.length).toBeGreaterThan(size / (128 * 1024));
  });

  it('of a stream: counted without a total, sent chunked as before', async () => {
    server = await countingServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() }, withUploadProgress());
    async function* parts() {
      for (let i = 0; i < 16; i += 1) yield payload(64 * 1024);
    }
    const events = await lastValueFrom(upload(client, '/files', parts() as unknown as RequestBody, { progressInterval: 0, method: 'PUT' }).pipe(toArray()));
    expect(events.at(-1)).toEqual({ type: 'result', value: { received: MiB, contentLength: null, chunked: true } });
    expectWellFormed(progressOf(events), MiB, undefined);
  });

  it('of FormData: encoded as fetch encodes it, with its length', async () => {
    server = await countingServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() }, withUploadProgress());
    const form = new FormData();
    form.append('file', new Blob([payload(MiB)]), 'a.bin');
    const events = await lastValueFrom(upload(client, '/files', form, { progressInterval: 0 }).pipe(toArray()));
    const { value } = events.at(-1) as { value: { received: number; contentLength: string } };
    expect(value.received).toBeGreaterThan(MiB);
    expect(value.contentLength).toBe(String(value.received));
    expectWellFormed(progressOf(events), value.received, value.received);
  });

  it('restarts with the attempt number after a 503', async () => {
    let hits = 0;
    server = await startServer((req, res) => {
      hits += 1;
      req.resume();
      req.on('end', () => (hits === 1 ? res.writeHead(503).end() : res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}')));
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport(), retry: { baseDelay: 1 } }, withUploadProgress());
    const events = await lastValueFrom(upload(client, '/files', () => payload(MiB), { progressInterval: 0 }).pipe(toArray()));
    const progress = progressOf(events);
    expect(new Set(progress.map((event) => event.attempt))).toEqual(new Set([1, 2]));
    expect(progress.filter((event) => event.attempt === 1).at(-1)!.loaded).toBe(MiB);
    expectWellFormed(progress, MiB, MiB);
    expect(events.at(-1)).toEqual({ type: 'result', value: { ok: true } });
  });

  it('cancelled on unsubscribe: the server sees the connection closed', async () => {
    let closed = false;
    let received = 0;
    server = await startServer((req) => {
      req.on('data', (chunk: Buffer) => (received += chunk.length));
      req.socket.on('close', () => (closed = true));
    });
    // A body made slowly, so the upload is still going when it is cancelled.
    async function* slowly() {
      for (let i = 0; i < 1024; i += 1) {
        yield payload(64 * 1024);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: transport() }, withUploadProgress());
    const seen: TransferEvent<unknown>[] = [];
    const subscription = upload(client, '/files', slowly() as unknown as RequestBody, { progressInterval: 0 }).subscribe((event) => seen.push(event));
    await until(() => seen.length > 2);
    subscription.unsubscribe();
    await until(() => closed);
    expect(received).toBeLessThan(64 * MiB);
    expect(progressOf(seen).at(-1)!.loaded).toBeLessThan(64 * MiB);
  });
});

describe('progress options', () => {
  it('upload() without withUploadProgress() says what to add', async () => {
    const client = new AsyncAPIClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(lastValueFrom(upload(client, '/files', 'a'))).rejects.toThrow(/withUploadProgress\(\)/);
  });

  it.each([-1, Number.NaN, '50'])('progressInterval %s is a ConfigurationError', async (progressInterval) => {
    const client = new AsyncAPIClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(lastValueFrom(download(client, '/file', asBytes, { progressInterval: progressInterval as number }))).rejects.toBeInstanceOf(ConfigurationError);
  });
});
