import { describe, expect, it } from 'vitest';
import { ConfigurationError, HttpError, NetworkError } from '../../../src/core/errors.js';
import { endsPoll, failureDelay, nextDelay, resolvePace } from '../../../src/features/poll/pace.js';

const target = { method: 'GET', url: 'https://h/x' };
const status = (code: number, headers: Record<string, string> = {}) => new HttpError(new Response(null, { status: code, headers }), target, 3);
const network = new NetworkError(new TypeError('fetch failed'), target, 3);

describe('nextDelay: the wait after a 200 or a 304', () => {
  const pace = resolvePace({ interval: 5_000 });
  it.each<[string, Record<string, string>, number]>([
    ['no hint: the interval', {}, 5_000],
    ['X-Poll-Interval longer than the interval', { 'x-poll-interval': '60' }, 60_000],
    ['X-Poll-Interval shorter: the interval', { 'x-poll-interval': '1' }, 5_000],
    ['X-Poll-Interval that is not a number', { 'x-poll-interval': 'soon' }, 5_000],
    ['max-age longer than the interval', { 'cache-control': 'public, max-age=30' }, 30_000],
    ['max-age shorter: the interval', { 'cache-control': 'max-age=2' }, 5_000],
    ['s-maxage is not max-age', { 'cache-control': 's-maxage=30' }, 5_000],
    ['both: the longer', { 'cache-control': 'max-age=30', 'x-poll-interval': '45' }, 45_000],
  ])('%s', (_name, headers, expected) => {
    expect(nextDelay(pace, new Headers(headers))).toBe(expected);
  });

  it('each hint can be turned off, or all of them', () => {
    const headers = new Headers({ 'cache-control': 'max-age=30', 'x-poll-interval': '45' });
    expect(nextDelay(resolvePace({ interval: 5_000, pace: { pollInterval: false } }), headers)).toBe(30_000);
    expect(nextDelay(resolvePace({ interval: 5_000, pace: { maxAge: false } }), headers)).toBe(45_000);
    expect(nextDelay(resolvePace({ interval: 5_000, pace: false }), headers)).toBe(5_000);
  });

  it('adds up to `jitter` ms from the random source', () => {
    expect(nextDelay(resolvePace({ interval: 5_000, jitter: 1_000, random: () => 0.25 }), new Headers())).toBe(5_250);
    expect(nextDelay(resolvePace({ interval: 5_000, jitter: 1_000, random: () => 1 }), new Headers())).toBe(6_000);
  });
});

describe('failureDelay: the poll’s own backoff after the retry policy gave up', () => {
  const pace = resolvePace({ interval: 1_000, backoff: { maxDelay: 5_000 } });
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 5_000],
    [40, 5_000],
  ])('failure %i waits %i ms (growing, capped)', (failures, expected) => {
    expect(failureDelay(pace, failures, network, 0)).toBe(expected);
  });

  it('a 503 or 429 with a longer Retry-After waits that; a shorter one, the backoff; other statuses ignore it', () => {
    expect(failureDelay(pace, 1, status(503, { 'retry-after': '30' }), 0)).toBe(30_000);
    expect(failureDelay(pace, 1, status(429, { 'retry-after': 'Thu, 01 Jan 1970 00:00:20 GMT' }), 0)).toBe(20_000);
    expect(failureDelay(pace, 3, status(503, { 'retry-after': '1' }), 0)).toBe(4_000);
    expect(failureDelay(pace, 1, status(500, { 'retry-after': '30' }), 0)).toBe(1_000);
    expect(failureDelay(resolvePace({ interval: 1_000, pace: { retryAfter: false } }), 1, status(503, { 'retry-after': '30' }), 0)).toBe(1_000);
  });

  it('defaults: the interval, doubling, up to 5 minutes', () => {
    const defaults = resolvePace({ interval: 60_000 });
    expect([1, 2, 3, 4, 5, 6].map((n) => failureDelay(defaults, n, network, 0))).toEqual([60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
  });
});

describe('endsPoll', () => {
  it.each<[string, unknown, boolean]>([
    ['401', status(401), true],
    ['403', status(403), true],
    ['404', status(404), true],
    ['a misconfiguration', new ConfigurationError('bad'), true],
    ['400', status(400), false],
    ['503', status(503), false],
    ['a network error', network, false],
  ])('%s: %s', (_name, error, expected) => {
    expect(endsPoll(error)).toBe(expected);
  });
});

describe('resolvePace refuses bad options with a ConfigurationError that says what to fix', () => {
  it.each<[string, Parameters<typeof resolvePace>[0], RegExp]>([
    ['interval 0', { interval: 0 }, /interval must be a number of milliseconds above 0/],
    ['interval as a string', { interval: '5s' as unknown as number }, /interval .* not 5s/],
    ['negative jitter', { interval: 5, jitter: -1 }, /jitter must be a number of milliseconds from 0/],
    ['a factor below 1', { interval: 5, backoff: { factor: 0.5 } }, /backoff.factor must be 1 or more/],
    ['maxDelay NaN', { interval: 5, backoff: { maxDelay: NaN } }, /backoff.maxDelay/],
  ])('%s', (_name, options, message) => {
    expect(() => resolvePace(options)).toThrow(ConfigurationError);
    expect(() => resolvePace(options)).toThrow(message);
  });
});
