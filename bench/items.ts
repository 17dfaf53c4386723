/**
 * Per-item speed of the streams (issue 19): items per second for `lines` and
 * `ndjson`, in the Observable form, the pull form item by item and the pull
 * form's batches, against a hand-written loop over the same transport's raw
 * body that decodes, splits and parses (fetch: the body's reader; undici:
 * `undici.request`'s body iterator). The server sends `BENCH_ITEMS_LINES`
 * lines (200,000) of 200 bytes (`/ndjson?lines=N` of server.ts).
 *
 * One process; a JIT warm-up of every contender, then `BENCH_ITEMS_ROUNDS`
 * (5) rounds in which the contenders of a transport and kind take turns in
 * rotated order. The ratio is the median of each round's ratio to the hand
 * loop's run of the same round: the machine's load moves between rounds
 * more than within one.
 *
 *   npm run bench:streams            (this, then the slow-consumer run of slow-consumer.ts)
 */
import { request } from 'undici';
import type { Observable } from 'rxjs';
import type { ClientOptions } from '../src/index.js';
import { median } from './driver.js';
import { loadUndiciTransport } from './undici-build.js';

/** What a contender does with one body: resolves with the number of items it took. */
export type Read = (path: string) => Promise<number>;

export interface ItemsRow {
  readonly transport: 'fetch' | 'undici';
  readonly kind: 'lines' | 'ndjson';
  readonly contender: string;
  /** Median over the rounds. */
  readonly itemsPerSec: number;
  /** Median of each round's items/s over the hand loop's in that round. */
  readonly ratio: number;
  /** Median CPU time of this process (the client's; the server has its own) per item, in ns. */
  readonly cpuNsPerItem: number;
  /** Median of each round's hand-loop CPU per item over this contender's: above 1 is cheaper. */
  readonly cpuRatio: number;
  /** The issue's floor for this ratio (none for the hand loop). */
  readonly target: number | undefined;
}

const TARGETS: Readonly<Record<string, number>> = { Observable: 0.9, pull: 0.8, 'pull, batches': 0.9 };

/** The hand-written loop of a consumer who knows the body: decode each chunk, split on `\n`, parse. */
async function handLoop(chunks: AsyncIterable<Uint8Array>, parse: boolean): Promise<number> {
  const decoder = new TextDecoder();
  let rest = '';
  let count = 0;
  let last: unknown;
  for await (const chunk of chunks) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = text.slice(start, end);
      if (parse) last = JSON.parse(line);
      count += 1;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') count += 1;
  return last === null ? -1 : count;
}

/** fetch's body read with its reader, as an async iterable without the iterator's own machinery. */
async function* readerChunks(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) yield chunk.value;
}

function count<T>(items$: Observable<T>): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    items$.subscribe({ next: () => void (count += 1), error: reject, complete: () => resolve(count) });
  });
}

async function countPull<T>(items: AsyncIterable<T>): Promise<number> {
  let count = 0;
  for await (const _ of items) count += 1;
  return count;
}

async function countBatches<T>(batches: AsyncIterable<readonly T[]>): Promise<number> {
  let count = 0;
  for await (const batch of batches) count += batch.length;
  return count;
}

/** The contenders of one transport and kind, the hand loop first (profile.ts profiles one of them). */
export async function itemContenders(origin: string, transport: 'fetch' | 'undici', kind: 'lines' | 'ndjson'): Promise<[string, Read][]> {
  const api = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
  const parse = kind === 'ndjson';
  const hand: Read =
    transport === 'fetch'
      ? async (path) => {
          const response = await fetch(origin + path);
          return handLoop(readerChunks(response.body!), parse);
        }
      : async (path) => {
          const { body } = await request(origin + path);
          return handLoop(body as AsyncIterable<Uint8Array>, parse);
        };
  const undiciTransport = transport === 'undici' ? await loadUndiciTransport() : undefined;
  if (transport === 'undici' && undiciTransport === undefined) throw new Error('bench:streams needs dist/undici.js: npm run build');
  const client = new api.AsyncAPIClient({ baseUrl: origin, ...(undiciTransport ? { transport: undiciTransport({}) } : {}) } as ClientOptions);
  const push = parse ? api.ndjson : api.lines;
  const pull = parse ? api.pullNdjson : api.pullLines;
  return [
    ['hand loop', hand],
    ['Observable', (path) => count(push(client, path))],
    ['pull', (path) => countPull(pull(client, path))],
    ['pull, batches', (path) => countBatches(pull(client, path).batches())],
  ];
}

