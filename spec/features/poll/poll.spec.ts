import type { IncomingMessage, ServerResponse } from 'node:http';
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, bearerTokenAuth, ConfigurationError, HttpError, withTokenRefresh } from '../../../src/index.js';
import { poll, pollValues, type PollState } from '../../../src/features/poll/poll.js';
import { record } from '../../support/record.js';
import { startServer, type Hit, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';
import { useVirtualTime } from '../../support/virtual-time.js';

/**
 * The loopback API: `/stats` answers `body` with its ETag, and 304 to an If-None-Match that matches;
 * `answer` can be replaced per test. It counts conditional requests and 304s.
 */
let server: TestServer;
let body = '{"n":1}';
let answer: ((req: IncomingMessage, res: ServerResponse, hit: Hit) => void) | undefined;
let conditional = 0;
let notModified = 0;
const etag = () => `"${body.length}-${body}"`.replace(/[{}:]/g, '');

beforeEach(async () => {
  body = '{"n":1}';
  answer = undefined;
  conditional = 0;
  notModified = 0;
  server = await startServer((req, res, hit) => {
    if (answer) return answer(req, res, hit);
    if (req.headers['if-none-match'] !== undefined) conditional += 1;
    if (req.headers['if-none-match'] === etag()) {
      notModified += 1;
      return res.writeHead(304, { etag: etag() }).end();
    }
    res.writeHead(200, { 'content-type': 'application/json', etag: etag() }).end(body);
  });
  useVirtualTime();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

const clientOf = (options: Partial<ConstructorParameters<typeof AsyncAPIClient>[0] & object> = {}) =>
  new AsyncAPIClient({ baseUrl: server.origin, retry: { maxAttempts: 1 }, ...options });
const last = <T>(states: readonly PollState<T>[]) => states[states.length - 1]!;
/** Waits (real I/O, virtual timers stopped) until the server has had `n` requests and the poll has planned the next. */
const settled = async (n: number, states: readonly PollState<unknown>[]) => {
  await until(() => server.hits.length === n && last(states).nextTryAt !== undefined);
};

describe('poll: conditional, never overlapping', () => {
  it('sends If-None-Match from the last 200; a 304 keeps the same value object and moves lastChecked only', async () => {
    const polling = record(poll<{ n: number }>(clientOf(), '/stats', { interval: 5_000 }));
    await settled(1, polling.values);
    const first = last(polling.values);
    expect(first).toMatchObject({ value: { n: 1 }, lastFetched: Date.now(), lastChecked: Date.now(), stale: false, nextTryAt: Date.now() + 5_000 });
    expect(server.hits[0]!.headers['if-none-match']).toBeUndefined();

    await vi.advanceTimersByTimeAsync(5_000);
    await settled(2, polling.values);
    const second = last(polling.values);
    expect(server.hits[1]!.headers['if-none-match']).toBe(etag());
    // Node's fetch adds `cache-control: no-cache` to a conditional request (undici's transport does not):
    // the validator still reaches the server, and it answers 304 all the same.
    expect([undefined, 'no-cache']).toContain(server.hits[1]!.headers['cache-control']);
    expect(notModified).toBe(1);
    expect(second.value).toBe(first.value);
    expect(second.lastFetched).toBe(first.lastFetched);
    expect(second.lastChecked).toBe(first.lastChecked! + 5_000);

    body = '{"n":2}';
    await vi.advanceTimersByTimeAsync(5_000);
    await settled(3, polling.values);
    expect(last(polling.values).value).toEqual({ n: 2 });
    expect(conditional).toBe(2);
    polling.subscription.unsubscribe();
  });

  it('the next poll starts `interval` ms after the previous one ended, never while it is in flight', async () => {
    const held: ServerResponse[] = [];
    answer = (_req, res) => held.push(res);
    const polling = record(poll(clientOf({ timeout: false }), '/stats', { interval: 1_000 }));
    await until(() => held.length === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.hits).toHaveLength(1);
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    await settled(1, polling.values);
    await vi.advanceTimersByTimeAsync(999);
    expect(server.hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => held.length === 2);
    polling.subscription.unsubscribe();
  });

  it('without an ETag, a 200 byte-equal to the last keeps the value object; `equal` can widen that', async () => {
    let stamp = 1;
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body.replace('}', `,"at":${stamp}}`));
    const plain = record(poll<{ n: number }>(clientOf(), '/stats', { interval: 1_000 }));
    const loose = record(poll<{ n: number }>(clientOf(), '/stats', { interval: 1_000, equal: (a, b) => a.n === b.n }));
    await until(() => plain.values.some((s) => s.value) && loose.values.some((s) => s.value));
    const [a, b] = [last(plain.values).value, last(loose.values).value];
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => server.hits.length === 4);
    await until(() => last(plain.values).lastChecked === Date.now() && last(loose.values).lastChecked === Date.now());
    expect(last(plain.values).value).toBe(a);
    stamp = 2;
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => last(plain.values).lastChecked === Date.now() && last(loose.values).lastChecked === Date.now());
    expect(last(plain.values).value).not.toBe(a);
    expect(last(plain.values).value).toEqual({ n: 1, at: 2 });
    expect(last(loose.values).value).toBe(b);
    plain.subscription.unsubscribe();
    loose.subscription.unsubscribe();
  });

  it('pollValues emits each new value once: 304s and equal bodies emit nothing', async () => {
    const values = record(pollValues<{ n: number }>(clientOf(), '/stats', { interval: 1_000 }));
    await until(() => values.values.length === 1);
    for (const next of ['{"n":1}', '{"n":2}', '{"n":2}', '{"n":3}']) {
      body = next;
      const hits = server.hits.length;
      await vi.advanceTimersByTimeAsync(1_000);
      await until(() => server.hits.length === hits + 1);
    }
    await until(() => values.values.length === 3);
    expect(values.values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    values.subscription.unsubscribe();
  });

  it('a trigger polls at once and is ignored while a poll is in flight', async () => {
    const held: ServerResponse[] = [];
    answer = (_req, res) => held.push(res);
    const trigger = new Subject<void>();
    const polling = record(poll(clientOf({ timeout: false }), '/stats', { interval: 60_000, trigger }));
    await until(() => held.length === 1);
    trigger.next();
    trigger.next();
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    await settled(1, polling.values);
    trigger.next();
    await until(() => held.length === 2);
    expect(server.hits).toHaveLength(2);
    polling.subscription.unsubscribe();
  });

  it('a trigger that errors ends the poll with its error, and nothing is left running', async () => {
    const trigger = new Subject<void>();
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000, trigger }));
    await settled(1, polling.values);
    trigger.error(new Error('button gone'));
    expect(polling.error).toMatchObject({ message: 'button gone' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('two subscribers of one key share one poller, and a late one gets the current state; another key polls on its own', async () => {
    const client = clientOf();
    const a = record(poll(client, '/stats', { interval: 5_000 }));
    await settled(1, a.values);
    const b = record(poll(client, '/stats', { interval: 5_000 }));
    expect(last(b.values)).toBe(last(a.values));
    await vi.advanceTimersByTimeAsync(5_000);
    await until(() => notModified === 1);
    expect(server.hits).toHaveLength(2);
    const c = record(poll(client, '/stats', { interval: 5_000, key: 'widget-3' }));
    await settled(3, c.values);
    // Another client never shares a poller.
    const d = record(poll(clientOf(), '/stats', { interval: 5_000 }));
    await settled(4, d.values);
    for (const r of [a, b, c, d]) r.subscription.unsubscribe();
    // Nothing of the pollers is left: no poll comes, however long. (The timer count would also count the
    // keep-alive timers of Node's fetch, which differ between Node 20, 22 and 24.)
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.hits).toHaveLength(4);
  });
});

describe('poll: failures and the server’s pace', () => {
  it('after the retry policy gives up, keeps the last value, marks it stale and waits with its own growing backoff', async () => {
    let down = false;
    answer = (_req, res) => (down ? res.writeHead(503).end() : res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}'));
    const polling = record(poll<{ n: number }>(clientOf(), '/stats', { interval: 1_000, backoff: { baseDelay: 2_000, maxDelay: 5_000 } }));
    await settled(1, polling.values);
    const good = last(polling.values).value;
    down = true;
    const waits: number[] = [];
    for (let n = 2; n <= 5; n += 1) {
      await vi.advanceTimersByTimeAsync(n === 2 ? 1_000 : waits[waits.length - 1]!);
      await until(() => server.hits.length === n && last(polling.values).nextTryAt !== undefined && last(polling.values).error !== undefined);
      const state = last(polling.values);
      expect(state.value).toBe(good);
      expect(state.stale).toBe(true);
      expect(state.error).toBeInstanceOf(HttpError);
      waits.push(state.nextTryAt! - Date.now());
    }
    expect(waits).toEqual([2_000, 4_000, 5_000, 5_000]);
    down = false;
    await vi.advanceTimersByTimeAsync(5_000);
    await until(() => last(polling.values).stale === false);
    expect(last(polling.values)).toMatchObject({ error: undefined, value: good, nextTryAt: Date.now() + 1_000 });
    polling.subscription.unsubscribe();
  });

  it('a 503 with Retry-After waits what the server says', async () => {
    answer = (_req, res) => res.writeHead(503, { 'retry-after': '120' }).end();
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000 }));
    await settled(1, polling.values);
    expect(last(polling.values).nextTryAt).toBe(Date.now() + 120_000);
    polling.subscription.unsubscribe();
  });

  it('X-Poll-Interval and max-age slow the poll down', async () => {
    answer = (_req, res) => res.writeHead(200, { 'x-poll-interval': '60', 'cache-control': 'max-age=30' }).end('{}');
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000 }));
    await settled(1, polling.values);
    expect(last(polling.values).nextTryAt).toBe(Date.now() + 60_000);
    polling.subscription.unsubscribe();
  });

  it.each([403, 404])('a final %i ends the poll with its HttpError, and nothing is left running', async (code) => {
    answer = (_req, res) => res.writeHead(code).end();
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000 }));
    await until(() => polling.done());
    expect(polling.error).toMatchObject({ status: code });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.hits).toHaveLength(1);
  });

  it('a 401 goes through the client’s token refresh first, then the poll goes on; a 401 after it ends the poll', async () => {
    let token = 'old';
    let refreshes = 0;
    answer = (req, res) =>
      req.headers.authorization === 'Bearer new' ? res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}') : res.writeHead(401).end();
    const client = clientOf({ authHeaders: () => bearerTokenAuth(token) });
    const refreshing = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders: () => bearerTokenAuth(token), retry: { maxAttempts: 1 } },
      withTokenRefresh(() => {
        refreshes += 1;
        token = 'new';
      }),
    );
    const polling = record(poll<{ n: number }>(refreshing, '/stats', { interval: 1_000 }));
    await settled(2, polling.values);
    expect(refreshes).toBe(1);
    expect(last(polling.values).value).toEqual({ n: 1 });
    polling.subscription.unsubscribe();
    token = 'old';
    const without = record(poll(client, '/stats', { interval: 1_000 }));
    await until(() => without.done());
    expect(without.error).toMatchObject({ status: 401 });
  });
});

