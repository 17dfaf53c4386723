import { Headers as UndiciHeaders } from 'undici';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { checkHeader, toHeaderRecord } from '../../src/core/headers.js';

describe('checkHeader', () => {
  it.each([
    ['Authorization', 'Bearer abc.def-ghi_jkl~=', 'authorization'],
    ['X-API-Key', '', 'x-api-key'],
    ['x', 'tab\tand space', 'x'],
    ['Accept-Language', 'fr-CH, fr;q=0.9', 'accept-language'],
  ])('accepts %s', (name, value, lower) => {
    expect(checkHeader(name, value, 'headers')).toBe(lower);
  });

  it.each([
    ['X-Key', 'abc\r\nInjected: yes', /header "X-Key" holds a character that cannot be sent/],
    ['X-Key', 'abc\n', /header "X-Key"/],
    ['X-Key', 'abc\0', /header "X-Key"/],
    ['X-Key', 'caf€', /above U\+00FF/],
    ['X Key', 'v', /not a valid header name/],
    ['', 'v', /not a valid header name/],
    ['X-Key:', 'v', /not a valid header name/],
    ['X-Key', 42, /must be a string, not number/],
  ])('refuses %j: %j', (name, value, message) => {
    expect(() => checkHeader(name, value, 'headers')).toThrow(ConfigurationError);
    expect(() => checkHeader(name, value, 'headers')).toThrow(message);
  });

  it('never shows the value in its message', () => {
    expect(() => checkHeader('Authorization', 'Bearer hunter2\r\n', 'authHeaders')).toThrow(/^authHeaders: the value of header "Authorization"/);
    try {
      checkHeader('Authorization', 'Bearer hunter2\r\n', 'authHeaders');
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
      expect((error as Error).stack).not.toContain('hunter2');
    }
  });
});

describe('toHeaderRecord', () => {
  it.each([
    ['a record', { 'X-A': '1', b: '2' }],
    ['a Headers', new Headers({ 'X-A': '1', b: '2' })],
    ['pairs', [['X-A', '1'], ['b', '2']] as [string, string][]],
  ])('reads %s with lower-case names', (_name, headers) => {
    expect(toHeaderRecord(headers, 'headers')).toEqual({ 'x-a': '1', b: '2' });
  });

  // Issue 13, item 15: anything iterable is pairs, as the platform's Headers constructor reads it.
  it.each([
    ['a Map', new Map([['X-A', '1'], ['b', '2']])],
    ["undici's own Headers class (another realm than the global one)", new UndiciHeaders({ 'X-A': '1', b: '2' })],
    ['a generator of pairs', (function* pairs(): Generator<[string, string]> {
      yield ['X-A', '1'];
      yield ['b', '2'];
    })()],
  ])('reads %s as pairs, not as an object without entries', (_name, headers) => {
    expect(toHeaderRecord(headers, 'authHeaders')).toEqual({ 'x-a': '1', b: '2' });
  });

  it('keeps both values of a name given twice, joined with ", " as Headers does', () => {
    expect(toHeaderRecord([['Accept', 'a/b'], ['accept', 'c/d']], 'headers')).toEqual({ accept: 'a/b, c/d' });
    expect(toHeaderRecord({ 'X-A': '1', 'x-a': '2' }, 'headers')).toEqual({ 'x-a': '1, 2' });
  });

  it('refuses an entry that is not a [name, value] pair', () => {
    expect(() => toHeaderRecord([['x-a', '1', '2']] as never, 'headers')).toThrow(/headers: each entry must be a \[name, value\] pair, not 3 items/);
    expect(() => toHeaderRecord(['x-a'] as never, 'headers')).toThrow(/not string/);
  });

  it('accepts undefined and refuses a non-object', () => {
    expect(toHeaderRecord(undefined, 'headers')).toEqual({});
    expect(() => toHeaderRecord('x' as never, 'headers')).toThrow(/headers must be an object/);
  });
});
