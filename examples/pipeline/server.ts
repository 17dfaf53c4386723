/**
 * A local job server for the pipeline example.
 *
 *   GET /jobs              NDJSON, one {"id": n} line per job, written a few at a time
 *   GET /jobs/:id/result   {"id", "output"}; the ids in `stall` never answer
 *
 * It counts requests in flight, so a test can check the concurrency limit and
 * that a cancelled pipeline left nothing open.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JobServer {
  readonly url: string;
  /** Result requests in flight now, and the most there ever were at once. */
  readonly inFlight: () => number;
  readonly maxInFlight: () => number;
  /** Connections the client closed before the response ended (aborts). */
  readonly aborted: () => string[];
  close(): Promise<void>;
}

export async function startJobServer(options: { jobs: number; stall?: readonly number[]; keepOpen?: boolean }): Promise<JobServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  const aborted: string[] = [];
  const watch = (res: ServerResponse, path: string) =>
    res.on('close', () => {
      if (!res.writableFinished) aborted.push(path);
    });
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    watch(res, path);
    if (path === '/api/jobs') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let next = 1;
      // A few lines per turn of the event loop (setImmediate: real I/O pacing, never faked by tests).
      const writeSome = () => {
        for (let i = 0; i < 3 && next <= options.jobs; i += 1) res.write(`${JSON.stringify({ id: next++ })}\n`);
        if (next <= options.jobs) setImmediate(writeSome);
        else if (!options.keepOpen) res.end();
      };
      writeSome();
      return;
    }
    const match = /^\/api\/jobs\/(\d+)\/result$/.exec(path);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const id = Number(match[1]);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => (inFlight -= 1));
    if (options.stall?.includes(id)) return;
    setImmediate(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, output: `job ${id} done` })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    aborted: () => [...aborted],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
