import nock from 'nock';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, ConfigurationError } from '../../src/index.js';
import { resolveClientOptions } from '../../src/core/options.js';
import { prepareRequest } from '../../src/core/prepare.js';
import { addIdempotencyKey, IDEMPOTENT_METHODS, withIdempotencyKey } from '../../src/features/idempotency-key.js';
import { useOfflineNock } from '../support/offline-nock.js';

const ORIGIN = 'http://api.test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const config = resolveClientOptions({ baseUrl: ORIGIN });
const prepared = (method: string, headers?: Record<string, string>) => prepareRequest(config, method, '/x', { headers });
const headersOf = (request: ReturnType<typeof prepared>) => request.init.headers as Record<string, string>;

describe('addIdempotencyKey', () => {
  it.each([['POST'], ['PATCH'], ['PURGE']])('adds a random UUID to a %s', (method) => {
    expect(headersOf(addIdempotencyKey(prepared(method), true))['idempotency-key']).toMatch(UUID);
  });

  it.each(IDEMPOTENT_METHODS.map((m) => [m]))('leaves a %s alone: it is idempotent already', (method) => {
    const request = prepared(method);
    expect(addIdempotencyKey(request, true)).toBe(request);
  });

  it('is off unless named: the feature takes true (its default) or a key function, and refuses false', () => {
    // Off by default is the client without the feature: see 'is opt-in' below.
    expect(() => withIdempotencyKey(false as never)).toThrow(ConfigurationError);
    expect(() => withIdempotencyKey(false as never)).toThrow(/withIdempotencyKey takes true or a function that returns a key/);
    expect(() => withIdempotencyKey()).not.toThrow();
    expect(() => withIdempotencyKey(() => 'k')).not.toThrow();
  });

  it('uses the key function when given one, and a new key each time it is applied', () => {
    let n = 0;
    const make = () => `order-${(n += 1)}`;
    expect(headersOf(addIdempotencyKey(prepared('POST'), make))['idempotency-key']).toBe('order-1');
    expect(headersOf(addIdempotencyKey(prepared('POST'), make))['idempotency-key']).toBe('order-2');
  });

  it.each([
    ['a key with CR/LF', () => 'a\r\nb', /idempotencyKey: the value of header "Idempotency-Key" holds a character that cannot be sent/],
    ['an empty key', () => '', /idempotencyKey: the function returned an empty key/],
    ['a key that is not a string', () => 42 as never, /must be a string, not number/],
  ])('refuses %s', (_name, make, message) => {
    expect(() => addIdempotencyKey(prepared('POST'), make)).toThrow(ConfigurationError);
    expect(() => addIdempotencyKey(prepared('POST'), make)).toThrow(message);
  });

  it('says what to do when the runtime has no crypto.randomUUID (a browser page on plain http)', () => {
    vi.stubGlobal('crypto', {});
    try {
      expect(() => addIdempotencyKey(prepared('POST'), true)).toThrow(/needs crypto.randomUUID\(\).*pass a function that makes the key/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('Idempotency-Key through the client', () => {
  useOfflineNock();

  /** A nock endpoint that fails the first `failures` hits with 503 and records the key of each hit. */
  function recordKeys(failures: number) {
    const keys: (string | undefined)[] = [];
    nock(ORIGIN)
      .persist()
      .post('/orders')
      .reply(function () {
        keys.push(this.req.headers['idempotency-key'] as string | undefined);
        return [keys.length <= failures ? 503 : 201];
      });
    return keys;
  }

  it('all the attempts of one logical request carry the same key; another subscription gets a new one', async () => {
    const keys = recordKeys(2);
    // withIdempotencyKey() is withIdempotencyKey(true): a random UUID.
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }, withIdempotencyKey());
    const order$ = client.request('POST', '/orders', { json: { item: 1 } });
    expect((await lastValueFrom(order$)).status).toBe(201);
    expect((await lastValueFrom(order$)).status).toBe(201);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toMatch(UUID);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).toMatch(UUID);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('is opt-in: no key by default', async () => {
    const keys = recordKeys(0);
    await lastValueFrom(new AsyncAPIClient(ORIGIN).request('POST', '/orders', { json: {} }));
    expect(keys).toEqual([undefined]);
  });

  it('takes the caller\'s own key function, client-wide', async () => {
    const keys = recordKeys(1);
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }, withIdempotencyKey(() => 'order-42'));
    await lastValueFrom(client.request('POST', '/orders', { json: {} }));
    expect(keys).toEqual(['order-42', 'order-42']);
  });

  it('per request, without the feature, the caller sets the header: every attempt carries it', async () => {
    const keys = recordKeys(1);
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } });
    await lastValueFrom(client.request('POST', '/orders', { json: {}, headers: { 'Idempotency-Key': 'order-42' } }));
    expect(keys).toEqual(['order-42', 'order-42']);
  });

  it('keeps a key the caller set in the request\'s headers, whatever its case', async () => {
    const keys = recordKeys(1);
    const client = new AsyncAPIClient({ baseUrl: ORIGIN, retry: { baseDelay: 1 } }, withIdempotencyKey(true));
    await lastValueFrom(client.request('POST', '/orders', { json: {}, headers: { 'Idempotency-Key': 'mine' } }));
    expect(keys).toEqual(['mine', 'mine']);
  });

  it('a bad key is a ConfigurationError before anything is sent', async () => {
    const keys = recordKeys(0);
    const client = new AsyncAPIClient({ baseUrl: ORIGIN }, withIdempotencyKey(() => 'bad\nkey'));
    await expect(lastValueFrom(client.request('POST', '/orders', { json: {} }))).rejects.toBeInstanceOf(ConfigurationError);
    expect(keys).toEqual([]);
  });
});
