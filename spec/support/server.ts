import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One request as the test server saw it. */
export interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The client closed the connection before the response was complete (an abort). */
  closedEarly: boolean;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly hits: Hit[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback, for what nock cannot show: sockets that are
 * refused, reset, stalled or aborted by the client.
 */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, hit: Hit) => void): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const hit: Hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, closedEarly: false };
    hits.push(hit);
    res.on('close', () => {
      if (!res.writableFinished) hit.closedEarly = true;
    });
    handler(req, res, hit);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server for each test that starts one, closed after it (vitest's `afterEach`, registered where this is
 * called): `const servers = serverPerTest();` then `const server = await servers.start(handler);`.
 */
export function serverPerTest(): { start(handler: Parameters<typeof startServer>[0]): Promise<TestServer> } {
  let current: TestServer | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return { start: async (handler) => (current = await startServer(handler)) };
}

/** A loopback port where nothing listens: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A handler whose first answer sends headers and part of a JSON body, then
 * resets the socket; every later one answers 200 with `body`.
 */
export function bodyDiesOnceThen(body: string): (req: IncomingMessage, res: ServerResponse) => void {
  let hits = 0;
  return (_req, res) => {
    hits += 1;
    if (hits === 1) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 5);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }
  };
}

/**
 * A server that redirects `?to=<url>` with a 302 there and answers anything else 200 `done`: two of them
 * make a cross-origin redirect on loopback.
 */
export function startRedirectingServer(): Promise<TestServer> {
  return startServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (to !== null) res.writeHead(302, { location: to }).end();
    else res.writeHead(200).end('done');
  });
}
