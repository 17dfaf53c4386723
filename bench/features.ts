/**
 * What turning a feature on costs per request (issue 12): the client with one
 * feature configured but not triggered (breaker closed, budget full, events
 * subscribed, an interceptor that passes through, a deadline that does not
 * pass, an idempotency key on GETs (which take none), a token refresh that no
 * 401 calls), in the same rounds as the client as it comes, at concurrency 64
 * on the small JSON body. CPU time per request is the steady column; "added"
 * is the row's CPU over the bare client's.
 *
 *   npm run bench:features          (about 40 s; BENCH_ROUNDS, BENCH_WINDOW_MS, BENCH_TRANSPORT=undici)
 *
 * `BENCH_TRANSPORT=stub`: over bench/stub-transport.ts, which answers at once with no socket or server
 * (as bench:overhead): what is added is the feature's own CPU time, without the socket's noise, which at
 * c=64 over fetch moves each row by more than a feature costs.
 */
import { lastValueFrom, type Observable } from 'rxjs';
import type { ClientOptions, Feature, Transport } from '../src/index.js';
import { useGlobalPool } from './contenders.js';
import { median, rotatedRounds } from './driver.js';
import { startLoopback } from './loopback.js';
import { stubTransport } from './stub-transport.js';
import { loadUndiciTransport } from './undici-build.js';

// The built package, as users get it.
const rx = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

const POOL = 64;
const CONCURRENCY = 64;
const PATH = '/small';
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 1000);
const onUndici = process.env.BENCH_TRANSPORT === 'undici';
const onStub = process.env.BENCH_TRANSPORT === 'stub';
const undiciTransport = onUndici ? ((await loadUndiciTransport()) as ((options: { connections?: number }) => Transport) | undefined) : undefined;
if (onUndici && undiciTransport === undefined) throw new Error('BENCH_TRANSPORT=undici needs the build\'s undici transport (dist/undici.js): run npm run build');

const server = onStub ? undefined : await startLoopback();
if (server) useGlobalPool(POOL);
const transport = onStub ? stubTransport : undiciTransport?.({ connections: POOL });
const base: ClientOptions = { baseUrl: server?.origin ?? 'http://api.test', ...(transport ? { transport } : {}) };

// An events subscriber that does what a dashboard does with each event: look at it.
let seen = 0;
const subscribed = (events: ReturnType<typeof rx.withEvents>) => {
  events.events$.subscribe(() => (seen += 1));
  return events;
};
const passThrough = (request: Request, next: (request: Request) => Observable<Response>) => next(request);

const rows: [name: string, features: () => Feature[], options?: Partial<ClientOptions>][] = [
  ['client as it comes', () => []],
  ['+ withCircuitBreaker() (closed)', () => [rx.withCircuitBreaker()]],
  ['+ withRetryBudget() (full)', () => [rx.withRetryBudget()]],
  ['+ withEvents() (subscribed)', () => [subscribed(rx.withEvents())]],
  ['+ withInterceptors(pass-through)', () => [rx.withInterceptors(passThrough)]],
  ['+ withDeadline(60 s)', () => [rx.withDeadline(60_000)]],
  ['+ withIdempotencyKey() (GET: no key)', () => [rx.withIdempotencyKey()]],
  // The refresh needs authHeaders as a function: this row is what that alone costs, so that the next one's is the refresh's own.
  ['authHeaders as a function (no feature)', () => [], { authHeaders: () => rx.bearerTokenAuth('t') }],
  ['+ withTokenRefresh() (no 401)', () => [rx.withTokenRefresh(() => undefined)], { authHeaders: () => rx.bearerTokenAuth('t') }],
  [
    'all of them',
    () => [rx.withCircuitBreaker(), rx.withRetryBudget(), subscribed(rx.withEvents()), rx.withInterceptors(passThrough), rx.withDeadline(60_000), rx.withIdempotencyKey(), rx.withTokenRefresh(() => undefined)],
    { authHeaders: () => rx.bearerTokenAuth('t') },
  ],
];
const ops = rows.map(([name, features, options]) => {
  const client = new rx.AsyncAPIClient({ ...base, ...options }, ...features());
  return [name, () => lastValueFrom(client.getJson(PATH))] as const;
});

const { cpu, rps } = await rotatedRounds(ops, { concurrency: CONCURRENCY, rounds, windowMs });
await server?.close();

const bare = median(cpu.get('client as it comes')!);
console.log(`a feature's price when on, ${onStub ? 'stub transport (no socket)' : onUndici ? 'undici transport' : 'fetch path'}, small JSON body, c=${CONCURRENCY}, ${rounds} rounds of ${windowMs} ms (medians; CPU µs per request of this process, GC included; ${seen} events seen)\n`);
console.log('| client | req/s | CPU µs/req | added over the bare client |');
console.log('|---|---:|---:|---:|');
for (const [name] of ops) {
  const micros = median(cpu.get(name)!);
  // Over the stub a request costs a few µs: tenths say what a feature adds.
  const shown = (value: number) => (onStub ? value.toFixed(1) : String(Math.round(value)));
  const added = name === 'client as it comes' ? '' : `${micros - bare >= 0 ? '+' : ''}${shown(micros - bare)}`;
  console.log(`| ${name} | ${Math.round(median(rps.get(name)!)).toLocaleString('en-US')} | ${shown(micros)} | ${added} |`);
}
process.exit(0);
