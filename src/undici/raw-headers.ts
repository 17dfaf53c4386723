import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';

type RawRecord = Dispatcher.ResponseData['headers'];

// A header name as fetch's Headers accepts it (an HTTP token); any other name is Headers' own to refuse.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The `Headers` of an undici answer: a real `Headers`, filled from undici's
 * parsed record only when something needs more than `get()` or `has()` of a
 * valid name, which read the record itself. That is all the client's body
 * reader asks of a response (`content-length`, `content-encoding`), so most
 * requests never fill it (about 1 µs in Node 20). Anything else (iterating,
 * `append()`, `getSetCookie()`, `inspect()`, a copy with `new Headers(headers)`)
 * fills it first, so it behaves as fetch's does.
 *
 * @example
 * ```ts
 * const headers = new RawHeaders({ 'content-length': '42', 'set-cookie': ['a=1', 'b=2'] });
 * headers.get('Content-Length'); // '42', from the record
 * headers.getSetCookie(); // ['a=1', 'b=2'], once filled
 * ```
 */
export class RawHeaders extends Headers {
  #raw: RawRecord | undefined;

  constructor(raw: RawRecord) {
    super();
    this.#raw = raw;
  }

  override get(name: string): string | null {
    const value = this.#lookup(name);
    if (value === FILLED) return super.get(name);
    if (value === undefined) return null;
    // As Headers does: values combined with ", ", without surrounding whitespace.
    return Array.isArray(value) ? value.map(trimmed).join(', ') : trimmed(value);
  }

  override has(name: string): boolean {
    const value = this.#lookup(name);
    return value === FILLED ? super.has(name) : value !== undefined;
  }

  /** The record's value of `name`, or FILLED once the record was copied in, or for a name that Headers must check itself. */
  #lookup(name: string): string | string[] | undefined | typeof FILLED {
    const raw = this.#raw;
    if (raw === undefined || typeof name !== 'string' || !TOKEN.test(name)) return this.#fill();
    // undici's record has lower-case names (a repeated header as an array); own keys only, `__proto__` included.
    const key = name.toLowerCase();
    return Object.hasOwn(raw, key) ? raw[key] : undefined;
  }

  #fill(): typeof FILLED {
    const raw = this.#raw;
    if (raw === undefined) return FILLED;
    this.#raw = undefined;
    for (const name of Object.keys(raw)) {
      const value = raw[name];
      if (Array.isArray(value)) for (const item of value) super.append(name, item);
      else if (value !== undefined) super.append(name, value);
    }
    return FILLED;
  }

  override append(name: string, value: string): void {
    this.#fill();
    super.append(name, value);
  }

  override set(name: string, value: string): void {
    this.#fill();
    super.set(name, value);
  }

  override delete(name: string): void {
    this.#fill();
    super.delete(name);
  }

  override getSetCookie(): string[] {
    this.#fill();
    return super.getSetCookie();
  }

  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#fill();
    super.forEach(callback, thisArg);
  }

  override keys(): HeadersIterator<string> {
    this.#fill();
    return super.keys();
  }

  override values(): HeadersIterator<string> {
    this.#fill();
    return super.values();
  }

  override entries(): HeadersIterator<[string, string]> {
    this.#fill();
    return super.entries();
  }

  override [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  // Headers' own inspect reads its list: filled first, it shows what fetch's would.
  [inspect.custom](...args: unknown[]): unknown {
    this.#fill();
    return (Headers.prototype as unknown as Record<symbol, (...args: unknown[]) => unknown>)[inspect.custom]!.apply(this, args);
  }
}

const FILLED = Symbol('filled');

/** A value without the HTTP whitespace around it, as Headers keeps it. */
function trimmed(value: string): string {
  return value.length > 0 && value.charCodeAt(0) > 32 && value.charCodeAt(value.length - 1) > 32 ? value : value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}
