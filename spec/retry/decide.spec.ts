import { describe, expect, it } from 'vitest';
import { ConfigurationError, HttpError, NetworkError, ParseError, TimeoutError } from '../../src/errors.js';
import { decideRetry, isRetryableError, isRetryableStatus } from '../../src/retry/decide.js';

const target = { method: 'GET', url: 'https://h/x' };
const http = (status: number) => new HttpError(new Response(null, { status }), target, 1);
const policy = { maxAttempts: 3, baseDelay: 2000 };

describe('isRetryableStatus', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [428, false],
    [431, false],
  ])('%i → %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe('isRetryableError', () => {
  it.each([
    ['HttpError 503', http(503), true],
    ['HttpError 429', http(429), true],
    ['HttpError 404', http(404), false],
    ['NetworkError', new NetworkError(new TypeError('fetch failed'), target, 1), true],
    ['TimeoutError', new TimeoutError(100, target, 1), true],
    ['ParseError', new ParseError(new SyntaxError('x'), '<html>', 200, target, 1), false],
    ['ConfigurationError', new ConfigurationError('bad'), false],
    ['a raw TypeError (not classified by the client)', new TypeError('x'), false],
    ['a string', 'boom', false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isRetryableError(error)).toBe(expected);
  });
});

describe('decideRetry', () => {
  it.each([
    ['503 after attempt 1', http(503), 1, policy, { retry: true, delayMs: 2000 }],
    ['503 after attempt 2', http(503), 2, policy, { retry: true, delayMs: 4000 }],
    ['503 after attempt 3 (the last)', http(503), 3, policy, { retry: false }],
    ['429 after attempt 1', http(429), 1, policy, { retry: true, delayMs: 2000 }],
    ['404 after attempt 1', http(404), 1, policy, { retry: false }],
    ['network error after attempt 2', new NetworkError(new TypeError('x'), target, 2), 2, policy, { retry: true, delayMs: 4000 }],
    ['timeout after attempt 1', new TimeoutError(5, target, 1), 1, policy, { retry: true, delayMs: 2000 }],
    ['parse error', new ParseError(new SyntaxError('x'), 'x', 200, target, 1), 1, policy, { retry: false }],
    ['one attempt allowed', http(503), 1, { maxAttempts: 1, baseDelay: 2000 }, { retry: false }],
    ['five attempts, after the fourth', http(500), 4, { maxAttempts: 5, baseDelay: 100 }, { retry: true, delayMs: 800 }],
  ])('%s', (_name, error, attempt, p, expected) => {
    expect(decideRetry(p, error, attempt)).toEqual(expected);
  });
});
