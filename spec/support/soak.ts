import type { Subscription } from 'rxjs';
import { AsyncAPIClient, RequestError } from '../../src/index.js';
import { attemptEffect, MAX_ATTEMPTS } from './fault-matrix.js';
import { FAULTS, startFaultServer, type Fault, type FaultServer, type Injection } from './fault-server.js';

/**
 * The faults the soak draws from: all but the redirect loop, whose one attempt
 * is 21 hits (the soak matches one injection to one attempt; the fault matrix
 * covers the loop).
 */
export const SOAK_FAULTS: readonly Fault[] = FAULTS.filter((fault) => fault !== 'redirect-loop');
import { until } from './until.js';

/*
 * The soak: many requests through one client against the fault server's
 * /chaos route, where each response is faulted at random (seeded per request
 * and attempt). Every request is checked against what the server injected into
 * its attempts, read through the fault matrix; then the process itself is
 * checked: unhandled rejections, timers and sockets left over, heap growth.
 * Used by spec/soak.spec.ts (short) and spec/soak.run.ts (npm run soak).
 */

export interface SoakOptions {
  readonly requests: number;
  readonly concurrency: number;
  /** Seeds the choice of faults: the same seed injects the same faults. */
  readonly seed: number;
  /** The share of responses faulted, from 0 to 1. */
  readonly rate: number;
  /**
   * How many times the heap is measured at rest after GC, evenly through the
   * run, the last once every request has ended; the first is the baseline.
   * @default 10
   */
  readonly checkpoints?: number;
  /** Requests still running after this much real time are reported as unfinished, not waited for. @default 600000 */
  readonly limitMs?: number;
  /** Called at each checkpoint, for progress output. */
  readonly onCheckpoint?: (checkpoint: number, report: SoakReport) => void;
}

/** An outcome of one request: `value`, or the name of the error it ended with. */
type Outcome = string;

export interface SoakReport {
  /** Requests started so far. */
  requests: number;
  durationMs: number;
  /** How many requests ended with each outcome, as the client saw them. */
  readonly seen: Map<Outcome, number>;
  /** How many requests should have ended with each outcome, from the server's injections. */
  readonly expected: Map<Outcome, number>;
  /** How many responses got each injection (`none` for a clean one). */
  injected: ReadonlyMap<Injection, number>;
  /** The first requests whose outcome was not the one their injections call for. */
  readonly mismatches: string[];
  mismatchCount: number;
  /** Subscriptions that got no terminal notification, more than one, or a value after one. */
  notificationViolations: number;
  /** Requests still running when the run passed its time limit. */
  unfinished: number;
  unhandledRejections: number;
  /** Timers alive once every request has ended, beyond those alive before the first one. */
  leftoverTimers: number;
  /** Requests the server still held open once every request had ended (stalls nobody aborted). */
  openResponsesAtEnd: number;
  /** Sockets in this process once every request had ended (client and server side of each keep-alive connection). */
  socketsAtEnd: number;
  /** Sockets and servers left once the server is closed, beyond those before it started. */
  leftoverHandles: number;
  /** Heap used plus external memory, in MiB, after GC at each checkpoint. */
  readonly memoryMiB: number[];
}

const KIB = 1024;
const MIB = 1024 * KIB;
/** The client's limits in the soak: small, so that huge bodies and bombs cost little to send. */
// The timeout ends the stall faults; it is long enough that no other fault reaches it on a busy machine.
const SOAK_CLIENT = { timeout: 5_000, maxBodySize: 256 * KIB, retry: { baseDelay: 1 } } as const;
const SOAK_SERVER = { hugeBodyBytes: 1 * MIB, gzipBombBytes: 16 * MIB, slowMs: 10 } as const;
/** Growth tolerated between the memory at the first checkpoint (after the warm-up) and at any later one. */
const MEMORY_TOLERANCE_MIB = 8;

/**
 * The outcome a request must end with, given what the server injected into
 * each of its attempts: the first clean answer (or fault that still yields a
 * value) ends it with a value; an error ends it when the matrix says it is not
 * retried or when it was the last attempt. `undefined` when the injections do
 * not fit any request the policy would make (an attempt too many or too few).
 */
export function expectedOutcome(injected: readonly Injection[]): { outcome: Outcome; attempts: number } | undefined {
  for (let i = 0; i < injected.length; i += 1) {
    const injection = injected[i]!;
    const attempts = i + 1;
    const last = attempts === injected.length;
    const effect = injection === 'none' ? ({ kind: 'value' } as const) : attemptEffect(injection);
    if (effect.kind === 'value') return last ? { outcome: 'value', attempts } : undefined;
    if (!effect.retried || attempts === MAX_ATTEMPTS) return last ? { outcome: effect.error, attempts } : undefined;
  }
  return undefined;
}

