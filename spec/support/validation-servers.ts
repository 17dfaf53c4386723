// What the validation specs of the Observable forms (validation-streams.spec.ts) and of the pull forms
// (validation-pull.spec.ts) share: the schemas they check with, and their loopback servers.
import { type } from 'arktype';
import * as v from 'valibot';
import { afterEach } from 'vitest';
import { z } from 'zod';
import { AsyncAPIClient, withValidation } from '../../src/index.js';
import { startServer, type TestServer } from './server.js';

/** A job, `{ id: number }`, in each of the three Standard Schema libraries the specs run with. */
export const JOBS = {
  zod: z.object({ id: z.number() }),
  valibot: v.object({ id: v.number() }),
  arktype: type({ id: 'number' }),
} as const;

/**
 * The loopback server of each test, closed after it: `serve` starts one with a handler, `feed` one that
 * writes `body` and, unless `end`, keeps the connection open (as a live feed does), and gives a client
 * with `withValidation()` on it; `server` is the one started last.
 */
export function validationServers() {
  let current: TestServer | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const serve = async (handler: Parameters<typeof startServer>[0]): Promise<TestServer> => (current = await startServer(handler));
  return {
    get server(): TestServer {
      if (current === undefined) throw new Error('no server started in this test');
      return current;
    },
    serve,
    async feed(contentType: string, body: string, end = false): Promise<AsyncAPIClient> {
      const started = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': contentType });
        if (end) res.end(body);
        else res.write(body);
      });
      return new AsyncAPIClient({ baseUrl: started.origin }, withValidation());
    },
  };
}