/** Runs the per-item benchmark against the loopback server at `origin`. */
export async function measureItems(origin: string, options: { lines: number; rounds: number; log?: (line: string) => void }): Promise<ItemsRow[]> {
  const path = `/ndjson?lines=${options.lines}`;
  const rows: ItemsRow[] = [];
  for (const transport of ['fetch', 'undici'] as const) {
    for (const kind of ['lines', 'ndjson'] as const) {
      const named = await itemContenders(origin, transport, kind);
      const run = async (read: Read) => {
        const cpu = process.cpuUsage();
        const start = performance.now();
        const got = await read(path);
        const seconds = (performance.now() - start) / 1000;
        const { user, system } = process.cpuUsage(cpu);
        if (got !== options.lines) throw new Error(`read ${got} items of ${options.lines}`);
        return { itemsPerSec: options.lines / seconds, cpuNs: ((user + system) * 1000) / options.lines };
      };
      // The JIT's warm-up: each contender twice.
      for (const [, read] of named) for (let i = 0; i < 2; i += 1) await run(read);
      // perRound[contender][round]: in each round every contender once, the order rotated.
      const perRound: { itemsPerSec: number; cpuNs: number }[][] = named.map(() => []);
      for (let round = 0; round < options.rounds; round += 1) {
        for (let i = 0; i < named.length; i += 1) {
          const c = (i + round) % named.length;
          perRound[c]!.push(await run(named[c]![1]));
        }
      }
      named.forEach(([contender], c) => {
        const runs = perRound[c]!;
        const row: ItemsRow = {
          transport,
          kind,
          contender,
          itemsPerSec: median(runs.map((r) => r.itemsPerSec)),
          ratio: median(runs.map((r, round) => r.itemsPerSec / perRound[0]![round]!.itemsPerSec)),
          cpuNsPerItem: median(runs.map((r) => r.cpuNs)),
          cpuRatio: median(runs.map((r, round) => perRound[0]![round]!.cpuNs / r.cpuNs)),
          target: TARGETS[contender],
        };
        rows.push(row);
        options.log?.(`${transport} ${kind} ${contender}: ${Math.round(row.itemsPerSec / 1000)}k items/s (${row.ratio.toFixed(2)}x), CPU ${Math.round(row.cpuNsPerItem)} ns/item (${row.cpuRatio.toFixed(2)}x)`);
      });
    }
  }
  return rows;
}

/** The rows as a Markdown table. */
export function itemsTable(rows: readonly ItemsRow[]): string {
  const lines = ['| transport | kind | contender | items/s | × hand loop | CPU ns/item | CPU × hand loop | target | met (items/s; CPU) |', '|---|---|---|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const met = r.target === undefined ? '' : `${r.ratio >= r.target ? 'yes' : '**no**'}; ${r.cpuRatio >= r.target ? 'yes' : '**no**'}`;
    lines.push(
      `| ${r.transport} | ${r.kind} | ${r.contender} | ${Math.round(r.itemsPerSec).toLocaleString('en')} | ${r.ratio.toFixed(2)}× | ${Math.round(r.cpuNsPerItem)} | ${r.cpuRatio.toFixed(2)}× | ${r.target === undefined ? '' : `${r.target}×`} | ${met} |`,
    );
  }
  return lines.join('\n');
}
