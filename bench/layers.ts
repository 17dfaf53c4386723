/**
 * Where a request's cost comes from, layer by layer, at concurrency 64 on the
 * small JSON body: each row adds one layer to the one above, in the same
 * rounds, so the differences between rows are what each layer costs.
 *
 *   npm run bench:layers            (about 40 s; BENCH_ROUNDS, BENCH_WINDOW_MS)
 *   BENCH_PATH=fetch npm run bench:layers    (one path's rows, fetch or undici, in a process of their own:
 *                                             as an app that uses one transport runs the client's core)
 *   BENCH_ONLY=undici npm run bench:layers   (only the rows whose name has "undici": half the time,
 *                                             so more rounds fit while working on that path)
 *
 * Fetch path: raw fetch, fetch with a signal, `fromFetch` (a signal and an
 * Observable), the design card's pipeline written by hand (bench/contenders.ts,
 * `cardPipeline`), the client with no timeout or retry, the client as it comes
 * (no feature: the retry budget and the rest are opt-in). Undici path:
 * `undici.request`; the same with what any cancellable client sends (an abort
 * signal, the `accept` header); the design card's pipeline on `undici.request`
 * and on `dispatcher.request` as the transport sends (the rxjs layers alone:
 * bench/contenders.ts, `cardOnUndici`); the client's undici transport alone,
 * the client on it with no timeout or retry, the client on it as it comes.
 * CPU time per request is the steadier column.
 */
import { lastValueFrom } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { Agent, request } from 'undici';
import type { ClientOptions, Transport } from '../src/index.js';
import { cardOnUndici, cardPipeline, UNDICI_LAYERS, useGlobalPool, type Contender } from './contenders.js';
import { median, rotatedRounds } from './driver.js';
import { startLoopback } from './loopback.js';
import { loadUndiciTransport } from './undici-build.js';

const { AsyncAPIClient } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
const undiciTransport = (await loadUndiciTransport()) as ((options: { connections?: number }) => Transport) | undefined;
if (undiciTransport === undefined) throw new Error('bench:layers needs the build\'s undici transport (dist/undici.js): run npm run build');

const POOL = 64;
const CONCURRENCY = 64;
const PATH = '/small';
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 1000);
// What the client does beyond sending and reading: the per-attempt timeout and the retry policy (a retry budget is opt-in: none here).
const BARE: Partial<ClientOptions> = { timeout: false, retry: false };

const server = await startLoopback();
useGlobalPool(POOL);
const origin = server.origin;
const url = origin + PATH;
const undiciClient = (extra: Partial<ClientOptions> = {}) => new AsyncAPIClient({ baseUrl: origin, transport: undiciTransport({ connections: POOL }), ...extra });
const getJson = (client: InstanceType<typeof AsyncAPIClient>) => () => lastValueFrom(client.getJson(PATH));
const dispatcher = new Agent({ connections: POOL });
const card = cardPipeline(origin);
const cardDirect = cardOnUndici(origin, dispatcher, { direct: true });
const [SIGNALLED, TRANSPORT_ALONE] = UNDICI_LAYERS as [Contender, Contender];

