import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { lastValueFrom, switchMap, tap } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  apiKeyAuth,
  AsyncAPIClient,
  bearerTokenAuth,
  BodyTooLargeError,
  ConfigurationError,
  fetchTransport,
  HttpError,
  ParseError,
  withEvents,
  withInterceptors,
  type ClientEvent,
  type ClientOptions,
  type Feature,
  type Interceptor,
  type Transport,
} from '../../src/index.js';
import { undiciTransport } from '../../src/undici/index.js';
import { record } from '../support/record.js';
import { bodyDiesOnceThen, startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useVirtualTime } from '../support/virtual-time.js';

// What client.spec.ts shows with nock (which cannot intercept undici.request), here on real
// loopback servers and on both transports, so the undici one is held to fetch's behaviour.
const TRANSPORTS: [string, () => Transport][] = [
  ['fetch', () => fetchTransport],
  ['undici', () => undiciTransport()],
];

let server: TestServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

/** Answers each hit with the next of `replies` (the last one repeats). */
async function serve(...replies: [status: number, body?: string, headers?: Record<string, string>][]): Promise<TestServer> {
  server = await startServer((_req, res) => {
    const [status, body, headers] = replies[Math.min(server!.hits.length - 1, replies.length - 1)]!;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  });
  return server;
}

