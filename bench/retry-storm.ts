/**
 * Retry storm: how many hits the server takes per logical request when a share
 * of its answers fail (503), with the default policy (3 attempts). Without a
 * retry budget a server at 100% failure gets 3x its load from this client.
 * The budget column is filled when the build has one (issue 3's
 * `retryBudget`, on by default there); without it the column says so.
 */
import { lastValueFrom } from 'rxjs';
import type { ClientOptions } from '../src/index.js';
import type { Loopback } from './loopback.js';

export const FAILURE_RATES = [0, 0.01, 0.1, 0.5, 1] as const;

export interface StormRow {
  readonly failureRate: number;
  readonly logicalRequests: number;
  readonly serverHits: number;
  readonly hitsPerRequest: number;
  /** 1 + p + p^2: what independent failures with 3 attempts give. */
  readonly expected: number;
  readonly succeeded: number;
  /** The same with the build's default retry budget; undefined when the build has none. */
  readonly withBudget?: { readonly serverHits: number; readonly hitsPerRequest: number; readonly succeeded: number };
}

export async function measureRetryStorm(server: Loopback, logicalRequests: number, concurrency = 32): Promise<StormRow[]> {
  const { AsyncAPIClient, DEFAULTS } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
  const hasBudget = 'retryBudget' in DEFAULTS;
  const storm = async (p: number, budget: boolean) => {
    // A new client per run: a budget is per client. Backoff of 0 ms: the count of hits matters here, not the waiting.
    const options = { baseUrl: server.origin, retry: { baseDelay: 0 }, ...(budget ? {} : { retryBudget: false }) };
    const client = new AsyncAPIClient(options as ClientOptions);
    await server.hits();
    let next = 0;
    let succeeded = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < logicalRequests) {
          next += 1;
          await lastValueFrom(client.getJson(`/flaky?p=${p}`)).then(
            () => (succeeded += 1),
            () => undefined,
          );
        }
      }),
    );
    const serverHits = await server.hits();
    return { serverHits, hitsPerRequest: serverHits / logicalRequests, succeeded };
  };
  const rows: StormRow[] = [];
  for (const p of FAILURE_RATES) {
    const without = await storm(p, false);
    rows.push({ failureRate: p, logicalRequests, ...without, expected: 1 + p + p * p, ...(hasBudget ? { withBudget: await storm(p, true) } : {}) });
  }
  return rows;
}