describe('poll: unsubscribing frees the socket and every timer', () => {
  it('during a request: the socket is closed', async () => {
    answer = () => undefined;
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000 }));
    await until(() => server.hits.length === 1);
    const emitted = polling.values.length;
    polling.subscription.unsubscribe();
    await until(() => server.hits[0]!.closedEarly);
    // Node's own fetch keeps timers of its own after an abort (the undici run has none): what shows that
    // ours are gone is that a minute later nothing was sent and nothing emitted.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.hits).toHaveLength(1);
    expect(polling.values).toHaveLength(emitted);
  });

  it('during the interval', async () => {
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000 }));
    await settled(1, polling.values);
    expect(vi.getTimerCount()).toBe(1);
    polling.subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.hits).toHaveLength(1);
  });

  it('during the backoff', async () => {
    answer = (_req, res) => res.writeHead(500).end();
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000 }));
    await settled(1, polling.values);
    expect(last(polling.values).stale).toBe(true);
    polling.subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('during the retry policy’s own wait', async () => {
    answer = (_req, res) => res.writeHead(503).end();
    const polling = record(poll(clientOf({ retry: { maxAttempts: 3 } }), '/stats', { interval: 1_000 }));
    await until(() => server.hits.length === 1 && vi.getTimerCount() > 0);
    polling.subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the next subscriber after the last one left starts a fresh poller', async () => {
    const client = clientOf();
    const first = record(poll(client, '/stats', { interval: 1_000 }));
    await settled(1, first.values);
    first.subscription.unsubscribe();
    const again = record(poll(client, '/stats', { interval: 1_000 }));
    await settled(2, again.values);
    expect(server.hits[1]!.headers['if-none-match']).toBeUndefined();
    again.subscription.unsubscribe();
  });
});