describe.each(TRANSPORTS)('the client on the %s transport', (_name, transport) => {
  const newClient = (options: ClientOptions, ...features: Feature[]) => new AsyncAPIClient({ ...options, transport: transport() }, ...features);

  it('retries a 503 after 2 s then 4 s and emits the value of the third attempt', async () => {
    const { origin, hits } = await serve([503, 'busy'], [503, 'busy'], [200, '{"price":42}']);
    useVirtualTime();
    const events = withEvents();
    const client = newClient({ baseUrl: origin }, events);
    const start = Date.now();
    const attemptTimes: number[] = [];
    let retries = 0;
    events.events$.subscribe((e) => {
      if (e.type === 'request') attemptTimes.push(Date.now() - start);
      if (e.type === 'retry') retries += 1;
    });
    const recording = record(client.getJson('/quote'));
    await until(() => retries === 1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => retries === 2);
    await vi.advanceTimersByTimeAsync(4000);
    await until(recording.done);
    expect(attemptTimes).toEqual([0, 2000, 6000]);
    expect(recording.values).toEqual([{ price: 42 }]);
    expect(recording.completed).toBe(true);
  });

  it('fails at once on a 404 with an HttpError whose response can still be read', async () => {
    const { origin, hits } = await serve([404, '{"detail":"why"}']);
    const recording = record(newClient({ baseUrl: origin }).getJson('/x'));
    await until(recording.done);
    const error = recording.error as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toBe(`GET ${origin}/x failed with status 404 Not Found`);
    expect(error.response.status).toBe(404);
    expect(error.response.headers.get('content-type')).toBe('application/json');
    expect(await error.response.json()).toEqual({ detail: 'why' });
    expect(hits).toHaveLength(1);
  });

  it('gives up after 3 attempts on a 500, and the final response is readable', async () => {
    const { origin, hits } = await serve([500, 'no']);
    const client = newClient({ baseUrl: origin, retry: { baseDelay: 1 } });
    const error = (await lastValueFrom(client.request('GET', '/x')).catch((e: unknown) => e)) as HttpError;
    expect(error).toMatchObject({ status: 500, attempts: 3 });
    expect(await error.response.text()).toBe('no');
    expect(hits).toHaveLength(3);
  });

  it('request() emits one Response, body unread, with status, headers and url', async () => {
    const { origin } = await serve([201, 'created', { 'x-id': '7', 'set-cookie': 'a=1' }]);
    const recording = record(newClient({ baseUrl: `${origin}/v1` }).request('POST', 'items', { json: { a: 1 } }));
    await until(recording.done);
    expect(recording.values).toHaveLength(1);
    const response = recording.values[0]!;
    expect(response).toBeInstanceOf(Response);
    expect(Object.prototype.toString.call(response)).toBe('[object Response]');
    expect(response).toMatchObject({ status: 201, statusText: 'Created', ok: true, redirected: false, type: 'basic', url: `${origin}/v1/items`, bodyUsed: false });
    expect(response.headers.get('x-id')).toBe('7');
    expect(await response.text()).toBe('created');
  });

  it('a Response from request() reads as fetch\'s does: once, by any reader, and clones before a read', async () => {
    const { origin } = await serve([200, '{"n":1}', { 'x-id': '7' }]);
    const client = newClient({ baseUrl: origin });
    const read = async (how: (response: Response) => Promise<unknown>) => how(await lastValueFrom(client.request('GET', '/x')));
    expect(await read((r) => r.json())).toEqual({ n: 1 });
    expect(new TextDecoder().decode(await read((r) => r.arrayBuffer()) as ArrayBuffer)).toBe('{"n":1}');
    expect(await read((r) => r.blob().then((b) => b.text()))).toBe('{"n":1}');
    expect(await read(async (r) => new TextDecoder().decode((await r.body!.getReader().read()).value))).toBe('{"n":1}');
    expect(new TextDecoder().decode(await read((r) => r.bytes()) as Uint8Array)).toBe('{"n":1}');
    const twice = await lastValueFrom(client.request('GET', '/x'));
    const copy = twice.clone();
    expect(await twice.text()).toBe('{"n":1}');
    expect(twice.bodyUsed).toBe(true);
    await expect(twice.text()).rejects.toBeInstanceOf(TypeError);
    expect(await copy.json()).toEqual({ n: 1 });
    expect(copy.headers.get('x-id')).toBe('7');
  });

  it.each([
    ['a 204', 204, undefined],
    ['an empty 200', 200, ''],
    ['a blank 200', 200, '  \n'],
  ])('getJson yields undefined for %s', async (_what, status, body) => {
    const { origin } = await serve([status, body]);
    expect(await lastValueFrom(newClient({ baseUrl: origin }).getJson('/x'))).toBeUndefined();
  });

  it('a 204 from request() is a Response with no body', async () => {
    const { origin } = await serve([204]);
    const response = await lastValueFrom(newClient({ baseUrl: origin }).request('DELETE', '/x'));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('errors with ParseError on a body that is not JSON, once', async () => {
    const { origin, hits } = await serve([200, '<html>x</html>']);
    const recording = record(newClient({ baseUrl: origin }).getJson('/page'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ParseError);
    expect((recording.error as ParseError).message).toBe(`GET ${origin}/page returned a body that is not valid JSON (body starts with "<html>x</html>")`);
    expect(hits).toHaveLength(1);
  });

  it('sends the method, the query, json with its content-type, and headers in their precedence', async () => {
    const bodies: string[] = [];
    server = await startServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end();
      });
    });
    const client = newClient({
      baseUrl: `${server.origin}/v1`,
      headers: { 'X-Client': 'c', Authorization: 'from client headers' },
      authHeaders: { ...bearerTokenAuth('auth-token'), ...apiKeyAuth('key-1', 'X-Key') },
    });
    await lastValueFrom(
      client.request('PUT', '/items/1', {
        params: { tag: ['a', 'b c'] },
        json: { name: 'n' },
        headers: { 'x-key': 'per-request', 'Content-Type': 'application/merge-patch+json' },
      }),
    );
    const [hit] = server.hits;
    expect(hit).toMatchObject({ method: 'PUT', url: '/v1/items/1?tag=a&tag=b+c' });
    expect(hit!.headers).toMatchObject({
      authorization: 'Bearer auth-token',
      'x-key': 'per-request',
      'x-client': 'c',
      'content-type': 'application/merge-patch+json',
    });
    expect(bodies).toEqual(['{"name":"n"}']);
  });

  it.each([
    ['a string', () => 'hello', 'text/plain;charset=UTF-8', 'hello'],
    ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'x y' }), 'application/x-www-form-urlencoded;charset=UTF-8', 'a=1&b=x+y'],
    ['a Blob', () => new Blob(['<a/>'], { type: 'application/xml' }), 'application/xml', '<a/>'],
    ['a Uint8Array', () => new TextEncoder().encode('bytes'), undefined, 'bytes'],
    ['a ReadableStream', () => new Blob(['streamed']).stream(), undefined, 'streamed'],
  ])('sends %s as fetch would, with its default content-type', async (_what, makeBody, contentType, text) => {
    let received = '';
    server = await startServer((req, res) => {
      req.on('data', (chunk: Buffer) => (received += chunk.toString()));
      req.on('end', () => res.writeHead(200).end());
    });
    await lastValueFrom(newClient({ baseUrl: server.origin }).request('POST', '/raw', { body: makeBody() }));
    expect(server.hits[0]!.headers['content-type']).toBe(contentType);
    expect(received).toBe(text);
  });

  it('follows a redirect once: the client follows it, the transport does not', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('"moved"');
    });
    const events = withEvents();
    const client = newClient({ baseUrl: server.origin }, events);
    const redirects: ClientEvent[] = [];
    events.events$.subscribe((e) => e.type === 'redirect' && redirects.push(e));
    expect(await lastValueFrom(client.getJson('/old'))).toBe('moved');
    expect(server.hits.map((h) => h.url)).toEqual(['/old', '/new']);
    expect(redirects).toHaveLength(1);
  });

  it('hands a redirect over as it is with maxRedirects: 0, so the transport itself follows none', async () => {
    server = await startServer((_req, res) => res.writeHead(302, { location: '/new' }).end());
    const response = await lastValueFrom(newClient({ baseUrl: server.origin, maxRedirects: 0 }).request('GET', '/old'));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/new');
    expect(server.hits.map((h) => h.url)).toEqual(['/old']);
  });

  it('unsubscribing mid-body closes the connection', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
    });
    const events = withEvents();
    const client = newClient({ baseUrl: server.origin }, events);
    let responded = false;
    events.events$.subscribe((e) => e.type === 'response' && (responded = true));
    const subscription = client.getJson('/slow').subscribe();
    await until(() => responded);
    subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(server.hits).toHaveLength(1);
  });

  it('a body that dies mid-way is a network error, retried', async () => {
    server = await startServer(bodyDiesOnceThen('{"ok":true}'));
    const events = withEvents();
    const client = newClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }, events);
    const retries: ClientEvent[] = [];
    events.events$.subscribe((e) => e.type === 'retry' && retries.push(e));
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ ok: true });
    expect(retries.map((e) => (e.type === 'retry' ? e.reason : ''))).toEqual(['network error']);
  });

  it('unsubscribing before the headers closes the connection, and nothing is emitted', async () => {
    server = await startServer(() => undefined);
    const feature = withEvents();
    const client = newClient({ baseUrl: server.origin }, feature);
    const events: ClientEvent[] = [];
    feature.events$.subscribe((e) => events.push(e));
    const recording = record(client.getJson('/hang'));
    await until(() => server!.hits.length === 1);
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(recording.values).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['request', 'cancel']);
  });

  it('decodes a gzip body that the server sends unasked, and keeps the headers as sent', async () => {
    const gzipped = gzipSync('{"packed":true}');
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gzipped.length) }).end(gzipped);
    });
    const client = newClient({ baseUrl: server.origin });
    expect(await lastValueFrom(client.getJson('/x'))).toEqual({ packed: true });
    const response = await lastValueFrom(client.request('GET', '/x'));
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe('{"packed":true}');
  });

  it.each([
    ['zlib-wrapped deflate', deflateSync],
    ['raw deflate, as some servers send it', deflateRawSync],
  ])('decodes %s, as fetch does', async (_what, deflate) => {
    const packed = deflate('{"packed":"deflate"}');
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'deflate', 'content-length': String(packed.length) }).end(packed);
    });
    expect(await lastValueFrom(newClient({ baseUrl: server.origin }).getJson('/x'))).toEqual({ packed: 'deflate' });
  });

  it('a network Response: type "basic", and a HEAD answer has no body', async () => {
    const { origin } = await serve([200, '{"n":1}']);
    const client = newClient({ baseUrl: origin });
    expect((await lastValueFrom(client.request('GET', '/x'))).type).toBe('basic');
    const head = await lastValueFrom(client.request('HEAD', '/x'));
    expect(head.body).toBeNull();
    expect(await head.text()).toBe('');
  });

  it('after a read, the body is a used, locked stream and the other readers reject', async () => {
    const { origin } = await serve([200, '{"n":1}']);
    const response = await lastValueFrom(newClient({ baseUrl: origin }).request('GET', '/x'));
    expect(await response.text()).toBe('{"n":1}');
    expect(response.bodyUsed).toBe(true);
    expect(response.body?.locked).toBe(true);
    await expect(response.blob()).rejects.toBeInstanceOf(TypeError);
    await expect(response.json()).rejects.toBeInstanceOf(TypeError);
  });

  it('its body stream is used as fetch\'s is: asked for, it is not used until read; read, locked or cancelled, the readers reject', async () => {
    const { origin } = await serve([200, '{"n":1}']);
    const client = newClient({ baseUrl: origin });
    const fresh = () => lastValueFrom(client.request('GET', '/x'));
    const asked = await fresh();
    const body = asked.body!;
    // Left alone a while (the body has come in by then), a stream that nobody reads is not used: nothing read ahead.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([asked.bodyUsed, asked.body === body]).toEqual([false, true]);
    const copy = asked.clone();
    expect([await asked.text(), asked.bodyUsed, await copy.json()]).toEqual(['{"n":1}', true, { n: 1 }]);
    const read = await fresh();
    await read.body!.getReader().read();
    expect(read.bodyUsed).toBe(true);
    await expect(read.text()).rejects.toBeInstanceOf(TypeError);
    expect(() => read.clone()).toThrow(TypeError);
    const locked = await fresh();
    locked.body!.getReader();
    expect(locked.bodyUsed).toBe(false);
    await expect(locked.json()).rejects.toBeInstanceOf(TypeError);
    const cancelled = await fresh();
    await cancelled.body!.cancel();
    expect(cancelled.bodyUsed).toBe(true);
    await expect(cancelled.arrayBuffer()).rejects.toBeInstanceOf(TypeError);
    const blob = await fresh();
    void blob.body;
    expect(await (await blob.blob()).text()).toBe('{"n":1}');
    // A clone read first leaves the original unused, and readable.
    const original = await fresh();
    void original.body;
    expect(await original.clone().text()).toBe('{"n":1}');
    expect(original.bodyUsed).toBe(false);
    expect(await original.text()).toBe('{"n":1}');
    // Used from the moment a read or a pipe is asked for, not from when the data moves.
    const piped = await fresh();
    void piped.body!.pipeTo(new WritableStream());
    expect(piped.bodyUsed).toBe(true);
    const reading = await fresh();
    void reading.body!.getReader().read();
    expect(reading.bodyUsed).toBe(true);
  });

  it('a logging interceptor that reads a clone of each answer leaves the answer to the reader', async () => {
    const { origin } = await serve([200, '{"n":1}']);
    const logged: string[] = [];
    const logging: Interceptor = (request, next) =>
      next(request).pipe(
        switchMap(async (response) => {
          if (response.body !== null) logged.push(await response.clone().text());
          return response;
        }),
      );
    expect(await lastValueFrom(newClient({ baseUrl: origin }, withInterceptors(logging)).getJson('/x'))).toEqual({ n: 1 });
    expect(logged).toEqual(['{"n":1}']);
  });

  it('a body refused by its content-length is cancelled before its first read, and that closes the connection', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
    });
    const recording = record(newClient({ baseUrl: server.origin }).getJson('/x', undefined, { maxBodySize: 100 }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(BodyTooLargeError);
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('a bad request errors with ConfigurationError and sends nothing', async () => {
    const { origin, hits } = await serve([200]);
    const recording = record(newClient({ baseUrl: origin }).request('GET', 'https://evil.test/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect(hits).toEqual([]);
  });
});

describe('undiciTransport', () => {
  it('uses the dispatcher it is given', async () => {
    const { Agent } = await import('undici');
    const dispatcher = new Agent();
    const dispatch = vi.spyOn(dispatcher, 'dispatch');
    const { origin } = await serve([200, '1']);
    const client = new AsyncAPIClient({ baseUrl: origin, transport: undiciTransport({ dispatcher }) });
    expect(await lastValueFrom(client.getJson('/x'))).toBe(1);
    expect(dispatch).toHaveBeenCalledTimes(1);
    await dispatcher.close();
  });

  it('its Response passes through interceptors untouched: the body is built on first use only, and a locked one is still refused', async () => {
    const { origin } = await serve([200, '{"a":1}']);
    const untouched = Symbol.for('rx-api-client.body-untouched');
    const client = new AsyncAPIClient({ baseUrl: origin, transport: undiciTransport() }, withInterceptors((request, next) => next(request)));
    const response = await lastValueFrom(client.request('GET', '/x'));
    // The interceptors' check for a body handed out twice did not ask for `body`, which builds a web stream.
    expect((response as unknown as Record<symbol, boolean>)[untouched]).toBe(true);
    expect(await response.json()).toEqual({ a: 1 });
    expect((response as unknown as Record<symbol, boolean>)[untouched]).toBe(false);
    // A body that somebody took a reader of, before the chain answered with it, is refused as before.
    const locking = new AsyncAPIClient(
      { baseUrl: origin, transport: undiciTransport() },
      withInterceptors((request, next) => next(request).pipe(tap((answer) => answer.body!.getReader()))),
    );
    const recording = record(locking.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(/response\.clone\(\)/);
  });

  it('keeps at most `connections` sockets per origin', async () => {
    const sockets = new Set<unknown>();
    server = await startServer((req, res) => {
      sockets.add(req.socket);
      setTimeout(() => res.writeHead(200).end('1'), 5);
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport: undiciTransport({ connections: 2 }) });
    await Promise.all(Array.from({ length: 8 }, () => lastValueFrom(client.getJson('/x'))));
    expect(server.hits).toHaveLength(8);
    expect(sockets.size).toBe(2);
  });

  it('a transport that is not a function is a ConfigurationError', () => {
    expect(() => new AsyncAPIClient({ baseUrl: 'http://127.0.0.1', transport: {} as never })).toThrow(
      /transport must be a function such as undiciTransport\(\)/,
    );
  });
});
