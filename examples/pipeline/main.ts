/**
 * Runs the pipeline against a local job server:
 *
 *   npm run example:pipeline
 *
 * 12 jobs, 3 requests at a time, a 1 s deadline; job 7 never answers, so the
 * deadline passes and cancels everything in flight. Ctrl-C cancels the same
 * way, through toPromise's AbortSignal.
 */
import { tap, toArray } from 'rxjs';
import { AsyncAPIClient, toPromise } from '../../src/index.js';
import { DeadlineError, processJobs } from './pipeline.js';
import { startJobServer } from './server.js';

const server = await startJobServer({ jobs: 12, stall: [7] });
const client = new AsyncAPIClient({ baseUrl: `${server.url}/api`, retry: { baseDelay: 200 } });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

try {
  const results = processJobs(client, { concurrency: 3, deadlineMs: 1_000 }).pipe(
    tap((result) => console.log(`result  ${result.output}`)),
    toArray(),
  );
  await toPromise(results, { signal: controller.signal });
  console.log('all jobs done');
} catch (error) {
  if (error instanceof DeadlineError) console.log(`stopped  ${error.message}`);
  else if (error instanceof DOMException && error.name === 'AbortError') console.log('stopped  interrupted');
  else throw error;
} finally {
  // Let the aborts reach the server before counting them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(`server   ${server.aborted().length} connection(s) cancelled by the client, ${server.inFlight()} request(s) still open`);
  await server.close();
}
