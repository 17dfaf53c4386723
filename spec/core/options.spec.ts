import { asyncScheduler, queueScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  AsyncAPIClient,
  ConfigurationError,
  DEFAULTS,
  withCircuitBreaker,
  withDeadline,
  withIdempotencyKey,
  withInterceptors,
  withRetryBudget,
  withTokenRefresh,
} from '../../src/index.js';
import type { ClientContext, RequestContext } from '../../src/core/feature.js';
import { resolveClientOptions, resolveTimeout } from '../../src/core/options.js';
import { JSON_READER } from '../../src/core/response.js';
import { authorize, prepareRequest } from '../../src/core/prepare.js';
import { CIRCUIT_BREAKER_DEFAULTS } from '../../src/features/circuit-breaker/index.js';
import { addIdempotencyKey } from '../../src/features/idempotency-key.js';
import { RETRY_BUDGET_DEFAULTS } from '../../src/features/retry-budget.js';
import { resolveRetry } from '../../src/retry/policy.js';

describe('resolveClientOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveClientOptions({ baseUrl: 'https://h/api' });
    expect(resolved.timeout).toBe(30_000);
    expect(resolved.retry).toBe(DEFAULTS.retry);
    expect(resolved.scheduler).toBe(asyncScheduler);
    expect(resolved.baseUrl.href).toBe('https://h/api/');
    expect(resolved.maxRedirects).toBe(20);
    expect(resolved.allowedOrigins).toEqual(new Set());
    // The core options only: the deadline, the token refresh, the budget and the breaker are features now.
    expect(Object.keys(resolved).sort()).toEqual(['allowedOrigins', 'auth', 'baseUrl', 'headers', 'maxBodySize', 'maxRedirects', 'retry', 'scheduler', 'timeout', 'transport']);
    expect(DEFAULTS).toEqual({
      timeout: 30_000,
      retry: {
        maxAttempts: 3,
        baseDelay: 2000,
        factor: 2,
        maxDelay: Infinity,
        jitter: 'none',
        random: Math.random,
        statuses: DEFAULTS.retry.statuses,
        methods: 'all',
        retryOn: undefined,
        maxRetryAfter: 60_000,
      },
      maxRedirects: 20,
      maxBodySize: 52_428_800,
    });
    // The features' defaults live beside them.
    expect(RETRY_BUDGET_DEFAULTS).toEqual({ capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 });
    expect(CIRCUIT_BREAKER_DEFAULTS).toEqual({ failureThreshold: 5, resetTimeout: 30_000 });
  });

  it('has no deadline by default: withDeadline() with no argument limits no request', () => {
    const client = { scheduler: asyncScheduler } as unknown as ClientContext;
    const request = (options: RequestContext['options']) => ({ target: { method: 'GET', url: 'https://h/x' }, options, reader: JSON_READER, replayable: true, stream: false, attempts: 0 });
    const hooks = withDeadline().setup(client);
    expect(hooks.options).toEqual(['deadline']);
    expect(hooks.start?.(request({}))).toBeUndefined();
    expect(withDeadline(false).setup(client).start?.(request({}))).toBeUndefined();
    // A request's own deadline still applies under it.
    expect(hooks.start?.(request({ deadline: 1000 }))).toMatchObject({ retry: expect.any(Function), whole: expect.any(Function) });
  });

  it.each([
    [429, true],
    [500, true],
    [599, true],
    [408, false],
    [404, false],
  ])('the default statuses retry %i: %s', (status, expected) => {
    expect(DEFAULTS.retry.statuses(status)).toBe(expected);
  });

  it('keeps client headers and auth apart, and auth wins over client headers case-insensitively', () => {
    const resolved = resolveClientOptions({
      baseUrl: 'https://h',
      headers: { 'X-Trace': 'a', authorization: 'from headers' },
      authHeaders: { Authorization: 'Bearer t' },
      scheduler: queueScheduler,
    });
    expect(resolved.headers).toEqual({ 'x-trace': 'a', authorization: 'from headers' });
    expect(resolved.auth).toEqual({ kind: 'fixed', credentials: { headers: { authorization: 'Bearer t' } } });
    expect(resolved.scheduler).toBe(queueScheduler);
    const credentials = resolved.auth.kind === 'fixed' ? resolved.auth.credentials : { headers: {} };
    expect(authorize(prepareRequest(resolved, 'GET', '/x', {}), credentials).init.headers).toEqual({ 'x-trace': 'a', authorization: 'Bearer t' });
  });

  it('keeps an auth function to call per attempt, and normalises allowedOrigins', () => {
    const provider = () => ({ Authorization: 'Bearer t' });
    const resolved = resolveClientOptions({
      baseUrl: 'https://h',
      authHeaders: provider,
      allowedOrigins: ['https://cdn.test:443/', 'http://127.0.0.1:8080'],
      maxRedirects: 0,
    });
    expect(resolved.auth).toEqual({ kind: 'provider', provider });
    expect(resolved.allowedOrigins).toEqual(new Set(['https://cdn.test', 'http://127.0.0.1:8080']));
    expect(resolved.maxRedirects).toBe(0);
    // The token refresh that needs such a function is a feature now, and takes it.
    expect(() => new AsyncAPIClient({ baseUrl: 'https://h', authHeaders: provider }, withTokenRefresh(() => undefined))).not.toThrow();
  });
});

