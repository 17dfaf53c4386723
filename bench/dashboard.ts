/**
 * A simulated dashboard (issue 14): 20 widgets on 5 endpoints whose data
 * changes every 30 s, polled every 5 s for 10 minutes, in virtual time (an
 * rxjs VirtualTimeScheduler as the client's and the polls' scheduler) against
 * a loopback server. Each row is one way to write the widgets; the server
 * counts its hits, its 304s and the body bytes it sent. Virtual time moves
 * only while no request is in flight, so every request runs for real.
 *
 *   npm run bench:dashboard          (a few seconds)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defer, exhaustMap, finalize, Subscription, timer, VirtualTimeScheduler, type Observable } from 'rxjs';
import { AsyncAPIClient, poll, withSharing, type Feature } from '../src/index.js';

const WIDGETS = 20;
const ENDPOINTS = 5;
const CHANGE_EVERY_MS = 30_000;
const INTERVAL_MS = 5_000;
const DURATION_MS = 10 * 60_000;

interface Counts {
  hits: number;
  notModified: number;
  bodyBytes: number;
  /** Everything the server wrote: status lines, headers and bodies. */
  wireBytes: number;
}

/** Each /metric/N answers a series of 60 points that changes every 30 s of the scheduler's time, with an ETag. */
async function startMetricServer(now: () => number) {
  const counts: Counts = { hits: 0, notModified: 0, bodyBytes: 0, wireBytes: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    counts.hits += 1;
    const version = Math.floor(now() / CHANGE_EVERY_MS);
    const etag = `"${req.url}-${version}"`;
    if (req.headers['if-none-match'] === etag) {
      counts.notModified += 1;
      return res.writeHead(304, { etag }).end();
    }
    const points = Array.from({ length: 60 }, (_, i) => ({ t: version * CHANGE_EVERY_MS + i * 500, value: Math.round(1000 * Math.abs(Math.sin(version + i))) }));
    const body = JSON.stringify({ metric: req.url, version, points });
    counts.bodyBytes += Buffer.byteLength(body);
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const socket of sockets) counts.wireBytes += socket.bytesWritten;
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, close };
}

/** A feature of this bench only: counts the client's requests in flight, so that the clock waits for them. */
function inFlightCounter(): Feature & { readonly pending: () => number } {
  let pending = 0;
  return {
    pending: () => pending,
    order: 99,
    setup: () => ({
      start: () => ({
        whole: <T>(request$: Observable<T>) =>
          defer(() => {
            pending += 1;
            return request$.pipe(finalize(() => (pending -= 1)));
          }),
      }),
    }),
  };
}

/** Runs the widgets for DURATION_MS of virtual time: between two steps of the clock, every request in flight ends. */
async function simulate(name: string, widgets: (client: AsyncAPIClient, scheduler: VirtualTimeScheduler, endpoint: (i: number) => string) => Observable<unknown>[], features: Feature[] = []) {
  const scheduler = new VirtualTimeScheduler();
  const server = await startMetricServer(() => scheduler.now());
  const counter = inFlightCounter();
  const client = new AsyncAPIClient({ baseUrl: server.origin, scheduler }, ...features, counter);
  const running = new Subscription();
  for (const widget$ of widgets(client, scheduler, (i) => `/metric/${i % ENDPOINTS}`)) running.add(widget$.subscribe({ error: (error: unknown) => console.error(name, error) }));
  for (;;) {
    while (counter.pending() > 0) await new Promise((resolve) => setImmediate(resolve));
    const next = scheduler.actions[0];
    if (!next || next.delay >= DURATION_MS) break;
    scheduler.maxFrames = next.delay;
    scheduler.flush();
  }
  running.unsubscribe();
  await server.close();
  return { name, ...server.counts };
}

const each = (make: (i: number) => Observable<unknown>) => Array.from({ length: WIDGETS }, (_, i) => make(i));

const rows = [
  await simulate('plain polling (`timer` + `getJson` per widget)', (client, scheduler, endpoint) =>
    each((i) => timer(0, INTERVAL_MS, scheduler).pipe(exhaustMap(() => client.getJson(endpoint(i))))),
  ),
  await simulate('plain polling + `withSharing()`', (client, scheduler, endpoint) =>
    each((i) => timer(0, INTERVAL_MS, scheduler).pipe(exhaustMap(() => client.getJson(endpoint(i))))), [withSharing()],
  ),
  await simulate('conditional polling (`poll()`, one poller per widget)', (client, scheduler, endpoint) =>
    each((i) => poll(client, endpoint(i), { interval: INTERVAL_MS, scheduler, key: `widget ${i}` })),
  ),
  await simulate('conditional polling + sharing (`poll()`, one poller per endpoint)', (client, scheduler, endpoint) =>
    each((i) => poll(client, endpoint(i), { interval: INTERVAL_MS, scheduler })),
  ),
];

const [plain] = rows;
console.log(`${WIDGETS} widgets on ${ENDPOINTS} endpoints, data changing every ${CHANGE_EVERY_MS / 1000} s, polled every ${INTERVAL_MS / 1000} s for ${DURATION_MS / 60_000} min (virtual time)\n`);
console.log('| widgets written as | server hits | 304s | body bytes | bytes on the wire | hits vs plain | wire bytes vs plain |');
console.log('|---|--:|--:|--:|--:|--:|--:|');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.hits} | ${row.notModified} | ${row.bodyBytes} | ${row.wireBytes} | ${(row.hits / plain!.hits).toFixed(3)} | ${(row.wireBytes / plain!.wireBytes).toFixed(3)} |`,
  );
}
