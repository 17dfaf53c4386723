import { describe, expect, it } from 'vitest';
import { parseRetryAfter, serverRetryDelay } from '../../src/retry/retry-after.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['seconds', '120', 120_000],
    ['zero seconds: retry at once', '0', 0],
    ['seconds with blanks around', ' 7 ', 7_000],
    ['fractional seconds (lenient)', '1.5', 1_500],
    ['an IMF-fixdate 30 s ahead', 'Tue, 10 Mar 2026 12:00:30 GMT', 30_000],
    ['an IMF-fixdate in the past: no wait', 'Tue, 10 Mar 2026 11:59:00 GMT', 0],
    ['an IMF-fixdate a day ahead', 'Wed, 11 Mar 2026 12:00:00 GMT', 86_400_000],
    ['an RFC 850 date', 'Tuesday, 10-Mar-26 12:01:00 GMT', 60_000],
    ['an asctime date, day padded with a space', 'Sun Mar  1 12:00:00 2026', 0],
    ['an asctime date ahead', 'Tue Mar 10 12:00:05 2026', 5_000],
    ['absent (null)', null, undefined],
    ['absent (undefined)', undefined, undefined],
    ['empty', '', undefined],
    ['negative seconds', '-5', undefined],
    ['an exponent', '1e3', undefined],
    ['a word', 'soon', undefined],
    ['a date that does not exist', 'Tue, 31 Feb 2026 12:00:00 GMT', undefined],
    ['an hour that does not exist', 'Tue, 10 Mar 2026 25:00:00 GMT', undefined],
    ['a date without GMT', 'Tue, 10 Mar 2026 12:00:30', undefined],
    ['an ISO date (not an HTTP-date)', '2026-03-10T12:00:30Z', undefined],
    ['a lower-case month', 'Tue, 10 mar 2026 12:00:30 GMT', undefined],
  ])('%s: %j → %j', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
    ['76 is 2076 (50 years ahead, still this century)', 'Thursday, 10-Mar-76 12:00:00 GMT', Date.parse('2076-03-10T12:00:00Z') - NOW],
    ['77 is 1977 (51 years ahead would be too far)', 'Thursday, 10-Mar-77 12:00:00 GMT', 0],
  ])('RFC 850 years: %s', (_name, value, expected) => {
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
