/**
 * Streaming a large body (100 MiB unless told): throughput and peak memory of
 * the raw chunk stream (`chunks(client, path)`) against reading raw fetch's body.
 *
 * Every contender runs in its own child process, so that its RSS is its own.
 * A child warms the JIT up on small bodies (100 of 1 MiB) and takes its
 * baseline RSS; then it reads large bodies (300 MiB in all) unmeasured, so
 * that the rounds find the heap at its working size, and waits. The peak RSS
 * is watched from the baseline on, those large bodies included: a warm-up on
 * large bodies before the baseline would hide a reader that keeps the whole
 * body (V8 and malloc keep the memory they grew to).
 *
 * The parent has the children take turns, `rounds` times in a rotated order
 * (one streams at a time, the others idle), so that drift in the machine's
 * load spreads over all of them. MiB/s and CPU per MiB are medians over the
 * rounds; the ratios to raw fetch are medians of each round's ratio, since a
 * round's runs are a second or so apart and the load changes more between
 * rounds than within one. Each contender counts the bytes and keeps none.
 *
 * Peak RSS: the kernel's high-water mark (`VmHWM`, reset through
 * `/proc/self/clear_refs`) where Linux allows it, and samples of
 * `process.memoryUsage.rss()` every 10 ms in any case; the higher of the two.
 *
 *   fetch                   raw `fetch`, the body read with its reader (the target's baseline)
 *   rx-api-client           `chunks(client, '/stream')` on the default fetch path, counted in `reduce`
 *   undici.request          undici's own body, `for await` (a reference: the limit of Node's HTTP stack)
 *   rx-api-client + undici  `chunks(client, '/stream')` with `undiciTransport()`, when the build has it
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { lastValueFrom, reduce, type Observable } from 'rxjs';
import { request } from 'undici';
import type { ClientOptions } from '../src/index.js';
import { median } from './driver.js';
import { loadUndiciTransport } from './undici-build.js';

export const MIB = 1024 * 1024;

/** One contender's numbers, over the rounds. */
export interface StreamRow {
  readonly contender: string;
  /** Median over the rounds, from sending the request to the body's last byte. */
  readonly mibPerSec: number;
  /** Median over the rounds of MiB/s over raw fetch's in the same round. */
  readonly ratio: number;
  /** Median CPU time of the contender's process (all threads, GC included) per MiB. */
  readonly cpuMsPerMib: number;
  /** Median over the rounds of raw fetch's CPU time per MiB over this contender's: above 1 is cheaper. */
  readonly cpuRatio: number;
  /** RSS after the JIT's warm-up on small bodies, before the first large one. */
  readonly baselineMib: number;
  /** The highest RSS from the baseline on (the large warm-up bodies and the rounds), over the baseline. */
  readonly peakOverBaselineMib: number;
  /** The same for the large warm-up bodies alone (the heap grows to its working size in the first). */
  readonly warmUpPeakOverBaselineMib: number;
  /** Each round's numbers, in the order run. */
  readonly rounds: readonly { readonly mibPerSec: number; readonly cpuMsPerMib: number; readonly peakOverBaselineMib: number }[];
}

export interface StreamResult {
  readonly bodyMib: number;
  readonly rounds: number;
  /** How peak RSS was taken in this run. */
  readonly peakMethod: string;
  readonly rows: readonly StreamRow[];
}

export interface StreamOptions {
  readonly origin: string;
  /** The body's size in bytes. */
  readonly bytes: number;
  readonly rounds: number;
  readonly log?: (line: string) => void;
}

export const STREAM_CONTENDERS = ['fetch', 'rx-api-client', 'undici.request', 'rx-api-client + undici'] as const;
export type ContenderName = (typeof STREAM_CONTENDERS)[number];

/** Parent to child. */
type Command = { readonly type: 'run' };
/** Child to parent. */
type Reply =
  | { readonly type: 'ready'; readonly baselineBytes: number; readonly warmUpPeakBytes: number; readonly peakMethod: string }
  | { readonly type: 'ran'; readonly seconds: number; readonly cpuMicros: number; readonly peakBytes: number };

