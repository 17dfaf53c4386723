/**
 * A local export server for the export example: `GET /export` sends `lines`
 * NDJSON records, as fast as the client reads them (each write waits for
 * the socket to drain, as a real server under TCP backpressure does). It
 * counts the records written, and whether the client closed the connection
 * before the end.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExportServer {
  readonly url: string;
  /** Records written so far (the socket took them). */
  readonly written: () => number;
  /** Whether the client closed the connection before the export ended. */
  readonly closedByClient: () => boolean;
  close(): Promise<void>;
}

export interface ExportRecord {
  id: number;
  name: string;
  note: string;
}

export async function startExportServer(options: { lines: number }): Promise<ExportServer> {
  let written = 0;
  let closedByClient = false;
  const server = createServer((req, res) => {
    if (req.url !== '/export') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.on('close', () => (closedByClient ||= !res.writableFinished));
    const write = (): void => {
      while (written < options.lines && !res.destroyed) {
        let block = '';
        for (let i = 0; i < 100 && written < options.lines; i += 1) {
          written += 1;
          block += `${JSON.stringify({ id: written, name: `record ${written}`, note: 'n'.repeat(150) } satisfies ExportRecord)}\n`;
        }
        if (!res.write(block)) return void res.once('drain', write);
      }
      if (written >= options.lines) res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    written: () => written,
    closedByClient: () => closedByClient,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
