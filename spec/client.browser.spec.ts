/// <reference types="jasmine" />
// Runs in headless Chromium through Karma (npm run test:browser), against the
// real endpoints of spec/support/browser-server.cjs on Karma's own server.
// Every assertion about retries or cancellation is checked on the server side
// too: GET /api/hits?key=... says how many requests arrived for a key.
import { filter, firstValueFrom, lastValueFrom, type Subscription } from 'rxjs';
import { AsyncAPIClient, HttpError, ParseError, apiKeyAuth, bearerTokenAuth, withEvents, type ClientOptions, type Feature } from '../src/index';
import { API, errorOf, newClient, serverHits, sleep, uniqueKey, waitForServer } from './support/browser';

/** newClient's options (3 attempts 5 ms apart, a 5 s timeout), with features after them. */
const clientWith = (options: Partial<ClientOptions>, ...features: Feature[]) =>
  new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000, ...options }, ...features);

interface Echo {
  method: string;
  path: string;
  query: [string, string][];
  search: string;
  headers: Record<string, string>;
}

describe('AsyncAPIClient in the browser (real HTTP against the Karma server)', () => {
  it('getJson emits the parsed body and completes', async () => {
    const key = uniqueKey('ok');
    const value = await lastValueFrom(newClient().getJson<{ ok: boolean }>('/json', { key }));
    expect(value).toEqual({ ok: true });
    expect((await serverHits(key)).hits).toBe(1);
  });

  it('retries 503 twice, then emits the value of the third attempt', async () => {
    const key = uniqueKey('flaky');
    const events = withEvents();
    const client = clientWith({}, events);
    const retries: number[] = [];
    const sub = events.events$.pipe(filter((e) => e.type === 'retry')).subscribe((e) => retries.push(e.attempt));
    try {
      const value = await lastValueFrom(client.getJson<{ ok: boolean; hits: number }>('/flaky', { key, fail: 2 }));
      expect(value).toEqual({ ok: true, hits: 3 });
    } finally {
      sub.unsubscribe();
    }
    expect(retries).toEqual([1, 2]);
    expect((await serverHits(key)).hits).toBe(3);
  });

  it('fails a 404 at once with HttpError (1 attempt, 1 hit)', async () => {
    const key = uniqueKey('missing');
    const error = await errorOf(lastValueFrom(newClient().getJson('/missing', { key })));
    expect(error).toBeInstanceOf(HttpError);
    const httpError = error as HttpError;
    expect(httpError.status).toBe(404);
    expect(httpError.attempts).toBe(1);
    expect(httpError.method).toBe('GET');
    expect(httpError.url).toBe(`${API}/missing`);
    expect(await httpError.response.json()).toEqual({ error: 'not found' });
    expect((await serverHits(key)).hits).toBe(1);
  });

  it("keeps a query-string API key out of the HttpError's response, which a console would show", async () => {
    const key = uniqueKey('missing-key');
    const client = newClient({ authHeaders: apiKeyAuth('qk-SECRET', { in: 'query', name: 'api_key' }) });
    const { response } = (await errorOf(lastValueFrom(client.getJson('/missing', { key })))) as HttpError;
    expect(response.url).toBe(`${API}/missing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ error: 'not found' });
    expect((await serverHits(key)).hits).toBe(1);
  });

  it('retries 429 and, when it keeps failing, ends with HttpError after 3 attempts (3 hits)', async () => {
    const key = uniqueKey('throttled');
    const error = await errorOf(lastValueFrom(newClient().getJson('/throttled', { key })));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(429);
    expect((error as HttpError).attempts).toBe(3);
    expect((error as HttpError).message).toContain('after 3 attempts');
    expect((await serverHits(key)).hits).toBe(3);
  });

  it('retries 429 then succeeds once the server lets it through', async () => {
    const key = uniqueKey('throttled-once');
    const value = await lastValueFrom(newClient().getJson('/throttled', { key, fail: 1 }));
    expect(value).toEqual({ ok: true, hits: 2 });
    expect((await serverHits(key)).hits).toBe(2);
  });

  it('unsubscribing from an in-flight request aborts the connection; nothing is delivered', async () => {
    const key = uniqueKey('slow');
    const seen: string[] = [];
    const sub: Subscription = newClient({ timeout: false })
      .getJson('/slow', { key, ms: 20000 })
      .subscribe({
        next: () => seen.push('next'),
        error: (e: unknown) => seen.push(`error ${String(e)}`),
        complete: () => seen.push('complete'),
      });
    await waitForServer(key, (h) => h.hits === 1);
    expect((await serverHits(key)).aborted).toBe(false);
    sub.unsubscribe();
    const after = await waitForServer(key, (h) => h.aborted);
    expect(after).toEqual({ hits: 1, aborted: true });
    await sleep(50);
    expect(seen).toEqual([]);
  });

  it('unsubscribing during the backoff cancels the pending retry (the server sees 1 hit only)', async () => {
    const key = uniqueKey('backoff');
    const events = withEvents();
    const client = clientWith({ retry: { maxAttempts: 3, baseDelay: 200 } }, events);
    const firstRetry = firstValueFrom(events.events$.pipe(filter((e) => e.type === 'retry')));
    const seen: string[] = [];
    const sub = client.getJson('/flaky', { key, fail: 2 }).subscribe({
      next: () => seen.push('next'),
      error: () => seen.push('error'),
      complete: () => seen.push('complete'),
    });
    const retry = await firstRetry; // emitted when the wait starts
    expect(retry.type === 'retry' && retry.delayMs).toBe(200);
    sub.unsubscribe();
    await sleep(700); // past the 200 ms backoff, and past where a third attempt would have gone
    expect(await serverHits(key)).toEqual({ hits: 1, aborted: false });
    expect(seen).toEqual([]);
  });

  it('sends bearerTokenAuth as Authorization, with accept: application/json', async () => {
    const key = uniqueKey('bearer');
    const echo = await lastValueFrom(newClient({ authHeaders: bearerTokenAuth('t0k3n') }).getJson<Echo>('/echo', { key }));
    expect(echo.method).toBe('GET');
    expect(echo.path).toBe('/api/echo');
    expect(echo.headers['authorization']).toBe('Bearer t0k3n');
    expect(echo.headers['accept']).toBe('application/json');
    expect((await serverHits(key)).hits).toBe(1);
  });

  it('sends apiKeyAuth in the header name it was given', async () => {
    const key = uniqueKey('apikey');
    const client = newClient({ authHeaders: apiKeyAuth('k-123', 'X-Custom-Key') });
    const echo = await lastValueFrom(client.getJson<Echo>('/echo', { key }));
    expect(echo.headers['x-custom-key']).toBe('k-123');
    expect(echo.headers['x-api-key']).toBeUndefined();
    expect(echo.headers['authorization']).toBeUndefined();
  });

  it('lets a per-request header override the auth header, whatever its case', async () => {
    const key = uniqueKey('override');
    const client = newClient({ authHeaders: bearerTokenAuth('client-token'), headers: { 'X-Default': 'd' } });
    const echo = await lastValueFrom(client.getJson<Echo>('/echo', { key }, { headers: { authorization: 'Bearer request-token' } }));
    expect(echo.headers['authorization']).toBe('Bearer request-token');
    expect(echo.headers['x-default']).toBe('d');
  });

  it('encodes params: arrays repeat the key, undefined and null are dropped, values are escaped', async () => {
    const key = uniqueKey('params');
    const echo = await lastValueFrom(
      newClient().getJson<Echo>('/echo', { key, tag: ['a', 'b c'], skip: undefined, none: null, n: 2, ok: true, q: 'x&y=z' }),
    );
    expect(echo.query).toEqual([
      ['key', key],
      ['tag', 'a'],
      ['tag', 'b c'],
      ['n', '2'],
      ['ok', 'true'],
      ['q', 'x&y=z'],
    ]);
    expect(echo.search).not.toContain('skip');
    expect(echo.search).not.toContain('none');
  });

  it('request() sends a JSON body with its content type', async () => {
    const key = uniqueKey('post');
    const res = await lastValueFrom(newClient().request('POST', '/echo', { params: { key }, json: { a: 1 } }));
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.headers['content-type']).toBe('application/json');
    expect((await serverHits(key)).hits).toBe(1);
  });

  it('fails a body that is not JSON with ParseError, not retried (1 hit)', async () => {
    const key = uniqueKey('bad-json');
    const error = await errorOf(lastValueFrom(newClient().getJson('/bad-json', { key })));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).status).toBe(200);
    expect((error as ParseError).attempts).toBe(1);
    expect((await serverHits(key)).hits).toBe(1);
  });

  it('emits undefined for a 204', async () => {
    const key = uniqueKey('empty');
    const values: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      newClient()
        .getJson('/empty', { key })
        .subscribe({ next: (v) => values.push(v), error: reject, complete: resolve }),
    );
    expect(values).toEqual([undefined]);
    expect((await serverHits(key)).hits).toBe(1);
  });
});
