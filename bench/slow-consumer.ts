/**
 * A slow consumer of a long NDJSON export (issue 19): the server offers
 * `BENCH_SLOW_LINES` lines (2 million, 200 bytes each: 400 MB) as fast as the
 * socket takes them; the consumer takes about 10,000 items/s (a 10 ms wait
 * after every 100 items) for `BENCH_SLOW_SECONDS` (10 s), then stops. Per
 * contender: the lines the server wrote (the socket took them) against the
 * lines consumed, their difference (the lead: what sits in buffers between
 * the two, the kernel's included), and the peak RSS over the baseline.
 *
 *   raw fetch               fetch's body reader, decoded, split and parsed by hand (the baseline of the lead)
 *   Observable + concatMap  ndjson(client, …).pipe(concatMap(async (item) => …)): the push form
 *   pull                    for await (const item of pullNdjson(client, …))
 *
 * Each contender runs in a child process of its own, one after the other,
 * so that its RSS is its own; the baseline is taken after a warm-up on a
 * short export (10,000 lines at full speed).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { concatMap, tap } from 'rxjs';
import type { Loopback } from './loopback.js';

export const SLOW_CONTENDERS = ['raw fetch', 'Observable + concatMap', 'pull'] as const;
type Contender = (typeof SLOW_CONTENDERS)[number];

const MIB = 1024 * 1024;

export interface SlowRow {
  readonly contender: Contender;
  readonly consumed: number;
  /** NDJSON lines the server wrote in the run. */
  readonly written: number;
  /** Items the client had taken off the wire by the end (the push form's emitted items; undefined where only the server's count tells). */
  readonly emitted: number | undefined;
  readonly leadLines: number;
  readonly baselineMib: number;
  readonly peakOverBaselineMib: number;
}

type Reply =
  | { readonly type: 'ready'; readonly baselineBytes: number }
  | { readonly type: 'ran'; readonly consumed: number; readonly emitted: number | undefined; readonly peakBytes: number };

/** Runs each contender in turn against the loopback server. */
export async function measureSlowConsumer(loopback: Loopback, options: { lines: number; seconds: number; log?: (line: string) => void }): Promise<SlowRow[]> {
  const rows: SlowRow[] = [];
  for (const contender of SLOW_CONTENDERS) {
    const child = fork(new URL(import.meta.url), [loopback.origin, contender, String(options.lines), String(options.seconds)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const ready = await reply(child);
      if (ready.type !== 'ready') throw new Error(`slow consumer ${contender}: unexpected ${ready.type}`);
      await loopback.written();
      const ran = reply(child);
      child.send({ type: 'run' });
      const result = await ran;
      if (result.type !== 'ran') throw new Error(`slow consumer ${contender}: unexpected ${result.type}`);
      // The server's count as the consumer stopped: the connection is closed at once after it.
      const written = await loopback.written();
      const row: SlowRow = {
        contender,
        consumed: result.consumed,
        written,
        emitted: result.emitted,
        leadLines: written - result.consumed,
        baselineMib: ready.baselineBytes / MIB,
        peakOverBaselineMib: (result.peakBytes - ready.baselineBytes) / MIB,
      };
      rows.push(row);
      options.log?.(
        `${contender}: consumed ${row.consumed}, server wrote ${row.written}${row.emitted === undefined ? '' : `, emitted ${row.emitted}`}, lead ${row.leadLines} lines, peak RSS +${row.peakOverBaselineMib.toFixed(1)} MiB`,
      );
    } finally {
      child.kill();
    }
  }
  return rows;
}

function reply(child: ChildProcess): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`slow consumer exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message: Reply) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

/** The rows as a Markdown table, with the issue's targets for the pull form. */
export function slowTable(rows: readonly SlowRow[]): string {
  const raw = rows.find((r) => r.contender === 'raw fetch');
  const lines = ['| contender | consumed | server wrote | lead (lines) | × raw fetch lead | peak RSS over baseline |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const times = raw === undefined || raw.leadLines <= 0 ? '' : `${(r.leadLines / raw.leadLines).toFixed(2)}×`;
    lines.push(`| ${r.contender} | ${r.consumed.toLocaleString('en')} | ${r.written.toLocaleString('en')} | ${r.leadLines.toLocaleString('en')} | ${times} | +${r.peakOverBaselineMib.toFixed(1)} MiB |`);
  }
  return lines.join('\n');
}

// --- in the child ---------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads `path` as the contender does, at about 10k items/s, until `stop()` resolves; returns what it took. */
async function consume(name: Contender, origin: string, path: string, stop: Promise<void>, pace: boolean): Promise<{ consumed: number; emitted: number | undefined }> {
  const { AsyncAPIClient, ndjson, pullNdjson } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
  let consumed = 0;
  let stopped = false;
  void stop.then(() => (stopped = true));
  // The sink: 10 ms after every 100 items, about 10k items/s.
  const take = async () => {
    consumed += 1;
    if (pace && consumed % 100 === 0) await sleep(10);
  };
  const client = new AsyncAPIClient(origin);
  switch (name) {
    case 'raw fetch': {
      const controller = new AbortController();
      const response = await fetch(origin + path, { signal: controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let rest = '';
      try {
        for (let chunk = await reader.read(); !chunk.done && !stopped; chunk = await reader.read()) {
          const text = rest + decoder.decode(chunk.value, { stream: true });
          let start = 0;
          for (let end = text.indexOf('\n'); end !== -1 && !stopped; end = text.indexOf('\n', start)) {
            JSON.parse(text.slice(start, end));
            start = end + 1;
            await take();
          }
          rest = text.slice(start);
        }
      } finally {
        controller.abort();
      }
      return { consumed, emitted: undefined };
    }
    case 'Observable + concatMap': {
      let emitted = 0;
      await new Promise<void>((resolve, reject) => {
        const subscription = ndjson(client, path)
          .pipe(
            tap(() => void (emitted += 1)),
            concatMap(() => take()),
          )
          .subscribe({ error: reject, complete: resolve });
        void stop.then(() => {
          subscription.unsubscribe();
          resolve();
        });
      });
      return { consumed, emitted };
    }
    case 'pull':
      for await (const _ of pullNdjson(client, path)) {
        if (stopped) break;
        await take();
      }
      return { consumed, emitted: undefined };
  }
}

async function child(name: Contender, origin: string, lines: number, seconds: number): Promise<void> {
  // Warm-up at full speed, then the baseline.
  await consume(name, origin, '/ndjson?lines=10000', new Promise(() => undefined), false);
  (globalThis as { gc?: () => void }).gc?.();
  const baselineBytes = process.memoryUsage.rss();
  process.send!({ type: 'ready', baselineBytes } satisfies Reply);
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, process.memoryUsage.rss())), 20);
  const stop = sleep(seconds * 1000).then(() => undefined);
  const result = await consume(name, origin, `/ndjson?lines=${lines}`, stop, true);
  clearInterval(sampler);
  peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  process.send!({ type: 'ran', ...result, peakBytes } satisfies Reply);
  process.on('disconnect', () => process.exit(0));
}

if (process.send && process.argv[2]?.startsWith('http://')) {
  const [origin, name, lines, seconds] = process.argv.slice(2) as [string, Contender, string, string];
  await child(name, origin, Number(lines), Number(seconds));
}
