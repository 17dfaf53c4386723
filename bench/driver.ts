/**
 * A closed-loop load driver: `concurrency` workers each send a request, wait
 * for it to finish (body read), and send the next, until the window ends.
 */
export interface Measurement {
  readonly requests: number;
  readonly errors: number;
  readonly reqPerSec: number;
  /**
   * CPU time of this process (all its threads, GC included) per request, in
   * microseconds: less sensitive than req/s to other load on the machine.
   */
  readonly cpuMicros: number;
  /** Latency percentiles in milliseconds. */
  readonly p50: number;
  readonly p99: number;
}

export async function closedLoop(op: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<Measurement> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      try {
        await op();
        const done = performance.now();
        if (done <= end) latencies.push(done - now);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuStart);
  if (errors > 0) throw new Error(`${errors} requests failed`, { cause: firstError });
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    reqPerSec: (latencies.length * 1000) / durationMs,
    cpuMicros: (cpu.user + cpu.system) / Math.max(1, latencies.length),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Each operation in turn, in rounds with the order rotated (no operation always runs first), after a
 * 2 s JIT warm-up of each: the CPU µs per request and req/s of every round, by name.
 */
export async function rotatedRounds(
  ops: readonly (readonly [name: string, op: () => Promise<unknown>])[],
  { concurrency, rounds, windowMs }: { readonly concurrency: number; readonly rounds: number; readonly windowMs: number },
): Promise<{ readonly cpu: Map<string, number[]>; readonly rps: Map<string, number[]> }> {
  const cpu = new Map<string, number[]>(ops.map(([name]) => [name, []]));
  const rps = new Map<string, number[]>(ops.map(([name]) => [name, []]));
  for (const [, op] of ops) await closedLoop(op, concurrency, 2000);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < ops.length; i++) {
      const [name, op] = ops[(i + round) % ops.length]!;
      const measured = await closedLoop(op, concurrency, windowMs);
      cpu.get(name)!.push(measured.cpuMicros);
      rps.get(name)!.push(measured.reqPerSec);
    }
  }
  return { cpu, rps };
}
