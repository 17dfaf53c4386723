/**
 * The client's own cost per request, without sockets: `getJson` with bearer
 * auth and the design card's pipeline (defer + a transport with a parsing
 * selector + `timeout` + `retry`) over the same stub transport, which answers
 * at once with a small JSON body. What is left between the two is our code
 * (prepare, credentials, redirects, typed errors, the body limit) and the
 * rxjs layers the card does not have. CPU time of this process, in rotated
 * rounds; the difference by round is the steadier figure on a loaded machine.
 *
 *   npm run bench:overhead        (about 20 s; BENCH_ROUNDS, BENCH_REQUESTS)
 *
 * A second table does the same for the undici transport (issue 12), over a
 * stub undici dispatcher whose body answers `text()` and `json()` at once: a
 * request and its parse through the stub by hand (what `undici.request`'s
 * user code does, without undici), the transport alone, the client on it
 * with no timeout or retry, and the client as it comes. Each row less the
 * one above is what that layer costs, with no socket or other process in
 * the figure.
 */
import { defer, lastValueFrom, retry, throwError, timeout, timer } from 'rxjs';
import type { Transport } from '../src/index.js';
import type { Dispatcher } from 'undici';
import { median } from './driver.js';
import { stubTransport as stub } from './stub-transport.js';
import { loadUndiciTransport } from './undici-build.js';

const { AsyncAPIClient, bearerTokenAuth } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const requests = Number(process.env.BENCH_REQUESTS ?? 20_000);

const card = (path: string) =>
  lastValueFrom(
    defer(() =>
      stub('http://api.test' + path, {
        headers: { accept: 'application/json', authorization: 'Bearer t0ken' },
        redirect: 'manual',
        selector: (response) => {
          if (response.status >= 400) throw new Error(`status ${response.status}`);
          return response.json() as Promise<unknown>;
        },
      }),
    ).pipe(
      timeout({ first: 30_000 }),
      retry({ count: 2, delay: (error: unknown, i: number) => (i < 3 ? timer(2000 * 2 ** (i - 1)) : throwError(() => error)) }),
    ),
  );
const client = new AsyncAPIClient({ baseUrl: 'http://api.test', transport: stub, authHeaders: bearerTokenAuth('t0ken') });
const ours = (path: string) => lastValueFrom(client.getJson(path));

/** CPU ns per request of `op`, run `n` times one after the other. */
async function cpuPerRequest(op: (path: string) => Promise<unknown>, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += 1) await op('/small');
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

for (let i = 0; i < 3; i += 1) {
  await cpuPerRequest(card, requests);
  await cpuPerRequest(ours, requests);
}

const cards: number[] = [];
const clients: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? [card, ours] : [ours, card];
  for (const op of order) (op === card ? cards : clients).push(await cpuPerRequest(op, requests));
}
const over = clients.map((c, i) => c - cards[i]!);
console.log(`stub transport, ${rounds} rounds of ${requests} requests (medians, CPU ns per request)\n`);
console.log('| pipeline | CPU ns/req |');
console.log('|---|---:|');
console.log(`| card pipeline | ${Math.round(median(cards))} |`);
console.log(`| rx-api-client getJson + bearer | ${Math.round(median(clients))} |`);
console.log(`| the client's own cost (by round) | ${Math.round(median(over))} |`);

// The undici transport over a stub dispatcher: the parsed record and body methods that undici's request() hands back.
const undiciTransport = (await loadUndiciTransport()) as ((options: { dispatcher: Dispatcher }) => Transport) | undefined;
if (undiciTransport !== undefined) {
  const TEXT = '{"id":1,"name":"small","tags":["a","b"]}';
  const data = () => ({
    statusCode: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json', 'content-length': String(TEXT.length), date: 'Wed, 02 Dec 2026 12:00:00 GMT', connection: 'keep-alive', 'keep-alive': 'timeout=5' },
    trailers: {},
    opaque: null,
    context: {},
    body: { text: () => Promise.resolve(TEXT), json: () => Promise.resolve(JSON.parse(TEXT)), dump: () => Promise.resolve(), destroy() {} },
  });
  const dispatcher = { request: () => Promise.resolve(data()) } as unknown as Dispatcher;
  const origin = 'http://api.test';
  const transport = undiciTransport({ dispatcher });
  const undiciClient = (extra: object) => new AsyncAPIClient(Object.assign({ baseUrl: origin, transport }, extra));
  const bare = undiciClient({ timeout: false, retry: false });
  const full = undiciClient({});
  const rows: [name: string, op: (path: string) => Promise<unknown>][] = [
    ['stub dispatcher by hand (request + body.json())', async (path) => (await dispatcher.request({ origin, path, method: 'GET' })).body.json()],
    ['undici transport alone', (path) => lastValueFrom(transport(origin + path, { method: 'GET', headers: { accept: 'application/json' }, selector: (response) => response.json() as Promise<unknown> }))],
    ['client + undici, no timeout/retry', (path) => lastValueFrom(bare.getJson(path))],
    ['client + undici', (path) => lastValueFrom(full.getJson(path))],
  ];
  for (let i = 0; i < 3; i += 1) for (const [, op] of rows) await cpuPerRequest(op, requests);
  const cpu = new Map<string, number[]>(rows.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < rows.length; i += 1) {
      const [name, op] = rows[(i + round) % rows.length]!;
      cpu.get(name)!.push(await cpuPerRequest(op, requests));
    }
  }
  console.log(`\nundici transport over a stub dispatcher, ${rounds} rounds of ${requests} requests (medians, CPU ns per request; added: by round, over the row above)\n`);
  console.log('| layer | CPU ns/req | added |');
  console.log('|---|---:|---:|');
  rows.forEach(([name], i) => {
    const own = cpu.get(name)!;
    const above = i === 0 ? undefined : cpu.get(rows[i - 1]![0])!;
    console.log(`| ${name} | ${Math.round(median(own))} | ${above === undefined ? '' : `+${Math.round(median(own.map((value, round) => value - above[round]!)))}`} |`);
  });
}
