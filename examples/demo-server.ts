/**
 * A tiny, deliberately flaky HTTP server for `examples/demo.ts`.
 *
 *   GET /api/quote    503 twice, then 200 with a small JSON quote (and 503 twice again, and so on)
 *   GET /api/missing  always 404
 *   GET /api/down     always 503
 *   anything else     404
 *
 * It listens on 127.0.0.1 on a free port and logs every hit with the time
 * since it started, e.g. `[server +2.00s] GET /api/quote -> 503`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** How many requests each path received, e.g. `hits('/api/down')`. */
  hits(path: string): number;
  /** Stops listening and drops every connection (keep-alive ones included). */
  close(): Promise<void>;
}

type Reply = { status: number; body?: unknown };

export interface DemoServerOptions {
  /** Where hit lines go; `console.log` by default. */
  log?: (line: string) => void;
  /** The `performance.now()` that timestamps count from; the server's start by default. */
  startedAt?: number;
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = options.startedAt ?? performance.now();
  const counts = new Map<string, number>();

  const routes: Record<string, (hit: number) => Reply> = {
    // Fails twice out of three: hits 1 and 2 get 503, hit 3 gets the quote.
    '/api/quote': (hit) =>
      hit % 3 === 0
        ? { status: 200, body: { symbol: 'RXJS', price: 42.17, currency: 'EUR', servedOnHit: hit } }
        : { status: 503, body: { error: 'busy, try again later' } },
    '/api/missing': () => ({ status: 404, body: { error: 'no such thing' } }),
    '/api/down': () => ({ status: 503, body: { error: 'down for maintenance' } }),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const hit = (counts.get(path) ?? 0) + 1;
    counts.set(path, hit);
    const route = routes[path];
    const reply: Reply = route ? route(hit) : { status: 404, body: { error: 'no such route' } };
    const auth = req.headers.authorization === 'Bearer demo-token' ? 'token ok' : 'no token';
    const elapsed = ((performance.now() - started) / 1000).toFixed(2);
    log(`[server +${elapsed}s] ${req.method ?? '?'} ${path} -> ${reply.status}  (hit #${hit}, ${auth})`);
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps sockets alive for reuse: without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
