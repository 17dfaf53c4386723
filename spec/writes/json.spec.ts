// Issue 13, item 12: a write's JSON reply, read inside the attempt as getJson reads one, so that the
// per-attempt timeout and unsubscribing cover the read. Runs on both transports.
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, ParseError, patchJson, postJson, putJson, sendJson, TimeoutError, withEvents } from '../../src/index.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Echo {
  readonly method: string;
  readonly body: unknown;
  readonly contentType: string;
  readonly accept: string;
}

/** A server that answers each request with what it got, as JSON. */
async function echoServer(): Promise<TestServer> {
  return startServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () =>
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, body: text === '' ? null : JSON.parse(text), contentType: req.headers['content-type'], accept: req.headers.accept })),
    );
  });
}

/** A server that sends the reply's headers and the start of its body, then nothing more. */
async function stallingServer(): Promise<TestServer> {
  return startServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id": 4');
    });
  });
}

describe('JSON writes', () => {
  it.each([
    ['postJson', 'POST', postJson],
    ['putJson', 'PUT', putJson],
    ['patchJson', 'PATCH', patchJson],
  ] as const)('%s sends the value as JSON and emits the parsed reply', async (_name, method, write) => {
    server = await echoServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin });
    const reply = await lastValueFrom(write<Echo>(client, '/items', { name: 'lamp' }));
    expect(reply).toEqual({ method, body: { name: 'lamp' }, contentType: 'application/json', accept: 'application/json' });
  });

  it('sendJson takes any method, and no body when the value is undefined', async () => {
    server = await echoServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin });
    expect(await lastValueFrom(sendJson<Echo>(client, 'delete', '/items/7'))).toMatchObject({ method: 'DELETE', body: null });
  });

  it('unsubscribing while the reply is read closes the connection', async () => {
    server = await stallingServer();
    const events = withEvents();
    let responded = false;
    events.events$.subscribe((event) => (responded ||= event.type === 'response'));
    const client = new AsyncAPIClient({ baseUrl: server.origin }, events);
    const recording = record(postJson(client, '/items', { name: 'lamp' }));
    // The reply's headers came: the read of its body is under way.
    await until(() => responded);
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    expect(recording.values).toEqual([]);
    expect(recording.error).toBeUndefined();
  });

  it('the per-attempt timeout covers the read of the reply', async () => {
    server = await stallingServer();
    const client = new AsyncAPIClient({ baseUrl: server.origin, timeout: 100, retry: false });
    const recording = record(postJson(client, '/items', { name: 'lamp' }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    expect(recording.error).toMatchObject({ method: 'POST', scope: 'attempt' });
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('a reply that is not JSON is a ParseError; a 204 is undefined', async () => {
    server = await startServer((req, res) => {
      req.resume();
      req.on('end', () => (req.url === '/none' ? res.writeHead(204).end() : res.writeHead(200).end('<html>')));
    });
    const client = new AsyncAPIClient({ baseUrl: server.origin });
    await expect(lastValueFrom(postJson(client, '/page', {}))).rejects.toBeInstanceOf(ParseError);
    expect(await lastValueFrom(putJson(client, '/none', {}))).toBeUndefined();
  });
});