const allLayers: [name: string, op: () => Promise<unknown>][] = [
  ['fetch', async () => (await fetch(url)).json()],
  ['fetch + signal', async () => (await fetch(url, { signal: new AbortController().signal })).json()],
  ['fromFetch', () => lastValueFrom(fromFetch(url, { selector: (response) => response.json() }))],
  ['card pipeline (defer + fromFetch + timeout + retry)', () => card(PATH)],
  ['client, no timeout/retry', getJson(new AsyncAPIClient({ baseUrl: origin, ...BARE }))],
  ['client', getJson(new AsyncAPIClient(origin))],
  ['undici.request', async () => (await request(url, { dispatcher })).body.json()],
  [SIGNALLED.name, SIGNALLED.create(origin, POOL).bind(undefined, PATH)],
  ['card pipeline on undici.request (defer + timeout + retry)', () => cardOnUndici(origin, dispatcher)(PATH)],
  ['card pipeline on dispatcher.request (as the transport sends)', () => cardDirect(PATH)],
  [TRANSPORT_ALONE.name, TRANSPORT_ALONE.create(origin, POOL).bind(undefined, PATH)],
  ['client + undici, no timeout/retry', getJson(undiciClient(BARE))],
  ['client + undici', getJson(undiciClient())],
];
// BENCH_PATH=fetch or undici: one path's rows, in a process of their own. The client's core is one piece of code
// for both transports: a process that runs both makes its call sites see two kinds of Response and transport
// (polymorphic, slower for both), which an app that uses one transport never does.
const FIRST_UNDICI_ROW = allLayers.findIndex(([name]) => name === 'undici.request');
const paths: Readonly<Record<string, typeof allLayers>> = { fetch: allLayers.slice(0, FIRST_UNDICI_ROW), undici: allLayers.slice(FIRST_UNDICI_ROW) };
const path = process.env.BENCH_PATH;
if (path !== undefined && paths[path] === undefined) throw new Error(`BENCH_PATH must be fetch or undici, not ${JSON.stringify(path)}`);
const byPath = path === undefined ? allLayers : paths[path]!;
const only = process.env.BENCH_ONLY;
const layers = only === undefined ? byPath : byPath.filter(([name]) => name.includes(only));

const { cpu, rps } = await rotatedRounds(layers, { concurrency: CONCURRENCY, rounds, windowMs });
await server.close();

// The first row is the baseline of the CPU column: fetch, or the first row kept by BENCH_ONLY.
const fetchCpu = median(cpu.get(layers[0]![0])!);
console.log(`layers, small JSON body, c=${CONCURRENCY}, ${rounds} rounds of ${windowMs} ms (medians; CPU µs per request of this process, GC included)\n`);
console.log(`| layer | req/s | CPU µs/req | CPU × ${layers[0]![0]} | CPU added by this layer |`);
console.log('|---|---:|---:|---:|---:|');
// Each row adds to the one above, but for these: the cards and the transport alone each add to the signalled undici.request.
const ADDS_TO: Readonly<Record<string, string>> = {
  'card pipeline on undici.request (defer + timeout + retry)': SIGNALLED.name,
  'card pipeline on dispatcher.request (as the transport sends)': SIGNALLED.name,
  [TRANSPORT_ALONE.name]: SIGNALLED.name,
};
let previous: number | undefined;
for (const [name] of layers) {
  const micros = median(cpu.get(name)!);
  const base = ADDS_TO[name] !== undefined && cpu.has(ADDS_TO[name]) ? median(cpu.get(ADDS_TO[name])!) : previous;
  const added = name === 'undici.request' || base === undefined ? '' : `${micros - base >= 0 ? '+' : ''}${Math.round(micros - base)}`;
  console.log(`| ${name} | ${Math.round(median(rps.get(name)!)).toLocaleString('en-US')} | ${Math.round(micros)} | ${(fetchCpu / micros).toFixed(2)}× | ${added} |`);
  previous = micros;
}
// Issue 12's figures for the undici transport: the median of each round's ratio, req/s and CPU, to undici.request in that round.
const raw = 'undici.request';
if (rps.has(raw)) {
  console.log('');
  for (const [name] of layers.filter(([name]) => name !== raw && (name.includes('undici') || name.includes('dispatcher')))) {
    const ratios = rps.get(name)!.map((value, round) => value / rps.get(raw)![round]!);
    const cpuRatios = cpu.get(name)!.map((value, round) => cpu.get(raw)![round]! / value);
    console.log(`${name}: ${median(ratios).toFixed(2)}× undici.request (CPU ${median(cpuRatios).toFixed(2)}×), by round`);
  }
}
process.exit(0);
