/**
 * The server side of ./upload.ts: `POST /api/upload` reads the body at a
 * bounded rate (so that a bar has time to move on loopback), keeps none of it,
 * and answers `{ "stored": <bytes> }`; the first `failFirst` uploads are
 * answered 503 once their body is in (to show a retry). It counts the uploads that
 * completed and those whose connection the client closed first (Cancel).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface UploadRoute {
  /** Serves the request if it is an upload; `false` when it is not one. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Uploads answered, and uploads the client gave up before their answer. */
  readonly counts: () => { readonly completed: number; readonly aborted: number };
}

/**
 * The route.
 *
 * @param bytesPerSecond how fast the body is read
 * @param failFirst how many uploads get a 503
 */
export function uploadRoute({ bytesPerSecond = 8 * 1024 * 1024, failFirst = 0 } = {}): UploadRoute {
  let completed = 0;
  let aborted = 0;
  let failures = 0;
  return {
    counts: () => ({ completed, aborted }),
    handle: (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'POST' || url.pathname !== '/api/upload') return false;
      let stored = 0;
      res.on('close', () => {
        if (!res.writableEnded) aborted += 1;
      });
      req.on('data', (chunk: Buffer) => {
        stored += chunk.length;
        req.pause();
        setTimeout(() => req.resume(), (chunk.length / bytesPerSecond) * 1000);
      });
      req.on('end', () => {
        const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
        if (failures < failFirst) {
          failures += 1;
          return send(503, { error: 'busy' });
        }
        completed += 1;
        return send(200, { stored });
      });
      return true;
    },
  };
}
