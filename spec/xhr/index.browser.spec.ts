/// <reference types="jasmine" />
// xhrTransport in headless Chromium (npm run test:browser), against /api/upload of
// spec/support/browser-server.cjs, which counts the bytes it receives and says whether the client aborted.
import { lastValueFrom, toArray } from 'rxjs';
import { AsyncAPIClient, ConfigurationError, HttpError, NetworkError, TimeoutError, upload, withUploadProgress, type ClientOptions, type TransferEvent, type TransferProgress } from '../../src/index';
import { xhrTransport } from '../../src/xhr/index';
import { API, errorOf, serverHits, uniqueKey, waitForServer } from '../support/browser';

const MiB = 1024 * 1024;
const client = (options: Partial<ClientOptions> = {}) =>
  new AsyncAPIClient({ baseUrl: API, transport: xhrTransport(), retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000, ...options }, withUploadProgress());
const progressOf = (events: TransferEvent<unknown>[]) => events.filter((event): event is TransferProgress => event.type === 'upload');

interface Received {
  received: number;
  hits: number;
  contentLength: string | null;
  contentType: string | null;
}

describe('xhrTransport (real XHR against the Karma server)', () => {
  it('reports an upload as it is sent, up to its total, then the reply', async () => {
    const key = uniqueKey('xhr-up');
    const size = 8 * MiB;
    const events = await lastValueFrom(upload<Received>(client(), `/upload?key=${key}`, new Blob([new Uint8Array(size)], { type: 'application/octet-stream' }), { progressInterval: 0 }).pipe(toArray()));
    const progress = progressOf(events);
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i += 1) expect(progress[i]!.loaded).toBeGreaterThan(progress[i - 1]!.loaded);
    expect(progress.at(-1)).toEqual({ type: 'upload', loaded: size, total: size, attempt: 1 });
    expect(events.at(-1)).toEqual({ type: 'result', value: { received: size, hits: 1, contentLength: String(size), contentType: 'application/octet-stream' } });
  });

  it('retries after a 503: the progress restarts with attempt 2', async () => {
    const key = uniqueKey('xhr-503');
    const events = await lastValueFrom(upload<Received>(client(), `/upload?key=${key}&fail=1`, 'x'.repeat(MiB), { progressInterval: 0 }).pipe(toArray()));
    const progress = progressOf(events);
    expect(progress.filter((event) => event.attempt === 1).at(-1)!.loaded).toBe(MiB);
    expect(progress.at(-1)).toEqual({ type: 'upload', loaded: MiB, total: MiB, attempt: 2 });
    expect((events.at(-1) as { value: Received }).value.hits).toBe(2);
  });

  it('aborts the request on unsubscribe', async () => {
    const key = uniqueKey('xhr-abort');
    const subscription = upload(client(), `/upload?key=${key}&ms=30000`, 'x'.repeat(MiB)).subscribe();
    await waitForServer(key, (hits) => hits.hits === 1);
    subscription.unsubscribe();
    expect((await waitForServer(key, (hits) => hits.aborted)).aborted).toBe(true);
  });

  it('aborts at the per-attempt timeout, a TimeoutError', async () => {
    const key = uniqueKey('xhr-timeout');
    const error = await errorOf(lastValueFrom(upload(client({ timeout: 300, retry: false }), `/upload?key=${key}&ms=30000`, 'abc')));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((await waitForServer(key, (hits) => hits.aborted)).aborted).toBe(true);
  });

  it('gives the typed errors: HttpError for a status, NetworkError when the network fails', async () => {
    const missing = await errorOf(lastValueFrom(client().getJson('/missing')));
    expect(missing).toBeInstanceOf(HttpError);
    expect((missing as HttpError).status).toBe(404);
    const unreachable = new AsyncAPIClient({ baseUrl: 'http://127.0.0.1:9/api', transport: xhrTransport(), retry: false });
    expect(await errorOf(lastValueFrom(unreachable.getJson('/json')))).toBeInstanceOf(NetworkError);
  });

  it('reads JSON and empty answers as fetch does', async () => {
    expect(await lastValueFrom(client().getJson('/json'))).toEqual({ ok: true });
    expect(await lastValueFrom(client().getJson('/empty'))).toBeUndefined();
    const key = uniqueKey('xhr-redirect');
    const response = await lastValueFrom(client().request('GET', `/redirect?key=${key}&to=/api/json`));
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${API}/json`);
  });

  it('refuses a stream body before sending it', async () => {
    const key = uniqueKey('xhr-stream');
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    expect(await errorOf(lastValueFrom(client().request('POST', `/upload?key=${key}`, { body: stream })))).toBeInstanceOf(ConfigurationError);
    expect((await serverHits(key)).hits).toBe(0);
  });
});
