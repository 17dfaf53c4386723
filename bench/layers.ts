/**
 * Where a request's cost comes from, layer by layer, at concurrency 64 on the
 * small JSON body: each row adds one layer to the one above, in the same
 * rounds, so the differences between rows are what each layer costs.
 *
 *   npm run bench:layers            (about 40 s; BENCH_ROUNDS, BENCH_WINDOW_MS)
 *
 * Fetch path: raw fetch, fetch with a signal, `fromFetch` (a signal and an
 * Observable), the design card's pipeline written by hand (bench/contenders.ts,
 * `cardPipeline`), the client with no timeout or retry, the client as it comes
 * (no feature: the retry budget and the rest are opt-in). Undici path:
 * `undici.request`, the client's undici transport alone, the client on it
 * with no timeout or retry, the client on it as it comes. CPU time per request is the steadier column.
 */
import { lastValueFrom } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { Agent, request } from 'undici';
import type { ClientOptions, Transport } from '../src/index.js';
import { cardPipeline, useGlobalPool } from './contenders.js';
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
const transport = undiciTransport({ connections: POOL });
const dispatcher = new Agent({ connections: POOL });
const card = cardPipeline(origin);

const layers: [name: string, op: () => Promise<unknown>][] = [
  ['fetch', async () => (await fetch(url)).json()],
  ['fetch + signal', async () => (await fetch(url, { signal: new AbortController().signal })).json()],
  ['fromFetch', () => lastValueFrom(fromFetch(url, { selector: (response) => response.json() }))],
  ['card pipeline (defer + fromFetch + timeout + retry)', () => card(PATH)],
  ['client, no timeout/retry', getJson(new AsyncAPIClient({ baseUrl: origin, ...BARE }))],
  ['client', getJson(new AsyncAPIClient(origin))],
  ['undici.request', async () => (await request(url, { dispatcher })).body.json()],
  ['undici transport alone', () => lastValueFrom(transport(url, { method: 'GET', headers: { accept: 'application/json' }, selector: (response) => response.json() }))],
  ['client + undici, no timeout/retry', getJson(undiciClient(BARE))],
  ['client + undici', getJson(undiciClient())],
];

const { cpu, rps } = await rotatedRounds(layers, { concurrency: CONCURRENCY, rounds, windowMs });
await server.close();

const fetchCpu = median(cpu.get('fetch')!);
console.log(`layers, small JSON body, c=${CONCURRENCY}, ${rounds} rounds of ${windowMs} ms (medians; CPU µs per request of this process, GC included)\n`);
console.log('| layer | req/s | CPU µs/req | CPU × fetch | CPU added by this layer |');
console.log('|---|---:|---:|---:|---:|');
let previous: number | undefined;
for (const [name] of layers) {
  const micros = median(cpu.get(name)!);
  const added = name === 'undici.request' || previous === undefined ? '' : `${micros - previous >= 0 ? '+' : ''}${Math.round(micros - previous)}`;
  console.log(`| ${name} | ${Math.round(median(rps.get(name)!)).toLocaleString('en-US')} | ${Math.round(micros)} | ${(fetchCpu / micros).toFixed(2)}× | ${added} |`);
  previous = micros;
}
process.exit(0);