function countResources(types: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (types.includes(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function excess(now: Map<string, number>, before: Map<string, number>): number {
  let total = 0;
  for (const [type, count] of now) total += Math.max(0, count - (before.get(type) ?? 0));
  return total;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

async function collectGarbage(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await macrotask();
  }
  const { heapUsed, external } = process.memoryUsage();
  return Math.round(((heapUsed + external) / MIB) * 100) / 100;
}

interface RunState {
  readonly client: AsyncAPIClient;
  readonly server: FaultServer;
  readonly report: SoakReport;
  /** How to let go of each request still running, should the run pass its time limit. */
  readonly running: Set<() => void>;
}

/** One request, checked when it ends. Resolves when it ends, whichever way. */
function soakOne(id: string, { client, server, report, running }: RunState): Promise<void> {
  return new Promise<void>((resolve) => {
    let values = 0;
    let value: unknown;
    let terminal: { error?: unknown } | undefined;
    const check = () => {
      const isValue = !('error' in terminal!);
      if (isValue ? values !== 1 : values !== 0) report.notificationViolations += 1;
      const error = terminal!.error;
      const outcome = isValue ? 'value' : error instanceof Error ? error.name : String(error);
      const attempts = isValue ? (value as { attempt?: number } | undefined)?.attempt : error instanceof RequestError ? error.attempts : undefined;
      bump(report.seen, outcome);
      const injected = server.injected(id);
      const expected = expectedOutcome(injected);
      bump(report.expected, expected?.outcome ?? 'an impossible sequence');
      if (!expected || expected.outcome !== outcome || expected.attempts !== attempts) {
        report.mismatchCount += 1;
        if (report.mismatches.length < 10) {
          const why = error instanceof Error ? `: ${error.message}` : '';
          report.mismatches.push(`${id}: injected [${injected.join(', ')}], expected ${JSON.stringify(expected)}, got ${outcome} after ${attempts}${why}`);
        }
      }
      server.forget(id);
    };
    const end = (outcome: { error?: unknown }) => {
      if (terminal) {
        report.notificationViolations += 1;
        return;
      }
      terminal = outcome;
      running.delete(abandon);
      check();
      resolve();
    };
    // Only when the run passes its time limit: count the request as unfinished and let it go.
    const abandon = () => {
      report.unfinished += 1;
      subscription?.unsubscribe();
      server.forget(id);
      resolve();
    };
    running.add(abandon);
    const subscription: Subscription | undefined = client.getJson(`/chaos/${id}`).subscribe({
      next: (v) => {
        if (terminal) report.notificationViolations += 1;
        values += 1;
        value = v;
      },
      error: (error: unknown) => end({ error }),
      complete: () => end({}),
    });
  });
}

/** A report of nothing yet, over the server's running totals of injections. */
export function emptyReport(injected: ReadonlyMap<Injection, number>): SoakReport {
  return {
    requests: 0,
    durationMs: 0,
    seen: new Map(),
    expected: new Map(),
    injected,
    mismatches: [],
    mismatchCount: 0,
    notificationViolations: 0,
    unfinished: 0,
    unhandledRejections: 0,
    leftoverTimers: 0,
    openResponsesAtEnd: 0,
    socketsAtEnd: 0,
    leftoverHandles: 0,
    memoryMiB: [],
  };
}

/**
 * Runs the soak and reports what it saw; {@link soakProblems} says what is wrong in a report.
 * Needs `global.gc`: run node with `--expose-gc`.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('the soak measures memory after GC: run node with --expose-gc');
  const checkpoints = options.checkpoints ?? 10;
  const handlesBefore = countResources(['TCPSocketWrap', 'TCPServerWrap']);

  const server = await startFaultServer({ ...SOAK_SERVER, chaos: { seed: options.seed, rate: options.rate, faults: SOAK_FAULTS } });
  const client = new AsyncAPIClient({ baseUrl: server.origin, ...SOAK_CLIENT });
  const report = emptyReport(server.totals);
  const onUnhandled = () => (report.unhandledRejections += 1);
  process.on('unhandledRejection', onUnhandled);
  const started = performance.now();
  const state: RunState = { client, server, report, running: new Set() };
  let stopped = false;
  const limit = setTimeout(() => {
    stopped = true;
    for (const abandon of [...state.running]) abandon();
  }, options.limitMs ?? 600_000);
  try {
    // The first fetch of a process loads its HTTP stack (hundreds of ms): not something to time out on.
    await fetch(`${server.origin}/fault/slow-headers/warm-up`).then((response) => response.text());
    server.forget('warm-up');
    const timersBefore = countResources(['Timeout']);

    // At each checkpoint no new request starts until every one still running is stalled on the
    // server (only its timeout can end it, seconds away): the heap is then at rest, and measured.
    let next = 0;
    let pause: Promise<void> | undefined;
    const checkpoint = async (index: number) => {
      await until(() => stopped || state.running.size === server.stalledResponses(), 60_000).catch(() => undefined);
      report.requests = next;
      report.durationMs = Math.round(performance.now() - started);
      report.memoryMiB.push(await collectGarbage(gc));
      options.onCheckpoint?.(index, report);
    };
    const worker = async () => {
      for (;;) {
        while (pause) await pause;
        if (stopped || next >= options.requests) return;
        const request = soakOne(String(next), state);
        next += 1;
        const passed = Math.floor((next * checkpoints) / options.requests);
        if (next < options.requests && passed > Math.floor(((next - 1) * checkpoints) / options.requests)) {
          pause = checkpoint(passed - 1).finally(() => (pause = undefined));
        }
        await request;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    // The last checkpoint: every request has ended.
    await checkpoint(checkpoints - 1);
    // Whatever timer is still alive now belongs to nobody.
    await macrotask();
    report.leftoverTimers = excess(countResources(['Timeout']), timersBefore);
    report.openResponsesAtEnd = server.openResponses();
    report.socketsAtEnd = countResources(['TCPSocketWrap']).get('TCPSocketWrap') ?? 0;
  } finally {
    clearTimeout(limit);
    await server.close();
    process.off('unhandledRejection', onUnhandled);
  }
  // The server's side closes at once; the client's idle keep-alive sockets close when they see it.
  await until(() => excess(countResources(['TCPSocketWrap', 'TCPServerWrap']), handlesBefore) === 0, 5_000).catch(() => undefined);
  report.leftoverHandles = excess(countResources(['TCPSocketWrap', 'TCPServerWrap']), handlesBefore);
  return report;
}

/** What is wrong in a report; empty when the soak passed. */
export function soakProblems(report: SoakReport, options: SoakOptions): string[] {
  const problems: string[] = [];
  const table = (map: ReadonlyMap<string, number>) => JSON.stringify(Object.fromEntries([...map].sort()));
  if (report.requests !== options.requests) problems.push(`started ${report.requests} of ${options.requests} requests`);
  if (report.unfinished > 0) problems.push(`${report.unfinished} requests never ended`);
  if (report.notificationViolations > 0) problems.push(`${report.notificationViolations} subscriptions did not get exactly one terminal notification`);
  if (report.mismatchCount > 0) problems.push(`${report.mismatchCount} outcomes differ from what the server injected:\n  ${report.mismatches.join('\n  ')}`);
  if (table(report.seen) !== table(report.expected)) problems.push(`outcome counts ${table(report.seen)} differ from the expected ${table(report.expected)}`);
  const answered = [...report.seen.values()].reduce((a, b) => a + b, 0);
  if (answered + report.unfinished !== options.requests) problems.push(`${answered} requests ended, of ${options.requests}`);
  if (report.unhandledRejections > 0) problems.push(`${report.unhandledRejections} unhandled rejections`);
  if (report.leftoverTimers > 0) problems.push(`${report.leftoverTimers} timers left alive after the last request ended`);
  if (report.openResponsesAtEnd > 0) problems.push(`the server still held ${report.openResponsesAtEnd} requests open after the last one ended`);
  // Each keep-alive connection is two sockets here (both ends live in this process); at most one per request in flight.
  if (report.socketsAtEnd > 2 * options.concurrency) problems.push(`${report.socketsAtEnd} sockets open after the last request, for a concurrency of ${options.concurrency}`);
  if (report.leftoverHandles > 0) problems.push(`${report.leftoverHandles} sockets or servers left once the server closed`);
  const [warm, ...rest] = report.memoryMiB;
  if (warm !== undefined && rest.length > 0) {
    const peak = Math.max(...rest);
    if (peak - warm > MEMORY_TOLERANCE_MIB) problems.push(`memory grew from ${warm} MiB to ${peak} MiB after GC (${report.memoryMiB.join(', ')})`);
  }
  return problems;
}
