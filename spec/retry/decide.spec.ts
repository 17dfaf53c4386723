import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/core/body-errors.js';
import { ConfigurationError, HttpError, NetworkError, TimeoutError } from '../../src/core/errors.js';
import { CircuitOpenError } from '../../src/features/circuit-breaker/error.js';
import type { RetryPolicy } from '../../src/retry/policy.js';
import { decideRetry, isRetryableError, isRetryableStatus, type RetryDecision } from '../../src/retry/decide.js';

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
    ['503 after attempt 1', http(503), 1, policy, { retry: true, delayMs: 2000, fromServer: false }],
    ['503 after attempt 2', http(503), 2, policy, { retry: true, delayMs: 4000, fromServer: false }],
    ['503 after attempt 3 (the last)', http(503), 3, policy, { retry: false }],
    ['429 after attempt 1', http(429), 1, policy, { retry: true, delayMs: 2000, fromServer: false }],
    ['404 after attempt 1', http(404), 1, policy, { retry: false }],
    ['network error after attempt 2', new NetworkError(new TypeError('x'), target, 2), 2, policy, { retry: true, delayMs: 4000, fromServer: false }],
    ['timeout after attempt 1', new TimeoutError(5, target, 1), 1, policy, { retry: true, delayMs: 2000, fromServer: false }],
    ['parse error', new ParseError(new SyntaxError('x'), 'x', 200, target, 1), 1, policy, { retry: false }],
    ['one attempt allowed', http(503), 1, { maxAttempts: 1, baseDelay: 2000 }, { retry: false }],
    ['five attempts, after the fourth', http(500), 4, { maxAttempts: 5, baseDelay: 100 }, { retry: true, delayMs: 800, fromServer: false }],
  ])('%s', (_name, error, attempt, p, expected) => {
    expect(decideRetry(p, error, attempt)).toEqual(expected);
  });
});

const NOW = Date.parse('2026-03-10T12:00:00Z');
const withHeaders = (status: number, headers: Record<string, string>, method = 'GET') =>
  new HttpError(new Response(null, { status, headers }), { method, url: 'https://h/x' }, 1);
const network = (method = 'GET') => new NetworkError(new TypeError('x'), { method, url: 'https://h/x' }, 1);

type Row = [string, unknown, Partial<RetryPolicy>, RetryDecision];

describe('decideRetry: server hints', () => {
  it.each<Row>([
    ['Retry-After seconds on a 503', withHeaders(503, { 'retry-after': '7' }), {}, { retry: true, delayMs: 7000, fromServer: true }],
    ['retry-after-ms on a 429', withHeaders(429, { 'retry-after-ms': '150' }), {}, { retry: true, delayMs: 150, fromServer: true }],
    ['an HTTP-date, counted from now', withHeaders(503, { 'retry-after': 'Tue, 10 Mar 2026 12:00:20 GMT' }), {}, { retry: true, delayMs: 20_000, fromServer: true }],
    ['Retry-After: 0 retries at once', withHeaders(503, { 'retry-after': '0' }), {}, { retry: true, delayMs: 0, fromServer: true }],
    ['the server wait is not capped by maxDelay', withHeaders(503, { 'retry-after': '30' }), { maxDelay: 1000 }, { retry: true, delayMs: 30_000, fromServer: true }],
    ['the server wait is not jittered', withHeaders(503, { 'retry-after': '3' }), { jitter: 'full', random: () => 0 }, { retry: true, delayMs: 3000, fromServer: true }],
    ['exactly maxRetryAfter is honoured', withHeaders(503, { 'retry-after': '60' }), {}, { retry: true, delayMs: 60_000, fromServer: true }],
    ['beyond maxRetryAfter (60 s): no retry', withHeaders(503, { 'retry-after': '61' }), {}, { retry: false }],
    ['an hour: no retry', withHeaders(429, { 'retry-after': '3600' }), {}, { retry: false }],
    ['a date beyond maxRetryAfter', withHeaders(503, { 'retry-after': 'Tue, 10 Mar 2026 13:00:00 GMT' }), {}, { retry: false }],
    ['a lower maxRetryAfter', withHeaders(503, { 'retry-after': '5' }), { maxRetryAfter: 4000 }, { retry: false }],
    ['a hint that is not understood: the backoff', withHeaders(503, { 'retry-after': 'later' }), {}, { retry: true, delayMs: 2000, fromServer: false }],
    ['a hint on a status that is not retried: no retry', withHeaders(404, { 'retry-after': '1' }), {}, { retry: false }],
    ['a hint on the last attempt: no retry', withHeaders(503, { 'retry-after': '1' }), { maxAttempts: 1 }, { retry: false }],
  ])('%s', (_name, error, policy, expected) => {
    expect(decideRetry(policy, error, 1, NOW)).toEqual(expected);
  });
});

