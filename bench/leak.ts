/**
 * Cancellation and leaks: many requests, each cancelled (unsubscribed) at one
 * of four points, then a check that nothing stayed behind: the process's
 * active resources (timers, sockets...) are back at the baseline, the heap
 * after GC grew less than the limit, and no `MaxListenersExceededWarning`
 * was raised. Runs in its own process (`--expose-gc`), so that the heap
 * baseline is not the throughput benchmark's.
 *
 *   before headers  GET /hang (never answers), unsubscribed 1 ms after subscribing
 *   after headers   GET /stall, unsubscribed as soon as the `response` event says the headers came
 *   mid-body        GET /stall (1 KiB of 64 KiB sent), unsubscribed 2 ms after the headers
 *   during backoff  GET /fail (503), unsubscribed when the `retry` event says a backoff began
 */
import { fork } from 'node:child_process';
import type { ClientEvent, ClientOptions } from '../src/index.js';
import { loadUndiciTransport, UNDICI_MISSING } from './undici-build.js';

export const CANCEL_POINTS = ['before headers', 'after headers', 'mid-body', 'during backoff'] as const;
export type CancelPoint = (typeof CANCEL_POINTS)[number];

export interface LeakResult {
  readonly transport: string;
  readonly requestsPerPoint: number;
  readonly seconds: Record<CancelPoint, number>;
  /** Active resources by type, before and after. */
  readonly resourcesBefore: Record<string, number>;
  readonly resourcesAfter: Record<string, number>;
  readonly heapGrowthBytes: number;
  readonly warnings: string[];
  /** Requests that ended with an error or a value instead of being cancelled. */
  readonly notCancelled: number;
}

const PATHS: Record<CancelPoint, string> = {
  'before headers': '/hang',
  'after headers': '/stall',
  'mid-body': '/stall',
  'during backoff': '/fail',
};

/** Runs the leak benchmark in a child process and returns its result. */
export function measureLeaks(origin: string, transport: 'fetch' | 'undici', requestsPerPoint: number): Promise<LeakResult> {
  const child = fork(new URL(import.meta.url), [origin, transport, String(requestsPerPoint)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (result: LeakResult) => resolve(result));
    child.once('exit', (code) => reject(new Error(`leak benchmark exited with ${code}`)));
  });
}

function countByType(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  // Aborted sockets close over a few turns; GC twice so that finalizers run and their garbage goes too.
  for (let i = 0; i < 5; i += 1) {
    await pause(100);
    gc();
  }
}

async function child(origin: string, transportName: string, requestsPerPoint: number): Promise<LeakResult> {
  const { AsyncAPIClient, withEvents } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
  const undiciTransport = await loadUndiciTransport();
  if (transportName === 'undici' && !undiciTransport) throw new Error(UNDICI_MISSING);
  const warnings: string[] = [];
  process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));
  const WORKERS = 64;
  let notCancelled = 0;
  // One client per worker, so that a worker can tell its own request's events apart.
  const transport = transportName === 'undici' ? undiciTransport!({ connections: WORKERS }) : undefined;
  const workers = Array.from({ length: WORKERS }, () => {
    // No retry budget (it is opt-in, and left out): tens of thousands of 503s would empty it, and a request
    // the budget does not retry errors instead of reaching the backoff it is to be cancelled in.
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: origin, retry: { baseDelay: 60_000 }, ...(transport ? { transport } : {}) } as ClientOptions, events);
    let onEvent: ((event: ClientEvent) => void) | undefined;
    events.events$.subscribe((event) => onEvent?.(event));
    return (point: CancelPoint) =>
      new Promise<void>((resolve) => {
        const cancel = () => {
          onEvent = undefined;
          subscription.unsubscribe();
          resolve();
        };
        const trigger: ClientEvent['type'] | undefined =
          point === 'after headers' || point === 'mid-body' ? 'response' : point === 'during backoff' ? 'retry' : undefined;
        onEvent = (event) => {
          if (event.type !== trigger) return;
          onEvent = undefined;
          // Out of the event's own call stack, as a caller reacting to it would be.
          if (point === 'mid-body') setTimeout(cancel, 2);
          else queueMicrotask(cancel);
        };
        const subscription = client.getJson(PATHS[point]).subscribe({
          next: () => (notCancelled += 1),
          error: () => {
            notCancelled += 1;
            onEvent = undefined;
            resolve();
          },
        });
        if (point === 'before headers') setTimeout(cancel, 1);
      });
  });
  const run = async (point: CancelPoint, count: number) => {
    let next = 0;
    await Promise.all(
      workers.map(async (cancelOne) => {
        while (next < count) {
          next += 1;
          await cancelOne(point);
        }
      }),
    );
  };
  // Warm-up: JIT, pools, lazily created module state are part of the baseline, not of a leak.
  for (const point of CANCEL_POINTS) await run(point, 500);
  notCancelled = 0;
  await settle();
  const resourcesBefore = countByType();
  const heapBefore = process.memoryUsage().heapUsed;
  const seconds = {} as Record<CancelPoint, number>;
  for (const point of CANCEL_POINTS) {
    const start = performance.now();
    await run(point, requestsPerPoint);
    seconds[point] = (performance.now() - start) / 1000;
  }
  await settle();
  return {
    transport: transportName,
    requestsPerPoint,
    seconds,
    resourcesBefore,
    resourcesAfter: countByType(),
    heapGrowthBytes: process.memoryUsage().heapUsed - heapBefore,
    warnings,
    notCancelled,
  };
}

if (process.send && process.argv[2]?.startsWith('http://')) {
  const [origin, transport, count] = process.argv.slice(2) as [string, string, string];
  const result = await child(origin, transport, Number(count));
  process.send(result, () => process.exit(0));
}
