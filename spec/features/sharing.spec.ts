import type { ServerResponse } from 'node:http';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, bearerTokenAuth, paginate, withEvents, type ClientEvent } from '../../src/index.js';
import { withSharing } from '../../src/features/sharing.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

/** A server that holds every request until the test answers it, with `{"n": <hit number>}`. */
let server: TestServer;
let held: ServerResponse[];
const answerAll = () => held.splice(0).forEach((res, i) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"n":${i + 1}}`));

beforeEach(async () => {
  held = [];
  server = await startServer((_req, res) => held.push(res));
});
afterEach(() => server.close());

const sharingClient = (token = 'a') => new AsyncAPIClient({ baseUrl: server.origin, authHeaders: bearerTokenAuth(token) }, withSharing());

describe('withSharing', () => {
  it('identical reads in flight share one request and get the same answer, a late subscriber included', async () => {
    const client = sharingClient();
    const a = record(client.getJson('/items', { page: 1 }));
    const b = record(client.getJson('/items', { page: 1 }));
    await until(() => held.length === 1);
    const late = record(client.getJson('/items?page=1'));
    answerAll();
    await until(() => a.done() && b.done() && late.done());
    expect(server.hits).toHaveLength(1);
    expect(a.values[0]).toEqual({ n: 1 });
    expect(b.values[0]).toBe(a.values[0]);
    expect(late.values[0]).toBe(a.values[0]);
    // Once answered, the next read is a new request.
    const again = firstValueFrom(client.getJson('/items', { page: 1 }));
    await until(() => held.length === 1);
    answerAll();
    await again;
    expect(server.hits).toHaveLength(2);
  });

  it('reads of one URL with other readers do not share: each gets its own reader\'s value', async () => {
    const client = sharingClient();
    const json = record(client.getJson('/items'));
    const text = record(client.read('/items', { read: (r) => r.text(), accept: 'application/json' }));
    await until(() => held.length === 2);
    answerAll();
    await until(() => json.done() && text.done());
    expect(json.values[0]).toEqual({ n: 1 });
    expect(text.values[0]).toBe('{"n":2}');
  });

  it('paginate beside a getJson of the same URL gets its own request, and its pages with their responses', async () => {
    const client = sharingClient();
    const plain = record(client.getJson('/items'));
    const pages = record(paginate<{ n: number }>(client, '/items', undefined, { next: (response, body) => (response.ok && body.n === 2 ? { after: 2 } : null) }));
    await until(() => held.length === 2);
    answerAll();
    await until(() => held.length === 1);
    answerAll();
    await until(() => plain.done() && pages.done());
    expect(pages.error).toBeUndefined();
    expect(plain.values).toEqual([{ n: 1 }]);
    expect(pages.values).toEqual([{ n: 2 }, { n: 1 }]);
    expect(server.hits).toHaveLength(3);
  });

  it('without it, the same two reads are two requests', async () => {
    const client = new AsyncAPIClient({ baseUrl: server.origin });
    record(client.getJson('/items'));
    record(client.getJson('/items'));
    await until(() => held.length === 2);
    answerAll();
  });

  it.each<[string, (client: AsyncAPIClient) => unknown]>([
    ['another query', (client) => record(client.getJson('/items', { page: 2 }))],
    ['another Accept', (client) => record(client.read('/items', { read: (r) => r.text(), accept: 'text/csv' }))],
    ['request(), whose Response can be read once', (client) => record(client.request('GET', '/items'))],
    ['a POST', (client) => record(client.read('/items', { read: (r) => r.json() }, { method: 'POST', json: {} }))],
    ['a read with its own validators (a poll’s)', (client) => record(client.getJson('/items', undefined, { headers: { 'if-none-match': '"v1"' } }))],
  ])('does not share with %s', async (_name, other) => {
    const client = sharingClient();
    record(client.getJson('/items'));
    other(client);
    await until(() => held.length === 2);
    answerAll();
  });

  it('two clients (two credential scopes) never share', async () => {
    const a = record(sharingClient('alice').getJson('/me'));
    const b = record(sharingClient('bob').getJson('/me'));
    await until(() => held.length === 2);
    answerAll();
    await until(() => a.done() && b.done());
    expect(server.hits.map((hit) => hit.headers.authorization).sort()).toEqual(['Bearer alice', 'Bearer bob']);
  });

  it('the request is cancelled only when its last subscriber leaves; the events tell of one request', async () => {
    const events = withEvents();
    const seen: ClientEvent[] = [];
    events.events$.pipe(filter((e) => e.type === 'request' || e.type === 'cancel')).subscribe((e) => seen.push(e));
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withSharing(), events);
    const a = record(client.getJson('/slow'));
    const b = record(client.getJson('/slow'));
    await until(() => held.length === 1);
    a.subscription.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.hits[0]!.closedEarly).toBe(false);
    b.subscription.unsubscribe();
    await until(() => server.hits[0]!.closedEarly);
    expect(seen.map((e) => e.type)).toEqual(['request', 'cancel']);
  });

  it('a failed shared request fails every subscriber, and the next read starts afresh', async () => {
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: false }, withSharing());
    const a = record(client.getJson('/x'));
    const b = record(client.getJson('/x'));
    await until(() => held.length === 1);
    held.shift()!.writeHead(500).end();
    await until(() => a.done() && b.done());
    expect(a.error).toMatchObject({ status: 500 });
    expect(b.error).toBe(a.error);
    const next = lastValueFrom(client.getJson('/x'));
    await until(() => held.length === 1);
    answerAll();
    await expect(next).resolves.toEqual({ n: 1 });
  });
});