describe('decideRetry: statuses, methods and retryOn', () => {
  const backoff = { retry: true, delayMs: 2000, fromServer: false } as const;
  it.each<Row>([
    ['a listed status', http(503), { statuses: (s: number) => [503].includes(s) }, backoff],
    ['an unlisted 5xx', http(500), { statuses: (s: number) => [503].includes(s) }, { retry: false }],
    ['a status added by the caller', http(408), { statuses: (s: number) => s === 408 }, backoff],
    ['a network error whatever the statuses', network(), { statuses: () => false }, backoff],
    ['POST under the default methods (all)', withHeaders(503, {}, 'POST'), {}, backoff],
    ['POST when only GET is retried', withHeaders(503, {}, 'POST'), { methods: ['GET'] }, { retry: false }],
    ['a POST network error when only GET is retried', network('POST'), { methods: ['GET'] }, { retry: false }],
    ['GET when only GET is retried', withHeaders(503, {}, 'GET'), { methods: ['GET'] }, backoff],
    ['retryOn true retries a 404', http(404), { retryOn: () => true }, backoff],
    ['retryOn true retries a ParseError', new ParseError(new SyntaxError('x'), 'x', 200, target, 1), { retryOn: () => true }, backoff],
    ['retryOn true overrides methods', withHeaders(503, {}, 'POST'), { methods: ['GET'], retryOn: () => true }, backoff],
    ['retryOn false refuses a 503', http(503), { retryOn: () => false }, { retry: false }],
    ['retryOn true does not retry a ConfigurationError (never retried)', new ConfigurationError('x'), { retryOn: () => true }, { retry: false }],
    ['retryOn true does not retry a CircuitOpenError (never retried)', new CircuitOpenError(target, 1, 5_000), { retryOn: () => true }, { retry: false }],
    ['retryOn undefined leaves the decision to the rules', http(503), { retryOn: () => undefined }, backoff],
    ['retryOn undefined, a 404', http(404), { retryOn: () => undefined }, { retry: false }],
    ['retryOn true still honours the server wait', withHeaders(503, { 'retry-after': '1' }), { retryOn: () => true }, { retry: true, delayMs: 1000, fromServer: true }],
    ['retryOn true still stops beyond maxRetryAfter', withHeaders(503, { 'retry-after': '100' }), { retryOn: () => true }, { retry: false }],
    // 'retryOn true never retries an open circuit' is the circuit breaker's own veto now (its retry hook):
    // tested through the client in spec/core/client.resilience.spec.ts.
  ])('%s', (_name, error, policy, expected) => {
    expect(decideRetry(policy, error, 1, NOW)).toEqual(expected);
  });

  it('asks retryOn with the error and the attempt, and not once maxAttempts is reached', () => {
    const asked: [unknown, number][] = [];
    const retryOn = (error: unknown, attempt: number) => {
      asked.push([error, attempt]);
      return undefined;
    };
    const error = http(503);
    decideRetry({ retryOn }, error, 2, NOW);
    decideRetry({ retryOn }, error, 3, NOW);
    expect(asked).toEqual([[error, 2]]);
  });

  it('isRetryableError follows the policy it is given', () => {
    expect(isRetryableError(withHeaders(503, {}, 'POST'), { methods: ['GET'] })).toBe(false);
    expect(isRetryableError(http(418), { statuses: (s) => s === 418 })).toBe(true);
    expect(isRetryableError(new CircuitOpenError(target, 0, 5))).toBe(false);
  });
});
