import { EMPTY, lastValueFrom, Observable, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { credentialsOf, resolveAuthSource, type AuthHeaders } from '../src/auth-provider.js';
import { ConfigurationError } from '../src/errors.js';
import { apiKeyAuth, bearerTokenAuth } from '../src/index.js';

const credentials = (auth: AuthHeaders) => lastValueFrom(credentialsOf(resolveAuthSource(auth)));

describe('resolveAuthSource and credentialsOf', () => {
  it.each([
    ['fixed headers', bearerTokenAuth('t')],
    ['a function returning headers', () => bearerTokenAuth('t')],
    ['a function returning a Promise', () => Promise.resolve(bearerTokenAuth('t'))],
    ['a function returning an Observable (its first value)', () => of(bearerTokenAuth('t'), bearerTokenAuth('later'))],
    ['a function returning a Headers object', () => new Headers({ Authorization: 'Bearer t' })],
    ['a function returning pairs', () => [['Authorization', 'Bearer t']] as [string, string][]],
  ])('reads %s', async (_name, auth) => {
    expect(await credentials(auth as AuthHeaders)).toEqual({ headers: { authorization: 'Bearer t' } });
  });

  it('no authHeaders means no credentials', async () => {
    expect(await lastValueFrom(credentialsOf(resolveAuthSource(undefined)))).toEqual({ headers: {} });
  });

  it('takes a query-string key apart from the headers, fixed or from a function', async () => {
    const auth = { ...bearerTokenAuth('t'), ...apiKeyAuth('k', { in: 'query', name: 'key' }) };
    const expected = { headers: { authorization: 'Bearer t' }, query: { name: 'key', value: 'k' } };
    expect(await credentials(auth)).toEqual(expected);
    expect(await credentials(() => Promise.resolve(auth))).toEqual(expected);
  });

  it('calls the function again for every subscription (every attempt)', async () => {
    let calls = 0;
    const source = resolveAuthSource(() => bearerTokenAuth(`t${(calls += 1)}`));
    expect(calls).toBe(0);
    expect(await lastValueFrom(credentialsOf(source))).toEqual({ headers: { authorization: 'Bearer t1' } });
    expect(await lastValueFrom(credentialsOf(source))).toEqual({ headers: { authorization: 'Bearer t2' } });
  });

  it('unsubscribes from an Observable once it has the first value', async () => {
    let unsubscribed = false;
    const provider = () =>
      new Observable<Record<string, string>>((subscriber) => {
        subscriber.next({ 'X-Key': 'k' });
        return () => (unsubscribed = true);
      });
    expect(await credentials(provider)).toEqual({ headers: { 'x-key': 'k' } });
    expect(unsubscribed).toBe(true);
  });

  it.each([
    ['an Observable that completes empty', () => EMPTY, /completed without giving headers/],
    ['undefined', () => undefined, /gave undefined/],
    ['null', () => null, /must be an object/],
    ['a token with CR/LF', () => ({ Authorization: 'Bearer t\r\nX-Evil: 1' }), /authHeaders \(the function\): the value of header "Authorization"/],
    ['a header name with a space', () => Promise.resolve({ 'X Key': 'v' }), /not a valid header name/],
    ['a number as a value', () => ({ 'X-Key': 42 }), /must be a string, not number/],
  ])('errors with ConfigurationError for a function giving %s', async (_name, provider, message) => {
    const error = await credentials(provider as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('Bearer t');
  });

  it('lets an error of the function pass through unchanged', async () => {
    const failure = new Error('token store unavailable');
    await expect(
      credentials(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(credentials(() => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('refuses bad fixed headers at once, when the client is made', () => {
    expect(() => resolveAuthSource({ Authorization: 'Bearer t\n' })).toThrow(/authHeaders: the value of header "Authorization"/);
  });

});