describe('poll: the request', () => {
  it.each<[string, HeadersInit]>([
    ['a record', { 'x-widget': 'a' }],
    ['Headers', new Headers({ 'x-widget': 'a' })],
    ['pairs', [['x-widget', 'a']]],
  ])('keeps its own headers (%s) beside the validators', async (_name, headers) => {
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000, headers: headers as Record<string, string> }));
    await settled(1, polling.values);
    await vi.advanceTimersByTimeAsync(1_000);
    await settled(2, polling.values);
    expect(server.hits.map((hit) => [hit.headers['x-widget'], hit.headers['if-none-match']])).toEqual([
      ['a', undefined],
      ['a', etag()],
    ]);
    polling.subscription.unsubscribe();
  });
});

describe('poll: checks', () => {
  it.each<[string, Parameters<typeof poll>[2], RegExp]>([
    ['a bad interval', { interval: -1 }, /interval must be a number of milliseconds above 0/],
    ['a trigger that is no Observable', { trigger: 'click' as never }, /trigger must be an Observable/],
    ['a parse that is no function', { parse: 'json' as never }, /parse must be a function/],
    ['an equal that is no function', { equal: true as never }, /equal must be a function/],
  ])('refuses %s with a ConfigurationError before anything is sent', (_name, options, message) => {
    expect(() => poll(clientOf(), '/stats', options)).toThrow(ConfigurationError);
    expect(() => poll(clientOf(), '/stats', options)).toThrow(message);
    expect(server.hits).toHaveLength(0);
  });

  it('an option the client does not know ends the poll with its ConfigurationError, as a read would', async () => {
    const polling = record(poll(clientOf(), '/stats', { intervall: 5 } as never));
    await until(() => polling.done());
    expect(polling.error).toBeInstanceOf(ConfigurationError);
    expect(server.hits).toHaveLength(0);
  });
});
