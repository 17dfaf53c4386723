import { concat, filter, map, of, tap, type Observable } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import type { Feature, RequestContext } from '../core/feature.js';
import { readKey } from './read-key.js';
import { validatorsOf } from './validators.js';

/**
 * Options of {@link withCache}.
 *
 * @example
 * ```ts
 * const options: CacheOptions = { maxAge: 5_000, staleWhileRevalidate: 60_000, maxEntries: 50 };
 * ```
 */
export interface CacheOptions {
  /**
   * How long a cached value is served without asking the server, in ms.
   * @default 0 (every read revalidates)
   */
  maxAge?: number;
  /**
   * How long after `maxAge` a cached value is still shown at once while it is revalidated, in ms.
   * @default Infinity
   */
  staleWhileRevalidate?: number;
  /**
   * The most entries kept; the least recently used goes first.
   * @default 100
   */
  maxEntries?: number;
  /**
   * Whether a successful POST, PUT, PATCH or DELETE drops the cached reads of its path.
   * @default true
   */
  invalidateOnWrite?: boolean;
  /**
   * Whether a fresh value is the same as the cached one (then the cached object is kept, and not emitted again).
   * @default the two have the same JSON
   */
  equal?: (cached: unknown, fresh: unknown) => boolean;
}

/**
 * The `withCache()` feature, and how to drop what it holds.
 *
 * @example
 * ```ts
 * const cache: ClientCache = withCache();
 * cache.invalidate('/v1/items'); // /v1/items, /v1/items?page=2, /v1/items/3...
 * ```
 */
export interface ClientCache extends Feature {
  /**
   * Drops the cached reads whose URL starts with `prefix`: an absolute URL, or a path with its query
   * (`/v1/items?page=2`). Without `prefix`, drops everything.
   */
  invalidate(prefix?: string): void;
}

interface Entry {
  readonly url: URL;
  readonly value: unknown;
  readonly validators: Readonly<Record<string, string>>;
  storedAt: number;
}

const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Stale-then-fresh reads: a read that has a cached value emits it at once;
 * when it is older than `maxAge` (and within `staleWhileRevalidate`) the read
 * then asks the server with the entry's `If-None-Match` / `If-Modified-Since`,
 * and emits the fresh value only if it differs. Keyed as `withSharing()` is
 * (GET, URL, `Accept`), per client: nothing cached is served to another
 * client's credentials. Reads that send their own validators (`poll()`) go
 * around it.
 *
 * @param options ages in ms, the size bound, invalidation on writes
 * @returns the feature, with `invalidate()`
 * @throws ConfigurationError for a bad option, when called
 * @example
 * ```ts
 * const cache = withCache({ maxAge: 5_000 });
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, cache);
 * client.getJson<Item[]>('/items').subscribe(render); // the cached list at once, then the fresh one if it changed
 * ```
 */
export function withCache(options: CacheOptions = {}): ClientCache {
  const maxAge = checked('maxAge', options.maxAge ?? 0, 0);
  const window = maxAge + checked('staleWhileRevalidate', options.staleWhileRevalidate ?? Infinity, 0);
  const maxEntries = checked('maxEntries', options.maxEntries ?? 100, 1);
  const equal = options.equal ?? sameJson;
  const tables = new Set<Map<string, Entry>>();
  const drop = (match: (url: URL) => boolean) => {
    for (const table of tables) for (const [key, entry] of table) if (match(entry.url)) table.delete(key);
  };
  return {
    invalidate: (prefix) => drop((url) => prefix === undefined || url.href.startsWith(prefix) || (url.pathname + url.search).startsWith(prefix)),
    // Outside sharing (95): a read served from the cache does not join nor start a request.
    order: 97,
    setup: (client) => {
      // A Map keeps insertion order: deleting and setting again makes an entry the most recently used.
      const table = new Map<string, Entry>();
      tables.add(table);
      const reads = new WeakMap<RequestContext, { key: string; url: URL; entry: Entry | undefined }>();
      return {
        prepare: (request, context) => {
          const key = readKey(request, context);
          // No key: not a read the cache may answer (a poll, with its own validators, does its own revalidation).
          if (key === undefined) return request;
          const entry = table.get(key);
          reads.set(context, { key, url: request.url, entry });
          if (!entry) return request;
          table.delete(key);
          table.set(key, entry);
          return { ...request, ownHeaders: Object.assign({}, entry.validators, request.ownHeaders) };
        },
        start: (context) => {
          const read = reads.get(context);
          if (!read) {
            const { method, url } = context.target;
            if (options.invalidateOnWrite === false || method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
            // A write to a path changes what its reads answer.
            const path = new URL(url).pathname;
            return { whole: (request$) => request$.pipe(tap(() => drop((cached) => cached.pathname === path))) };
          }
          const { key, url, entry } = read;
          let notModified = false;
          let headers: Headers | undefined;
          const store = (value: unknown): unknown => {
            const now = client.scheduler.now();
            if (entry && (notModified || equal(entry.value, value))) {
              entry.storedAt = now;
              return entry.value;
            }
            table.delete(key);
            table.set(key, { url, value, storedAt: now, validators: validatorsOf(headers) });
            if (table.size > maxEntries) table.delete(table.keys().next().value!);
            return value;
          };
          return {
            received: (response) => {
              notModified = response.status === 304;
              headers = response.headers;
            },
            attempts: (attempts$) => attempts$.pipe(map(store)) as typeof attempts$,
            whole: <T>(request$: Observable<T>) => {
              const age = entry ? client.scheduler.now() - entry.storedAt : Infinity;
              if (age < maxAge) return of(entry!.value as T);
              if (age >= window) return request$;
              // Stale: the cached value at once, then the fresh one only if it is another.
              return concat(of(entry!.value as T), request$.pipe(filter((value) => value !== entry!.value)));
            },
          };
        },
      };
    },
  };
}

/** A number from `least` (Infinity allowed: "no limit"); anything else says what to pass. */
function checked(name: string, value: number, least: number): number {
  if (typeof value !== 'number' || !(value >= least)) {
    throw new ConfigurationError(`withCache: ${name} must be a number from ${least}, not ${String(value)}`);
  }
  return value;
}
