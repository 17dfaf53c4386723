import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, bearerTokenAuth, ConfigurationError, poll } from '../../src/index.js';
import { withCache, type CacheOptions } from '../../src/features/cache.js';
import { withSharing } from '../../src/features/sharing.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useVirtualTime } from '../support/virtual-time.js';

/** `/items...` answers `{"v": version, "path"}` with an ETag of the version, and 304 to a matching If-None-Match. */
let server: TestServer;
let version = 1;
let notModified = 0;

beforeEach(async () => {
  version = 1;
  notModified = 0;
  server = await startServer((req, res) => {
    if (req.method !== 'GET') return res.writeHead(req.url === '/fail' ? 500 : 204).end();
    const etag = `"v${version}"`;
    if (req.headers['if-none-match'] === etag) {
      notModified += 1;
      return res.writeHead(304, { etag }).end();
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify({ v: version, path: req.url }));
  });
  useVirtualTime();
});
afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

const cachedClient = (options: CacheOptions = {}, token = 'a') => {
  const cache = withCache(options);
  return { cache, client: new AsyncAPIClient({ baseUrl: server.origin, authHeaders: bearerTokenAuth(token), retry: false }, cache) };
};
/** Every value of a read, once it has ended. */
const read = async (client: AsyncAPIClient, endpoint = '/items') => {
  const recording = record(client.getJson<{ v: number }>(endpoint));
  await until(() => recording.done());
  return recording.values;
};

