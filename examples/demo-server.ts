/**
 * A tiny, deliberately flaky HTTP server for `examples/demo.ts`.
 *
 *   GET /api/quote    503 twice, then 200 with a small JSON quote (and 503 twice again, and so on)
 *   GET /api/missing  always 404
 *   GET /api/down     always 503
 *   GET /api/export   8 MiB with its content-length, sent in 64 KiB pieces every 15 ms (about 2 s),
 *                     logging when the client closes the connection before the end
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
    const stamp = () => ((performance.now() - started) / 1000).toFixed(2);
    if (path === '/api/export') return sendExport(res, (line) => log(`[server +${stamp()}s] GET ${path} ${line}  (hit #${hit})`));
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

const EXPORT_SIZE = 8 * 1024 * 1024;
const PIECE = 64 * 1024;

/** The export: its length announced, its bytes sent slowly; a client that goes away stops it. */
function sendExport(res: ServerResponse, log: (line: string) => void): void {
  res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(EXPORT_SIZE) });
  log(`-> 200, ${EXPORT_SIZE} bytes to send`);
  let sent = 0;
  const timer = setInterval(() => {
    res.write(Buffer.alloc(PIECE, 0x61));
    sent += PIECE;
    if (sent >= EXPORT_SIZE) {
      clearInterval(timer);
      res.end();
    }
  }, 15);
  res.on('close', () => {
    clearInterval(timer);
    log(res.writableFinished ? `sent all ${sent} bytes` : `connection closed by the client after ${sent} of ${EXPORT_SIZE} bytes`);
  });
}
