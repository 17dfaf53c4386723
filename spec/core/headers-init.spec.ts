// Issue 13, item 15: headers and authHeaders take what the platform's Headers constructor takes. A Map or a
// Headers of another realm used to be read as an object without entries: nothing sent, not even the credentials.
import { lastValueFrom } from 'rxjs';
import { Headers as UndiciHeaders } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, type HeadersLike } from '../../src/index.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echo = async () => {
  server = await startServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)));
  return server.origin;
};

describe('headers and authHeaders as the platform takes them', () => {
  it.each<[string, () => HeadersLike]>([
    ['a Map', () => new Map([['Authorization', 'Bearer t']])],
    ["undici's own Headers", () => new UndiciHeaders({ Authorization: 'Bearer t' }) as unknown as Headers],
    ['pairs', () => [['Authorization', 'Bearer t']]],
  ])('authHeaders as %s: the credentials are sent, fixed or from a function', async (_name, make) => {
    const baseUrl = await echo();
    for (const authHeaders of [make(), () => make()]) {
      const seen = await lastValueFrom(new AsyncAPIClient({ baseUrl, authHeaders }).getJson<Record<string, string>>('/x'));
      expect(seen.authorization).toBe('Bearer t');
    }
  });

  it('client headers as a Map and request headers as a Headers of another realm are sent, the request\'s winning', async () => {
    const client = new AsyncAPIClient({ baseUrl: await echo(), headers: new Map([['X-Tenant', 'acme'], ['X-Trace', 'client']]) });
    const headers = new UndiciHeaders([['X-Trace', 'request']]) as unknown as Headers;
    const seen = await lastValueFrom(client.getJson<Record<string, string>>('/x', undefined, { headers }));
    expect(seen).toMatchObject({ 'x-tenant': 'acme', 'x-trace': 'request' });
  });
});
