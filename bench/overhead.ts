/**
 * The client's own cost per request, without sockets: `getJson` with bearer
 * auth and the design card's pipeline (defer + a transport with a parsing
 * selector + `timeout` + `retry`) over the same stub transport, which answers
 * at once with a small JSON body. What is left between the two is our code
 * (prepare, credentials, redirects, typed errors, the body limit) and the
 * rxjs layers the card does not have. CPU time of this process, in rotated
 * rounds; the difference by round is the steadier figure on a loaded machine.
 *
 *   npm run bench:overhead        (about 10 s; BENCH_ROUNDS, BENCH_REQUESTS)
 */
import { defer, from, lastValueFrom, retry, throwError, timeout, timer, type ObservableInput } from 'rxjs';
import type { Transport } from '../src/index.js';
import { median } from './driver.js';

const { AsyncAPIClient, bearerTokenAuth } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const requests = Number(process.env.BENCH_REQUESTS ?? 20_000);

// A network response with its length: the reader's fast path, as on a real socket.
const headers = new Headers({ 'content-type': 'application/json', 'content-length': '7' });
const answer = () => ({ status: 200, ok: true, type: 'basic', headers, text: () => Promise.resolve('{"a":1}'), json: () => Promise.resolve({ a: 1 }), body: null }) as unknown as Response;
const stub: Transport = <T>(_url: string, init: RequestInit & { selector: (response: Response) => ObservableInput<T> }) => defer(() => from(init.selector(answer())));

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
