import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RawHeaders } from '../../src/undici/raw-headers.js';

// undici's parsed record: lower-case names, a repeated header as an array.
const record = () => ({ 'content-length': '42', 'x-pad': ' \tpadded\t ', 'set-cookie': ['a=1', 'b=2'], 'x-id': '7' });

describe('RawHeaders', () => {
  it('is a Headers whose get() and has() answer as fetch\'s Headers from the same header lines', () => {
    const raw = new RawHeaders(record());
    const fetchs = new Headers([['content-length', '42'], ['x-pad', ' \tpadded\t '], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-id', '7']]);
    expect(raw).toBeInstanceOf(Headers);
    for (const name of ['content-length', 'Content-Length', 'x-pad', 'set-cookie', 'SET-COOKIE', 'content-encoding', '__proto__', 'constructor']) {
      expect(raw.get(name), name).toBe(fetchs.get(name));
      expect(raw.has(name), name).toBe(fetchs.has(name));
    }
  });

  it('refuses an invalid name as Headers does', () => {
    expect(() => new RawHeaders(record()).get('not a name')).toThrow(TypeError);
    expect(() => new RawHeaders(record()).has('x:y')).toThrow(TypeError);
  });

  it('lists, copies, changes and shows what fetch\'s Headers would, once filled', () => {
    const raw = new RawHeaders(record());
    expect(raw.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect([...raw]).toEqual([['content-length', '42'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-id', '7'], ['x-pad', 'padded']]);
    expect([...new Headers(new RawHeaders(record())).keys()]).toEqual(['content-length', 'set-cookie', 'set-cookie', 'x-id', 'x-pad']);
    expect(Object.fromEntries(new RawHeaders({ 'x-id': '7' }))).toEqual({ 'x-id': '7' });
    const changed = new RawHeaders(record());
    changed.set('x-id', '8');
    changed.append('x-new', 'n');
    changed.delete('content-length');
    expect([changed.get('x-id'), changed.get('x-new'), changed.get('content-length'), changed.get('x-pad')]).toEqual(['8', 'n', null, 'padded']);
    const seen: string[] = [];
    new RawHeaders({ 'x-id': '7' }).forEach((value, name) => seen.push(`${name}=${value}`));
    expect(seen).toEqual(['x-id=7']);
    expect(inspect(new RawHeaders({ 'x-id': '7' }))).toBe(inspect(new Headers({ 'x-id': '7' })));
  });
});
