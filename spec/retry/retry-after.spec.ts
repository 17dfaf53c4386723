import { describe, expect, it } from 'vitest';
import { parseRetryAfter, serverRetryDelay } from '../../src/retry/retry-after.js';
import { NOW, RETRY_AFTER_CASES, RFC_850_YEAR_CASES } from './retry-after.cases.js';

describe('parseRetryAfter', () => {
  it.each(RETRY_AFTER_CASES)('%s: %j → %j', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each(RFC_850_YEAR_CASES)('RFC 850 years: %s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('serverRetryDelay', () => {
  it.each([
    ['retry-after-ms', 503, { 'retry-after-ms': '250' }, 250],
    ['retry-after-ms wins over Retry-After', 503, { 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    ['a bad retry-after-ms falls back to Retry-After', 503, { 'retry-after-ms': 'x', 'retry-after': '9' }, 9_000],
    ['Retry-After seconds', 503, { 'retry-after': '3' }, 3_000],
    ['Retry-After as a date', 429, { 'retry-after': 'Tue, 10 Mar 2026 12:00:10 GMT' }, 10_000],
    ['Retry-After on any status the policy retries', 500, { 'retry-after': '2' }, 2_000],
    ['a 429 with RateLimit-Reset', 429, { 'ratelimit-reset': '12' }, 12_000],
    ['a 429 with X-RateLimit-Reset in seconds', 429, { 'x-ratelimit-reset': '30' }, 30_000],
    ['a 429 with X-RateLimit-Reset as a Unix time', 429, { 'x-ratelimit-reset': String(NOW / 1000 + 45) }, 45_000],
    ['a 429 with a Unix time in the past', 429, { 'x-ratelimit-reset': String(NOW / 1000 - 45) }, 0],
    ['RateLimit-Reset wins over X-RateLimit-Reset', 429, { 'ratelimit-reset': '1', 'x-ratelimit-reset': '30' }, 1_000],
    ['Retry-After wins over RateLimit-Reset', 429, { 'retry-after': '2', 'ratelimit-reset': '30' }, 2_000],
    ['rate-limit headers are ignored on a 503', 503, { 'x-ratelimit-reset': '30', 'ratelimit-reset': '30' }, undefined],
    ['no hint', 503, {}, undefined],
    ['a hint that is not understood', 503, { 'retry-after': 'later' }, undefined],
  ])('%s', (_name, status, headers, expected) => {
    expect(serverRetryDelay(new Headers(headers), status, NOW)).toBe(expected);
  });
});
