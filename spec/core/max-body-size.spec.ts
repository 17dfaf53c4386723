import nock from 'nock';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, BodyTooLargeError, ConfigurationError, DEFAULTS, withEvents, type ClientEvent } from '../../src/index.js';
import { resolveClientOptions, resolveMaxBodySize } from '../../src/core/options.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';

const ORIGIN = 'http://api.test';
const BODY = JSON.stringify({ data: 'x'.repeat(2000) }); // 2013 bytes

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function serve(times = 1): { hits: () => number } {
  let hits = 0;
  nock(ORIGIN)
    .get('/big')
    .times(times)
    .reply(() => {
      hits += 1;
      return [200, BODY, { 'content-type': 'application/json' }];
    });
  return { hits: () => hits };
}

describe('resolveMaxBodySize', () => {
  it.each([
    [undefined, 52_428_800],
    [false, Infinity],
    [Infinity, Infinity],
    [0, 0],
    [1024, 1024],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ] as const)('%j → %j', (value, expected) => {
    expect(resolveMaxBodySize(value, 52_428_800)).toBe(expected);
  });

  it.each([[-1], [1.5], [Number.NaN], [2 ** 53], ['1024'], [true], [null]])('refuses %j', (value) => {
    expect(() => resolveMaxBodySize(value as never, 1)).toThrow(ConfigurationError);
    expect(() => resolveMaxBodySize(value as never, 1)).toThrow(/maxBodySize must be a whole number of bytes \(0 or more\), or false for no limit/);
  });

  it('is 50 MiB by default, and a bad client option throws at construction', () => {
    expect(DEFAULTS.maxBodySize).toBe(50 * 1024 * 1024);
    expect(resolveClientOptions({ baseUrl: 'https://h' }).maxBodySize).toBe(DEFAULTS.maxBodySize);
    expect(resolveClientOptions({ baseUrl: 'https://h', maxBodySize: false }).maxBodySize).toBe(Infinity);
    expect(() => new AsyncAPIClient({ baseUrl: 'https://h', maxBodySize: -1 })).toThrow(/maxBodySize must be/);
  });
});

describe('maxBodySize through the client', () => {
  it('the client option limits getJson: BodyTooLargeError after one attempt, no retry', async () => {
    const server = serve(3);
    const feature = withEvents();
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, maxBodySize: 1024, retry: { baseDelay: 1 } }, feature);
    const events: ClientEvent[] = [];
    feature.events$.subscribe((e) => events.push(e));
    const recording = record(client.getJson('/big'));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(BodyTooLargeError);
    expect(recording.error).toMatchObject({ maxBodySize: 1024, status: 200, attempts: 1, method: 'GET', url: `${ORIGIN}/big` });
    expect(server.hits()).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['request', 'response', 'giveUp']);
  });

  it.each([
    ['a larger limit', 4096],
    ['no limit', false],
  ] as const)('a per-request maxBodySize overrides the client: %s lets the body through', async (_name, maxBodySize) => {
    serve();
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, maxBodySize: 1024 });
    expect(await lastValueFrom(client.getJson('/big', undefined, { maxBodySize }))).toEqual(JSON.parse(BODY));
  });

  it('a per-request limit below the body fails even when the client allows it', async () => {
    serve();
    const recording = record(new AsyncAPIClient(ORIGIN).getJson('/big', undefined, { maxBodySize: 100 }));
    await until(recording.done);
    expect(recording.error).toMatchObject({ name: 'BodyTooLargeError', maxBodySize: 100 });
  });

  it.each([[-1], [0.5], ['1mb']])('a bad per-request maxBodySize (%j) errors with ConfigurationError before anything is sent', async (maxBodySize) => {
    const server = serve();
    const recording = record(new AsyncAPIClient(ORIGIN).getJson('/big', undefined, { maxBodySize: maxBodySize as never }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(/^maxBodySize must be a whole number of bytes/);
    expect(server.hits()).toBe(0);
  });

  it('does not apply to request(), which hands the body over unread', async () => {
    serve();
    const response = await lastValueFrom(new AsyncAPIClient({ baseUrl: ORIGIN, maxBodySize: 10 }).request('GET', '/big'));
    expect(await response.text()).toBe(BODY);
  });
});