describe('withCache: stale-then-fresh', () => {
  it('within maxAge: the cached value, same object, and no request', async () => {
    const { client } = cachedClient({ maxAge: 5_000 });
    const [first] = await read(client);
    vi.advanceTimersByTime(4_999);
    const again = await read(client);
    expect(again).toHaveLength(1);
    expect(again[0]).toBe(first);
    expect(server.hits).toHaveLength(1);
  });

  it('stale: the cached value at once, then nothing more when the server answers 304 to its ETag', async () => {
    const { client } = cachedClient({ maxAge: 1_000, staleWhileRevalidate: 60_000 });
    const [first] = await read(client);
    vi.advanceTimersByTime(1_000);
    const recording = record(client.getJson('/items'));
    // At once, before any answer.
    expect(recording.values).toEqual([first]);
    await until(() => recording.done());
    expect(recording.values).toEqual([first]);
    expect(server.hits[1]!.headers['if-none-match']).toBe('"v1"');
    expect(notModified).toBe(1);
    // The 304 renewed the entry: fresh again for maxAge.
    expect(await read(client)).toEqual([first]);
    expect(server.hits).toHaveLength(2);
  });

  it('stale: the cached value, then the fresh one when it differs', async () => {
    const { client } = cachedClient({ maxAge: 1_000 });
    await read(client);
    vi.advanceTimersByTime(1_000);
    version = 2;
    expect((await read(client)).map((value) => value.v)).toEqual([1, 2]);
  });

  it('past staleWhileRevalidate: no stale value; it revalidates and gives the cached value on a 304', async () => {
    const { client } = cachedClient({ maxAge: 1_000, staleWhileRevalidate: 1_000 });
    const [first] = await read(client);
    vi.advanceTimersByTime(2_000);
    const recording = record(client.getJson('/items'));
    expect(recording.values).toEqual([]);
    await until(() => recording.done());
    expect(recording.values).toEqual([first]);
    expect(notModified).toBe(1);
  });

  it('is bounded: the least recently used entry goes first', async () => {
    const { client } = cachedClient({ maxAge: 60_000, maxEntries: 2 });
    await read(client, '/items/a');
    await read(client, '/items/b');
    await read(client, '/items/a');
    await read(client, '/items/c');
    expect(server.hits).toHaveLength(3);
    await read(client, '/items/a');
    expect(server.hits).toHaveLength(3);
    await read(client, '/items/b');
    expect(server.hits).toHaveLength(4);
  });

  it('invalidate() drops by prefix (a path or a URL), or everything', async () => {
    const { client, cache } = cachedClient({ maxAge: 60_000 });
    for (const path of ['/items/1', '/items/2', '/users/1']) await read(client, path);
    cache.invalidate('/items');
    await read(client, '/items/1');
    await read(client, '/users/1');
    expect(server.hits.map((hit) => hit.url)).toEqual(['/items/1', '/items/2', '/users/1', '/items/1']);
    cache.invalidate(`${server.origin}/users/1`);
    await read(client, '/users/1');
    cache.invalidate();
    await read(client, '/items/1');
    expect(server.hits).toHaveLength(6);
  });

  it('a successful write to the path drops its reads; a failed one, or with invalidateOnWrite false, does not', async () => {
    const { client } = cachedClient({ maxAge: 60_000 });
    await read(client, '/items');
    await read(client, '/items?page=2');
    await lastValueFrom(client.request('POST', '/fail')).catch(() => undefined);
    await lastValueFrom(client.request('POST', '/items', { json: {} }));
    await read(client, '/items');
    await read(client, '/items?page=2');
    expect(server.hits.filter((hit) => hit.method === 'GET')).toHaveLength(4);
    const { client: keeping } = cachedClient({ maxAge: 60_000, invalidateOnWrite: false });
    await read(keeping, '/items');
    await lastValueFrom(keeping.request('DELETE', '/items'));
    await read(keeping, '/items');
    expect(server.hits.filter((hit) => hit.method === 'GET')).toHaveLength(5);
  });

  it('never serves one client’s cached value to another client', async () => {
    const cache = withCache({ maxAge: 60_000 });
    const alice = new AsyncAPIClient({ baseUrl: server.origin, authHeaders: bearerTokenAuth('alice') }, cache);
    const bob = new AsyncAPIClient({ baseUrl: server.origin, authHeaders: bearerTokenAuth('bob') }, cache);
    await read(alice);
    await read(bob);
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer alice', 'Bearer bob']);
  });

  it('with withSharing: two stale reads at once show the cached value and share one revalidation', async () => {
    const cache = withCache({ maxAge: 1_000 });
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withSharing(), cache);
    const [first] = await read(client);
    vi.advanceTimersByTime(1_000);
    version = 2;
    const a = record(client.getJson<{ v: number }>('/items'));
    const b = record(client.getJson<{ v: number }>('/items'));
    await until(() => a.done() && b.done());
    expect(a.values[0]).toBe(first);
    expect(b.values.map((value) => value.v)).toEqual([1, 2]);
    expect(b.values[1]).toBe(a.values[1]);
    expect(server.hits).toHaveLength(2);
  });

  it('a poll (its own validators) goes around it', async () => {
    const { client } = cachedClient({ maxAge: 60_000 });
    const polling = record(poll(client, '/items', { interval: 1_000 }));
    await until(() => polling.values.some((state) => state.nextTryAt !== undefined));
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => notModified === 1);
    await until(() => polling.values[polling.values.length - 1]!.nextTryAt !== undefined);
    expect(polling.values[polling.values.length - 1]!.value).toEqual({ v: 1, path: '/items' });
    polling.subscription.unsubscribe();
  });

  it.each<[string, CacheOptions, RegExp]>([
    ['a negative maxAge', { maxAge: -1 }, /withCache: maxAge must be a number from 0, not -1/],
    ['maxEntries 0', { maxEntries: 0 }, /maxEntries must be a number from 1/],
    ['a string', { staleWhileRevalidate: '1m' as unknown as number }, /staleWhileRevalidate must be a number from 0, not 1m/],
  ])('refuses %s with a ConfigurationError', (_name, options, message) => {
    expect(() => withCache(options)).toThrow(ConfigurationError);
    expect(() => withCache(options)).toThrow(message);
  });
});
