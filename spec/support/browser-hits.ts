/// <reference types="jasmine" />
// Helpers of the browser specs: what the endpoints of browser-server.cjs saw,
// read with plain fetch (never the client under test).

/** What the server saw for a key. */
export interface Hits {
  hits: number;
  aborted: boolean;
  /** Only for keys used on /api/sse: the Last-Event-ID header of each request, '' when absent. */
  lastEventIds?: string[];
}

/** What /api/echo answers. */
export interface Echo {
  method: string;
  path: string;
  query: [string, string][];
  search: string;
  headers: Record<string, string>;
}

export const API = `${location.origin}/api`;

let counter = 0;
/** A key no other spec uses, so server-side counts start at 0. */
export const uniqueKey = (label: string): string => `${label}-${Date.now()}-${(counter += 1)}`;

/** What the server saw for a key. */
export async function serverHits(key: string): Promise<Hits> {
  const res = await fetch(`${API}/hits?key=${encodeURIComponent(key)}`, { cache: 'no-store' });
  return (await res.json()) as Hits;
}

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
