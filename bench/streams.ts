/**
 * `npm run bench:streams` (issue 19): the per-item speed of `lines` and
 * `ndjson` in both forms against a hand-written loop, on both transports
 * (items.ts), then a slow consumer of a long export: lines written against
 * consumed and peak RSS for raw fetch, the Observable form and the pull
 * form (slow-consumer.ts). Prints both tables and writes
 * bench/results/streams.json.
 *
 * Environment: BENCH_ITEMS_LINES (200000), BENCH_ITEMS_ROUNDS (5),
 * BENCH_SLOW_LINES (2000000), BENCH_SLOW_SECONDS (10), BENCH_WRITE=0 to print only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { itemsTable, measureItems } from './items.js';
import { startLoopback } from './loopback.js';
import { measureSlowConsumer, slowTable } from './slow-consumer.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const loopback = await startLoopback();
try {
  console.log('per-item speed: items/s and CPU per item against a hand-written loop over the same transport');
  const items = await measureItems(loopback.origin, { lines: env('BENCH_ITEMS_LINES', 200_000), rounds: env('BENCH_ITEMS_ROUNDS', 5), log: console.log });
  console.log(`\n${itemsTable(items)}\n`);
  console.log('a slow consumer (about 10k items/s) of a long NDJSON export');
  const slow = await measureSlowConsumer(loopback, { lines: env('BENCH_SLOW_LINES', 2_000_000), seconds: env('BENCH_SLOW_SECONDS', 10), log: console.log });
  console.log(`\n${slowTable(slow)}\n`);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(new URL('results/', import.meta.url), { recursive: true });
    const results = { date: new Date().toISOString().slice(0, 10), node: process.versions.node, items, slow };
    writeFileSync(new URL('results/streams.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    console.log('wrote bench/results/streams.json');
  }
} finally {
  await loopback.close();
}
