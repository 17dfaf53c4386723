/**
 * A walk through rx-api-client against a local flaky server, with the
 * default retry policy (3 attempts, waits of 2 s then 4 s). Run it with
 *
 *   npm run demo
 *
 * It takes about 12 seconds: (a) waits 2 s + 4 s for real, (b) is instant,
 * (c) cancels 1 s into a 2 s wait and then watches a little longer to show
 * that no retry went out, (d) downloads an export with a progress bar,
 * cancels it half-way, then downloads it whole.
 */
import { filter, firstValueFrom, lastValueFrom, tap } from 'rxjs';
import { AsyncAPIClient, asBytes, bearerTokenAuth, download, isHttpError, withEvents, type ClientEvent, type RetryEvent } from '../src/index.js';
import { startDemoServer } from './demo-server.js';
import { progressBar } from './progress-bar.js';

interface Quote {
  symbol: string;
  price: number;
  currency: string;
  servedOnHit: number;
}

const t0 = performance.now();
const elapsed = (): string => `+${((performance.now() - t0) / 1000).toFixed(2)}s`;
const logClient = (line: string): void => console.log(`[client ${elapsed()}] ${line}`);
const heading = (title: string): void => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 66 - title.length))}`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const server = await startDemoServer({ startedAt: t0 });
// Events are opt-in: the withEvents() feature, passed after the options, is where they come out.
const events = withEvents();
const client = new AsyncAPIClient({ baseUrl: server.url + '/api', authHeaders: bearerTokenAuth('demo-token') }, events);
const pathOf = (url: string): string => url.slice(server.url.length);

console.log('rx-api-client demo');
console.log(`  server   ${server.url}  (local, deliberately flaky)`);
console.log(`  client   baseUrl ${client.baseUrl}, bearer token, default retry policy, withEvents()`);
console.log('  policy   429 / 5xx / network errors retried, 3 attempts, waits of 2 s then 4 s; other 4xx fail at once');

// Every attempt, retry and give-up of every request goes through events.events$.
const subscription = events.events$.subscribe((event: ClientEvent) => {
  switch (event.type) {
    case 'request':
      logClient(`attempt ${event.attempt} → ${event.method} ${pathOf(event.url)}`);
      break;
    case 'response':
      if (event.status < 400) logClient(`attempt ${event.attempt} succeeded (status ${event.status})`);
      break;
    case 'retry':
      logClient(`attempt ${event.attempt} failed (${event.reason}) → retrying in ${(event.delayMs / 1000).toFixed(1)} s`);
      break;
    case 'giveUp':
      logClient(`gave up after ${plural(event.attempts, 'attempt')}${isHttpError(event.error) ? ` (status ${event.error.status})` : ''}`);
      break;
    case 'cancel':
      logClient(`cancelled after ${plural(event.attempts, 'attempt')}: no further attempt will be sent`);
      break;
  }
});

try {
  // (a) ------------------------------------------------------------------
  heading('(a) 503, 503, then 200: retried twice, then it succeeds');
  const started = performance.now();
  const quote = await lastValueFrom(client.getJson<Quote>('/quote'));
  const took = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`  value    ${JSON.stringify(quote)}`);
  console.log(`  took     ${took} s  (2 s + 4 s of backoff)`);

  // (b) ------------------------------------------------------------------
  heading('(b) 404: not retried, fails at once');
  try {
    await lastValueFrom(client.getJson('/missing'));
    console.log('  unexpected: /missing succeeded');
  } catch (error) {
    if (!isHttpError(error)) throw error;
    console.log(`  name     ${error.name}`);
    console.log(`  status   ${error.status}`);
    console.log(`  attempts ${error.attempts}`);
    console.log(`  message  ${error.message}`);
    // The client leaves the failed response unread on the error, so its body can still be read.
    console.log(`  body     ${await error.response.text()}  (from error.response)`);
  }

  // (c) ------------------------------------------------------------------
  heading('(c) always 503: unsubscribed 1 s into the 2 s backoff');
  const retryScheduled = firstValueFrom(
    events.events$.pipe(
      filter((event): event is RetryEvent => event.type === 'retry' && pathOf(event.url) === '/api/down'),
    ),
  );
  const cancelled = client.getJson('/down').subscribe({
    next: (value) => logClient(`unexpected value ${JSON.stringify(value)}`),
    error: (error: unknown) => logClient(`unexpected error: ${error instanceof Error ? error.message : String(error)}`),
    complete: () => logClient('unexpected completion'),
  });
  const retry = await retryScheduled;
  await sleep(1_000);
  cancelled.unsubscribe(); // the pending retry timer is cleared
  // Watch past the moment the retry would have gone out (2 s after the failure).
  await sleep(retry.delayMs - 1_000 + 200);
  const hits = server.hits('/api/down');
  console.log(`  server saw ${plural(hits, 'hit')} on /api/down ${hits === 1 ? '(no retry was sent)' : '(expected 1!)'}`);
  console.log('  the subscriber got no value, no error and no completion');

  // (d) ------------------------------------------------------------------
  heading('(d) a download with a progress bar: cancelled half-way, then whole');
  const bar = progressBar(process.stdout);
  await new Promise<void>((resolve, reject) => {
    const half = download(client, '/export', asBytes).subscribe({
      next: (event) => {
        if (event.type === 'result') return;
        bar.update(event);
        if (event.total !== undefined && event.loaded >= event.total / 2) {
          bar.end('cancelled');
          half.unsubscribe(); // closes the connection: the server stops sending
          resolve();
        }
      },
      error: reject,
    });
  });
  await sleep(100); // the server's line about the closed connection
  const exported = await lastValueFrom(
    download(client, '/export', asBytes).pipe(
      tap((event) => event.type !== 'result' && bar.update(event)),
      filter((event) => event.type === 'result'),
    ),
  );
  bar.end('done');
  console.log(`  got      ${exported.value.byteLength} bytes in one Uint8Array`);

  heading('done');
} catch (error) {
  // One readable line rather than a stack trace if something goes wrong.
  console.error(`\ndemo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  subscription.unsubscribe();
  await server.close();
}
console.log(`  server closed after ${elapsed().slice(1)}; the process now exits by itself`);