describe('resolveRetry', () => {
  const base = { ...DEFAULTS.retry, maxAttempts: 3, baseDelay: 2000 };
  it.each([
    ['undefined keeps the base', undefined, base],
    ['false means one attempt', false, { ...base, maxAttempts: 1, baseDelay: 2000 }],
    ['overrides field by field', { maxAttempts: 5 }, { ...base, maxAttempts: 5, baseDelay: 2000 }],
    ['baseDelay alone', { baseDelay: 10 }, { ...base, maxAttempts: 3, baseDelay: 10 }],
    ['both', { maxAttempts: 1, baseDelay: 0 }, { ...base, maxAttempts: 1, baseDelay: 0 }],
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

describe('resolveRetry: the resilience fields', () => {
  const base = DEFAULTS.retry;
  const random = () => 0.5;
  const retryOn = () => undefined;

  it.each([
    ['factor', { factor: 3 }, { factor: 3 }],
    ['factor 1 (a constant wait)', { factor: 1 }, { factor: 1 }],
    ['maxDelay', { maxDelay: 10_000 }, { maxDelay: 10_000 }],
    ['maxDelay 0', { maxDelay: 0 }, { maxDelay: 0 }],
    ['jitter full', { jitter: 'full' }, { jitter: 'full' }],
    ['jitter equal', { jitter: 'equal' }, { jitter: 'equal' }],
    ['random', { random }, { random }],
    ['methods, upper-cased', { methods: ['get', 'Put'] }, { methods: ['GET', 'PUT'] }],
    ['methods all', { methods: 'all' }, { methods: 'all' }],
    ['retryOn', { retryOn }, { retryOn }],
    ['maxRetryAfter', { maxRetryAfter: 5_000 }, { maxRetryAfter: 5_000 }],
    ['maxRetryAfter 0 (never wait for the server)', { maxRetryAfter: 0 }, { maxRetryAfter: 0 }],
  ] as const)('%s', (_name, override, changed) => {
    expect(resolveRetry(override as never, base)).toEqual({ ...base, ...changed });
  });

  it('turns a list of statuses into a predicate and keeps a predicate as it is', () => {
    const listed = resolveRetry({ statuses: [503, 408] }, base).statuses;
    expect([503, 408, 500, 429].map(listed)).toEqual([true, true, false, false]);
    const predicate = (status: number) => status === 418;
    expect(resolveRetry({ statuses: predicate }, base).statuses).toBe(predicate);
  });

  it('a per-request override keeps the client fields it does not name', () => {
    const client = resolveRetry({ jitter: 'full', methods: ['GET'], maxRetryAfter: 1000 }, base);
    expect(resolveRetry({ maxAttempts: 5 }, client)).toEqual({ ...client, maxAttempts: 5 });
  });

  it.each([
    [{ factor: 0.5 }, /retry.factor must be a number of 1 or more, not 0.5/],
    [{ factor: Number.NaN }, /retry.factor/],
    [{ factor: Infinity }, /retry.factor/],
    [{ maxDelay: -1 }, /retry.maxDelay must be a number of milliseconds from 0/],
    [{ maxDelay: '10' }, /retry.maxDelay .* not "10"/],
    [{ jitter: 'half' }, /retry.jitter must be 'none', 'full' or 'equal', not "half"/],
    [{ random: 0.5 }, /retry.random must be a function/],
    [{ statuses: [200] }, /retry.statuses must be a list of statuses from 400 to 599 or a function/],
    [{ statuses: [503.5] }, /retry.statuses/],
    [{ statuses: '503' }, /retry.statuses/],
    [{ methods: 'GET' }, /retry.methods must be a list of methods or 'all', not "GET"/],
    [{ methods: ['GE T'] }, /retry.methods: "GE T" is not a valid header name/],
    [{ methods: [1] }, /retry.methods must hold method names, not 1/],
    [{ methods: [''] }, /retry.methods must hold method names/],
    [{ retryOn: true }, /retry.retryOn must be a function/],
    [{ maxRetryAfter: -1 }, /retry.maxRetryAfter must be a number of milliseconds from 0 to 2147483647, not -1/],
    [{ maxRetryAfter: Infinity }, /retry.maxRetryAfter/],
  ])('refuses %j', (override, message) => {
    expect(() => resolveRetry(override as never, base)).toThrow(ConfigurationError);
    expect(() => resolveRetry(override as never, base)).toThrow(message);
  });
});

describe('withIdempotencyKey (was retry.idempotencyKey)', () => {
  const post = () => prepareRequest(resolveClientOptions({ baseUrl: 'https://h' }), 'POST', '/x', {});
  const keyOf = (request: ReturnType<typeof post>) => (request.init.headers as Record<string, string>)['idempotency-key'];

  it('takes true, for a random key', () => {
    expect(() => withIdempotencyKey(true)).not.toThrow();
    expect(keyOf(addIdempotencyKey(post(), true))).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes a function that makes the key', () => {
    const makeKey = () => 'k';
    expect(() => withIdempotencyKey(makeKey)).not.toThrow();
    expect(keyOf(addIdempotencyKey(post(), makeKey))).toBe('k');
  });

  it('refuses anything else', () => {
    expect(() => withIdempotencyKey('yes' as never)).toThrow(ConfigurationError);
    expect(() => withIdempotencyKey('yes' as never)).toThrow(/withIdempotencyKey takes true or a function that returns a key/);
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

  it('names the limit it checks', () => {
    expect(() => resolveTimeout(-1, Infinity, 'deadline')).toThrow(/^deadline must be a number of milliseconds above 0/);
    expect(resolveTimeout(undefined, Infinity, 'deadline')).toBe(Infinity);
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
    ['a negative deadline', () => new AsyncAPIClient({ baseUrl: 'https://h' }, withDeadline(-1)), /deadline must be a number/],
    ['a bad retry.jitter', () => new AsyncAPIClient({ baseUrl: 'https://h', retry: { jitter: 'x' as never } }), /retry.jitter/],
    ['a negative budget capacity', () => new AsyncAPIClient({ baseUrl: 'https://h' }, withRetryBudget({ capacity: -1 })), /withRetryBudget: capacity must be/],
    ['a budget that is not an object', () => new AsyncAPIClient({ baseUrl: 'https://h' }, withRetryBudget(5 as never)), /withRetryBudget takes settings/],
    ['a failure threshold of 0', () => new AsyncAPIClient({ baseUrl: 'https://h' }, withCircuitBreaker({ failureThreshold: 0 })), /failureThreshold/],
    ['a breaker that is not an object', () => new AsyncAPIClient({ baseUrl: 'https://h' }, withCircuitBreaker('on' as never)), /withCircuitBreaker takes settings/],
    ['maxRedirects below 0', () => new AsyncAPIClient({ baseUrl: 'https://h', maxRedirects: -1 }), /maxRedirects must be a whole number of 0 or more/],
    ['maxRedirects not whole', () => new AsyncAPIClient({ baseUrl: 'https://h', maxRedirects: 1.5 }), /maxRedirects/],
    ['allowedOrigins not an array', () => new AsyncAPIClient({ baseUrl: 'https://h', allowedOrigins: 'https://a.test' as never }), /allowedOrigins must be an array/],
    ['an allowed origin with a path', () => new AsyncAPIClient({ baseUrl: 'https://h', allowedOrigins: ['https://a.test/api'] }), /not an http\(s\) origin/],
    ['an allowed origin that is not http(s)', () => new AsyncAPIClient({ baseUrl: 'https://h', allowedOrigins: ['ftp://a.test'] }), /not an http\(s\) origin/],
    ['an allowed origin that is not a URL', () => new AsyncAPIClient({ baseUrl: 'https://h', allowedOrigins: ['a.test'] }), /not an http\(s\) origin/],
    ['an allowed origin with credentials', () => new AsyncAPIClient({ baseUrl: 'https://h', allowedOrigins: ['https://u:p@a.test'] }), /not shown/],
    ['tokenRefresh with fixed authHeaders', () => new AsyncAPIClient({ baseUrl: 'https://h', authHeaders: { 'X-Key': 'k' } }, withTokenRefresh(() => undefined)), /withTokenRefresh needs authHeaders to be a function/],
    ['tokenRefresh that is not a function', () => new AsyncAPIClient({ baseUrl: 'https://h', authHeaders: () => ({}) }, withTokenRefresh('yes' as never)), /withTokenRefresh needs a function/],
    ['interceptors that are not functions', () => new AsyncAPIClient({ baseUrl: 'https://h' }, withInterceptors('x' as never)), /withInterceptors: argument 1 is a string/],
    ['a feature that is not one', () => new AsyncAPIClient({ baseUrl: 'https://h' }, { circuitBreaker: true } as never), /argument 2 is not a feature/],
    ['an unknown option', () => new AsyncAPIClient({ baseUrl: 'https://h', retries: 3 } as never), /unknown option "retries"/],
    ['the old circuitBreaker option', () => new AsyncAPIClient({ baseUrl: 'https://h', circuitBreaker: true } as never), /circuitBreaker is a feature now: pass withCircuitBreaker\(\.\.\.\)/],
    ['the old retryBudget option', () => new AsyncAPIClient({ baseUrl: 'https://h', retryBudget: false } as never), /retryBudget is a feature now: pass withRetryBudget\(\.\.\.\)/],
    ['the old tokenRefresh option', () => new AsyncAPIClient({ baseUrl: 'https://h', authHeaders: () => ({}), tokenRefresh: () => undefined } as never), /tokenRefresh is a feature now: pass withTokenRefresh\(\.\.\.\)/],
    ['the old interceptors option', () => new AsyncAPIClient({ baseUrl: 'https://h', interceptors: [] } as never), /interceptors is a feature now: pass withInterceptors\(\.\.\.\)/],
    // Fails today: resolveRetry ignores a retry field it does not know, so this option is dropped silently (src bug, see the migration report).
    ['the old retry.idempotencyKey option', () => new AsyncAPIClient({ baseUrl: 'https://h', retry: { idempotencyKey: true } } as never), /idempotencyKey.*withIdempotencyKey/],
    ['the old deadline option', () => new AsyncAPIClient({ baseUrl: 'https://h', deadline: 1000 } as never), /deadline is a feature now: pass withDeadline\(\.\.\.\)/],
  ])('throws at once for %s', (_name, make, message) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(message);
  });

  it('takes the three positional arguments of the brief', () => {
    const client = new AsyncAPIClient('https://h/api', { 'X-API-Key': 'k' }, 1000);
    expect(client.baseUrl).toBe('https://h/api/');
  });
});

describe('DEFAULTS', () => {
  it('is frozen, so that no client can change another\'s policy through it', () => {
    for (const part of [DEFAULTS, DEFAULTS.retry, RETRY_BUDGET_DEFAULTS, CIRCUIT_BREAKER_DEFAULTS]) expect(Object.isFrozen(part)).toBe(true);
  });
});
