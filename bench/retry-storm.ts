/**
 * Retry storm: how many hits the server takes per logical request when a share
 * of its answers fail (503), with the default policy (3 attempts). Without a
 * retry budget (the client as it comes: the budget is opt-in) a server at 100%
 * failure gets 3x its load from this client; the budget column names
 * `withRetryBudget()`, with its default settings.
 */
import { lastValueFrom } from 'rxjs';
import type { Feature } from '../src/index.js';
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
  /** The same with `withRetryBudget()` (its default settings); undefined when the build has no such feature. */
  readonly withBudget?: { readonly serverHits: number; readonly hitsPerRequest: number; readonly succeeded: number };
}

export async function measureRetryStorm(server: Loopback, logicalRequests: number, concurrency = 32): Promise<StormRow[]> {
  const built = (await import(new URL('../dist/index.js', import.meta.url).href)) as Partial<typeof import('../src/index.js')>;
  const { AsyncAPIClient, withRetryBudget } = built as typeof import('../src/index.js');
  const hasBudget = typeof built.withRetryBudget === 'function';
  const storm = async (p: number, budget: boolean) => {
    // A new client per run: a budget is per client, and a new withRetryBudget() is a new budget.
    // Without it, the budget is left out: the client as it comes has none. Backoff of 0 ms: the count of hits matters here, not the waiting.
    const features: Feature[] = budget ? [withRetryBudget()] : [];
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 0 } }, ...features);
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
