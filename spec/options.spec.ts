import { asyncScheduler, queueScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AsyncAPIClient, ConfigurationError, DEFAULTS } from '../src/index.js';
import { resolveClientOptions, resolveRetry, resolveTimeout } from '../src/options.js';

describe('resolveClientOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveClientOptions({ baseUrl: 'https://h/api' });
    expect(resolved.timeout).toBe(30_000);
    expect(resolved.retry).toEqual({ maxAttempts: 3, baseDelay: 2000 });
    expect(resolved.scheduler).toBe(asyncScheduler);
    expect(resolved.baseUrl.href).toBe('https://h/api/');
    expect(DEFAULTS).toEqual({ timeout: 30_000, retry: { maxAttempts: 3, baseDelay: 2000 }, maxBodySize: 52_428_800 });
  });

  it('merges client headers under auth headers, case-insensitively', () => {
    const resolved = resolveClientOptions({
      baseUrl: 'https://h',
      headers: { 'X-Trace': 'a', authorization: 'from headers' },
      authHeaders: { Authorization: 'Bearer t' },
      scheduler: queueScheduler,
    });
    expect(resolved.headers).toEqual({ 'x-trace': 'a', authorization: 'Bearer t' });
    expect(resolved.scheduler).toBe(queueScheduler);
  });
});

describe('resolveRetry', () => {
  const base = { maxAttempts: 3, baseDelay: 2000 };
  it.each([
    ['undefined keeps the base', undefined, base],
    ['false means one attempt', false, { maxAttempts: 1, baseDelay: 2000 }],
    ['overrides field by field', { maxAttempts: 5 }, { maxAttempts: 5, baseDelay: 2000 }],
    ['baseDelay alone', { baseDelay: 10 }, { maxAttempts: 3, baseDelay: 10 }],
    ['both', { maxAttempts: 1, baseDelay: 0 }, { maxAttempts: 1, baseDelay: 0 }],
  ] as const)('%s', (_name, override, expected) => {
    expect(resolveRetry(override, base)).toEqual(expected);
  });

  it.each([
    [{ maxAttempts: 0 }, /maxAttempts must be a whole number of 1 or more/],
    [{ maxAttempts: -1 }, /maxAttempts/],
    [{ maxAttempts: 1.5 }, /maxAttempts/],
    [{ maxAttempts: Number.NaN }, /maxAttempts/],
    [{ baseDelay: -1 }, /baseDelay must be a number of milliseconds from 0/],
    [{ baseDelay: Infinity }, /baseDelay/],
    [{ baseDelay: 2 ** 31 }, /baseDelay/],
    [true, /retry must be an object/],
  ])('refuses %j', (override, message) => {
    expect(() => resolveRetry(override as never, base)).toThrow(ConfigurationError);
    expect(() => resolveRetry(override as never, base)).toThrow(message);
  });
});

describe('resolveTimeout', () => {
  it.each([
    [undefined, 30_000],
    [false, Infinity],
    [Infinity, Infinity],
    [1, 1],
    [5_000, 5_000],
    [2 ** 31 - 1, 2 ** 31 - 1],
  ] as const)('%j → %j', (value, expected) => {
    expect(resolveTimeout(value, 30_000)).toBe(expected);
  });

  it.each([[0], [-1], [Number.NaN], [2 ** 31], ['100'], [true]])('refuses %j', (value) => {
    expect(() => resolveTimeout(value as never, 30_000)).toThrow(/timeout must be a number of milliseconds above 0/);
  });
});

describe('AsyncAPIClient construction', () => {
  it.each([
    ['an empty baseUrl', () => new AsyncAPIClient(''), /baseUrl is empty/],
    ['a relative baseUrl', () => new AsyncAPIClient('/api'), /not an absolute URL/],
    ['a non-http baseUrl', () => new AsyncAPIClient('ws://h/x'), /must use http: or https:/],
    ['a negative timeout', () => new AsyncAPIClient('https://h', undefined, -5), /timeout must be/],
    ['maxAttempts < 1', () => new AsyncAPIClient({ baseUrl: 'https://h', retry: { maxAttempts: 0 } }), /maxAttempts/],
    ['a header value with CR/LF', () => new AsyncAPIClient('https://h', { 'X-Key': 'a\r\nInjected: 1' }), /header "X-Key"/],
    ['a header name with a space', () => new AsyncAPIClient({ baseUrl: 'https://h', headers: { 'X Key': 'v' } }), /not a valid header name/],
    ['no options at all', () => new AsyncAPIClient(undefined as never), /needs a base URL/],
  ])('throws at once for %s', (_name, make, message) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(message);
  });

  it('takes the three positional arguments of the brief', () => {
    const client = new AsyncAPIClient('https://h/api', { 'X-API-Key': 'k' }, 1000);
    expect(client.baseUrl).toBe('https://h/api/');
  });
});