/** Runs the streaming benchmark: one child process per contender, taking turns. */
export async function measureStreaming(options: StreamOptions): Promise<StreamResult> {
  if (!Number.isSafeInteger(options.bytes) || options.bytes < 1) throw new Error(`stream benchmark: ${options.bytes} bytes: give a whole number of bytes, at least 1`);
  const hasUndiciTransport = (await loadUndiciTransport()) !== undefined;
  const names = STREAM_CONTENDERS.filter((name) => hasUndiciTransport || name !== 'rx-api-client + undici');
  const children: Child[] = [];
  try {
    // One after the other: a child's warm-up and baseline are not disturbed by another's.
    for (const name of names) children.push(await Child.start(name, options.origin, options.bytes));
    const runs = new Map<string, Extract<Reply, { type: 'ran' }>[]>(names.map((n) => [n, []]));
    for (let round = 0; round < options.rounds; round += 1) {
      for (let i = 0; i < children.length; i += 1) {
        const child = children[(i + round) % children.length]!;
        runs.get(child.name)!.push(await child.run());
      }
    }
    const mib = options.bytes / MIB;
    const perRound = children.map((child) =>
      runs.get(child.name)!.map((r) => ({ mibPerSec: mib / r.seconds, cpuMsPerMib: r.cpuMicros / 1000 / mib, peakOverBaselineMib: (r.peakBytes - child.baselineBytes) / MIB })),
    );
    // STREAM_CONTENDERS starts with raw fetch: every ratio is to it.
    const rawFetch = perRound[0]!;
    const rows: StreamRow[] = children.map((child, c) => {
      const rounds = perRound[c]!;
      return {
        contender: child.name,
        mibPerSec: median(rounds.map((r) => r.mibPerSec)),
        // Each round's ratio is to raw fetch's run of the same round, a second or so apart: the
        // machine's load changes between rounds more than within one.
        ratio: median(rounds.map((r, i) => r.mibPerSec / rawFetch[i]!.mibPerSec)),
        cpuMsPerMib: median(rounds.map((r) => r.cpuMsPerMib)),
        cpuRatio: median(rounds.map((r, i) => rawFetch[i]!.cpuMsPerMib / r.cpuMsPerMib)),
        baselineMib: child.baselineBytes / MIB,
        peakOverBaselineMib: (Math.max(child.warmUpPeakBytes, ...runs.get(child.name)!.map((r) => r.peakBytes)) - child.baselineBytes) / MIB,
        warmUpPeakOverBaselineMib: (child.warmUpPeakBytes - child.baselineBytes) / MIB,
        rounds,
      };
    });
    options.log?.(
      rows.map((r) => `${r.contender} ${Math.round(r.mibPerSec)} MiB/s (${r.ratio.toFixed(2)}x), peak ${signedMib(r.peakOverBaselineMib)}`).join(', '),
    );
    return { bodyMib: mib, rounds: options.rounds, peakMethod: children[0]!.peakMethod, rows };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

/** `+3.2 MiB`, `−1.0 MiB`: RSS over a baseline (below it when V8 or malloc gave memory back). */
export function signedMib(mib: number): string {
  return `${mib < 0 ? '−' : '+'}${Math.abs(mib).toFixed(1)} MiB`;
}

/** The parent's handle on one contender's process. */
class Child {
  private constructor(
    readonly name: ContenderName,
    private readonly process: ChildProcess,
    readonly baselineBytes: number,
    readonly warmUpPeakBytes: number,
    readonly peakMethod: string,
  ) {}

  static async start(name: ContenderName, origin: string, bytes: number): Promise<Child> {
    const child = fork(new URL(import.meta.url), [origin, name, String(bytes)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await reply(child, name);
    if (ready.type !== 'ready') throw new Error(`stream benchmark ${name}: unexpected ${ready.type}`);
    return new Child(name, child, ready.baselineBytes, ready.warmUpPeakBytes, ready.peakMethod);
  }

  async run(): Promise<Extract<Reply, { type: 'ran' }>> {
    const answer = reply(this.process, this.name);
    this.process.send({ type: 'run' } satisfies Command);
    const ran = await answer;
    if (ran.type !== 'ran') throw new Error(`stream benchmark ${this.name}: unexpected ${ran.type}`);
    return ran;
  }

  stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.process.removeAllListeners('exit');
      this.process.once('exit', () => resolve());
      this.process.disconnect();
    });
  }
}

function reply(child: ChildProcess, name: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`stream benchmark ${name} exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message: Reply) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

// --- in the child ---------------------------------------------------------

/** A function that GETs `path` and resolves with the number of body bytes it read. */
export type Reader = (path: string) => Promise<number>;

/** The contender `name`'s way of reading a body, built once (its client, its dispatcher); also used by `profile.ts`. */
export async function readerOf(name: ContenderName, origin: string): Promise<Reader> {
  const { AsyncAPIClient, chunks } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
  const count = (chunks: Observable<Uint8Array>) => lastValueFrom(chunks.pipe(reduce((bytes, chunk) => bytes + chunk.byteLength, 0)));
  switch (name) {
    case 'fetch':
      return async (path) => {
        const response = await fetch(origin + path);
        if (!response.ok || response.body === null) throw new Error(`status ${response.status}`);
        const reader = response.body.getReader();
        let bytes = 0;
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
        return bytes;
      };
    case 'rx-api-client': {
      const client = new AsyncAPIClient(origin);
      return (path) => count(chunks(client, path));
    }
    case 'undici.request':
      return async (path) => {
        const { statusCode, body } = await request(origin + path);
        if (statusCode !== 200) throw new Error(`status ${statusCode}`);
        let bytes = 0;
        for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.byteLength;
        return bytes;
      };
    case 'rx-api-client + undici': {
      const undiciTransport = (await loadUndiciTransport())!;
      const client = new AsyncAPIClient({ baseUrl: origin, transport: undiciTransport({}) } as ClientOptions);
      return (path) => count(chunks(client, path));
    }
  }
}

/** Before the baseline: enough chunks for the JIT (1,600 of 64 KiB), little memory. */
const SMALL_WARM_UP = { count: 100, bytes: MIB };
/** After it: large bodies until at least this much was read (two 100 MiB streams still run slower than the next). */
const LARGE_WARM_UP_BYTES = 300 * MIB;

/** The kernel's record of this process's peak RSS, resettable: Linux only. */
const HIGH_WATER = {
  reset(): boolean {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return true;
    } catch {
      return false;
    }
  },
  read(): number {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  },
};

async function child(name: ContenderName, origin: string, bytes: number): Promise<void> {
  const readBody = await readerOf(name, origin);
  const read = async (size: number) => {
    const got = await readBody(`/stream?bytes=${size}`);
    if (got !== size) throw new Error(`${name} read ${got} bytes of ${size}`);
  };
  // The JIT's warm-up, on small bodies: a large one now would leave its memory in the baseline
  // (V8 and malloc keep what they grew to), and a reader that kept the whole body would pass.
  for (let i = 0; i < SMALL_WARM_UP.count; i += 1) await read(SMALL_WARM_UP.bytes);
  const highWater = HIGH_WATER.reset();
  const baselineBytes = process.memoryUsage.rss();
  // Then large bodies, unmeasured but within the peak: the heap grows to its working size in the first.
  // No forced GC, here or before a run: after one, V8 sizes its heap limits by the small live heap
  // and marks the old space several times per 100 MiB, and the stream costs two to three times the
  // CPU, for every contender (measured: 4 to 7 ms per MiB instead of 1.3 to 2.5). Phases like that
  // come and go without it too, for some runs at a time: hence the rounds and the medians.
  const peak = peakTracker(highWater);
  for (let done = 0; done < LARGE_WARM_UP_BYTES; done += bytes) await read(bytes);
  const ready: Reply = {
    type: 'ready',
    baselineBytes,
    warmUpPeakBytes: peak.stop(),
    peakMethod: highWater ? "the kernel's peak RSS (VmHWM, reset at the baseline and before each run) and samples every 10 ms" : 'samples of RSS every 10 ms',
  };
  process.send!(ready);
  process.on('message', async (command: Command) => {
    if (command.type !== 'run') return;
    const runPeak = peakTracker(highWater);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await read(bytes);
    const seconds = (performance.now() - start) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    process.send!({ type: 'ran', seconds, cpuMicros: user + system, peakBytes: runPeak.stop() } satisfies Reply);
  });
  // The parent's end is ours: never outlive it.
  process.on('disconnect', () => process.exit(0));
}

/** Peak RSS from now to `stop()`: the kernel's high-water mark where it can be reset, and samples every 10 ms. */
function peakTracker(highWater: boolean): { stop(): number } {
  if (highWater) HIGH_WATER.reset();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return {
    stop() {
      clearInterval(sampler);
      return Math.max(peak, process.memoryUsage.rss(), highWater ? HIGH_WATER.read() : 0);
    },
  };
}

if (process.send && process.argv[2]?.startsWith('http://')) {
  const [origin, name, bytes] = process.argv.slice(2) as [string, ContenderName, string];
  await child(name, origin, Number(bytes));
}
