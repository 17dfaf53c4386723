import nock from 'nock';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, fetchTransport, NetworkError } from '../../src/index.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { bridged } from '../support/undici-bridge.js';
import { until } from '../support/until.js';
import { useOfflineNock } from '../support/offline-nock.js';

// Runs in the undici project only (vitest.config.ts): that the rest of that run really is on undici.
const ORIGIN = 'http://api.test';
let server: TestServer | undefined;

useOfflineNock();

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the undici run', () => {
  it('sends through undici by default, fetchTransport too: no user-agent, where fetch sends `node`', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('1'));
    nock.enableNetConnect('127.0.0.1');
    expect(await lastValueFrom(new AsyncAPIClient(server.origin).getJson('/x'))).toBe(1);
    expect(await lastValueFrom(new AsyncAPIClient({ baseUrl: server.origin, transport: fetchTransport }).getJson('/x'))).toBe(1);
    expect(server.hits.map((hit) => hit.headers['user-agent'])).toEqual([undefined, undefined]);
  });

  it("reaches nock's hosts through the bridge, on undici's sockets", async () => {
    nock(ORIGIN).post('/items', { name: 'lamp' }).reply(201, { id: 7 }, ['X-Id', '7', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
    const before = bridged.requests;
    const response = await lastValueFrom(new AsyncAPIClient(ORIGIN).request('POST', '/items', { json: { name: 'lamp' } }));
    expect(bridged.requests).toBe(before + 1);
    expect(response).toMatchObject({ status: 201, statusText: 'Created', url: `${ORIGIN}/items` });
    expect(response.headers.get('x-id')).toBe('7');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ id: 7 });
  });

  it("turns nock's replyWithError into a dead socket: a network error, retried", async () => {
    nock(ORIGIN).get('/x').times(3).replyWithError('connection reset by the stand-in');
    const recording = record(new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }).getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect(recording.error).toMatchObject({ attempts: 3 });
    expect(nock.isDone()).toBe(true);
  });

  it('lets no request that nock does not answer leave this machine', async () => {
    nock.enableNetConnect();
    const recording = record(new AsyncAPIClient({ baseUrl: 'http://unanswered.test', retry: false }).getJson('/x'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(NetworkError);
  });
});
