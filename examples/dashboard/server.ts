/**
 * Serves the dashboard page on 127.0.0.1: the HTML, its script (app.ts
 * bundled by esbuild at start), and the API it polls.
 *
 *   GET  /api/stats          {"visitors", "version"} with an ETag; 304 to a matching If-None-Match;
 *                            503 during an outage. The data changes every `changeEvery` answers.
 *   POST /api/outage/toggle  starts or ends the outage (the page's button)
 *   POST /api/upload         the file upload's route (./upload-route.ts)
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { uploadRoute } from './upload-route.js';

export interface DashboardServer {
  readonly url: string;
  /** Starts (`true`) or ends an outage: /api/stats answers 503 meanwhile. */
  outage(on: boolean): void;
  /** How many times /api/stats was asked. */
  readonly statsHits: () => number;
  /** How many of those were conditional (If-None-Match), and how many got a 304. */
  readonly conditional: () => { readonly asked: number; readonly notModified: number };
  close(): Promise<void>;
}

/** @param changeEvery the data changes with every `changeEvery`th answer of /api/stats (a 200 or a 304) */
export async function startDashboardServer(port = 0, changeEvery = 3): Promise<DashboardServer> {
  const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  const [html, bundle] = await Promise.all([
    readFile(here('./index.html'), 'utf8'),
    build({ entryPoints: [here('./app.ts')], bundle: true, format: 'esm', target: 'es2022', write: false }),
  ]);
  const script = bundle.outputFiles[0]!.text;
  let down = false;
  let answers = 0;
  let statsHits = 0;
  let asked = 0;
  let notModified = 0;

  const uploads = uploadRoute();
  const server = createServer((req, res) => {
    if (uploads.handle(req, res)) return;
    const send = (status: number, type: string, body: string) =>
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    switch (`${req.method} ${new URL(req.url ?? '/', 'http://localhost').pathname}`) {
      case 'GET /':
        return send(200, 'text/html; charset=utf-8', html);
      case 'GET /app.js':
        return send(200, 'text/javascript; charset=utf-8', script);
      case 'GET /api/stats': {
        statsHits += 1;
        if (down) return send(503, 'application/json', '{"error":"maintenance"}');
        const version = 1 + Math.floor(answers++ / changeEvery);
        const etag = `"v${version}"`;
        if (req.headers['if-none-match'] !== undefined) asked += 1;
        if (req.headers['if-none-match'] === etag) {
          notModified += 1;
          return res.writeHead(304, { etag, 'cache-control': 'no-cache' }).end();
        }
        // A visitors count that moves up and down, so that the sparkline has a shape.
        const visitors = 1200 + Math.round(150 * Math.sin(version / 2) + version * 7);
        return res.writeHead(200, { 'content-type': 'application/json', etag, 'cache-control': 'no-cache' }).end(JSON.stringify({ visitors, version }));
      }
      case 'POST /api/outage/toggle':
        down = !down;
        return send(204, 'text/plain', '');
      default:
        return send(404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    outage: (on) => (down = on),
    statsHits: () => statsHits,
    conditional: () => ({ asked, notModified }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
