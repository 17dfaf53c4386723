/**
 * Throughput and latency of every contender, closed loop, per body and
 * concurrency: a warm-up of each contender, then `rounds` rounds in which the
 * contenders take turns in a rotated order, so that drift in the machine's
 * state (CPU clock, the other process) spreads over all of them.
 */
import { CONTENDERS, useGlobalPool, type Contender } from './contenders.js';
import { closedLoop, median, type Measurement } from './driver.js';

export interface ThroughputOptions {
  readonly origin: string;
  readonly pool: number;
  readonly bodies: readonly { readonly name: string; readonly path: string }[];
  readonly concurrencies: readonly number[];
  readonly rounds: number;
  readonly windowMs: number;
  readonly warmupMs: number;
  /**
   * A first warm-up of every contender on every body at concurrency 64: the
   * JIT needs seconds before a client runs at its real speed (about 4 s for
   * rx-api-client + undici, whose first second runs at a twentieth of it).
   */
  readonly jitWarmupMs: number;
  readonly contenders?: readonly Contender[];
  readonly log?: (line: string) => void;
}

/** Medians over the rounds of one contender at one body and concurrency. */
export interface Cell {
  readonly body: string;
  readonly concurrency: number;
  readonly contender: string;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU microseconds of the client process per request. */
  readonly cpuMicros: number;
  /** req/s over raw fetch's in the same rounds. */
  readonly ratio: number;
  /** Raw fetch's CPU time per request over this contender's: the same ratio measured in CPU. */
  readonly cpuRatio: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

export async function measureThroughput(options: ThroughputOptions): Promise<Cell[]> {
  const contenders = options.contenders ?? CONTENDERS;
  useGlobalPool(options.pool);
  const clients = contenders.map((c) => ({ name: c.name, send: c.create(options.origin, options.pool) }));
  const cells: Cell[] = [];
  for (const body of options.bodies) {
    for (const client of clients) await closedLoop(() => client.send(body.path), 64, options.jitWarmupMs);
  }
  for (const body of options.bodies) {
    for (const concurrency of options.concurrencies) {
      const samples = new Map<string, Measurement[]>(clients.map((c) => [c.name, []]));
      for (const client of clients) await closedLoop(() => client.send(body.path), concurrency, options.warmupMs);
      for (let round = 0; round < options.rounds; round += 1) {
        for (let i = 0; i < clients.length; i += 1) {
          const client = clients[(i + round) % clients.length]!;
          gc();
          samples.get(client.name)!.push(await closedLoop(() => client.send(body.path), concurrency, options.windowMs));
        }
      }
      const medians = clients.map((c) => {
        const runs = samples.get(c.name)!;
        return {
          contender: c.name,
          reqPerSec: median(runs.map((r) => r.reqPerSec)),
          p50: median(runs.map((r) => r.p50)),
          p99: median(runs.map((r) => r.p99)),
          cpuMicros: median(runs.map((r) => r.cpuMicros)),
        };
      });
      const baseline = medians[0]!;
      for (const m of medians) {
        cells.push({ body: body.name, concurrency, ...m, ratio: m.reqPerSec / baseline.reqPerSec, cpuRatio: baseline.cpuMicros / m.cpuMicros });
      }
      options.log?.(
        `${body.name} c=${concurrency}: ${medians.map((m) => `${m.contender} ${Math.round(m.reqPerSec)} (${(m.reqPerSec / baseline.reqPerSec).toFixed(2)}x, cpu ${(baseline.cpuMicros / m.cpuMicros).toFixed(2)}x)`).join(', ')}`,
      );
    }
  }
  return cells;
}
