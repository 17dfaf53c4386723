/// <reference types="jasmine" />
// What the browser specs share: the test API on Karma's own server
// (spec/support/browser-server.cjs), keys that count per spec, and a client.
import { AsyncAPIClient, type ClientOptions } from '../../src/index';

/** What the server saw for a key. */
export interface Hits {
  hits: number;
  aborted: boolean;
  /** Only for keys used on /api/sse: the Last-Event-ID header of each request, '' when absent. */
  lastEventIds?: string[];
  /** /api/export: the lines the server has written (the socket took them). */
  written?: number;
  /** Only for keys used on /api/etag: requests with If-None-Match, and the 304s among them. */
  conditional?: number;
  notModified?: number;
}

export const API = `${location.origin}/api`;

let counter = 0;
/** A key no other spec uses, so server-side counts start at 0. */
export const uniqueKey = (label: string): string => `${label}-${Date.now()}-${(counter += 1)}`;

/** What the server saw for a key, read with plain fetch (not the client under test). */
export async function serverHits(key: string): Promise<Hits> {
  const res = await fetch(`${API}/hits?key=${encodeURIComponent(key)}`, { cache: 'no-store' });
  return (await res.json()) as Hits;
}

/** Resolves with the error the Observable ends with; fails the spec if it emits a value or completes. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = await promise;
    fail(`expected an error, got the value ${JSON.stringify(value)}`);
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A client on the test API: 3 attempts 5 ms apart, a 5 s timeout. */
export const newClient = (options: Partial<ClientOptions> = {}) =>
  new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000, ...options });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the server until `predicate` holds; fails after `timeoutMs` instead of hanging. */
export async function waitForServer(key: string, predicate: (h: Hits) => boolean, timeoutMs = 3000): Promise<Hits> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await serverHits(key);
    if (predicate(h)) return h;
    if (Date.now() > deadline) throw new Error(`server state for ${key} never matched ${predicate.toString()}: ${JSON.stringify(h)}`);
    await sleep(20);
  }
}
