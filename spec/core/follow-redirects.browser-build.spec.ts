// The browser build's side of the redirect code (src/core/follow-redirects.browser.ts) where it can still
// run: a runtime whose fetch shows redirects (Node here; jsdom under Jest runs on Node's fetch). It must
// not let fetch forward the credentials to another origin, and it does not follow: it ends the attempt.
import { lastValueFrom } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchFollowingRedirects, runtimeShowsRedirects } from '../../src/core/follow-redirects.browser.js';
import type { SendableRequest } from '../../src/core/prepare.js';
import type { Transport } from '../../src/core/transport.js';
import { RedirectError } from '../../src/index.js';
import { startRedirectingServer, type TestServer } from '../support/server.js';

let a: TestServer;
let b: TestServer;

beforeEach(async () => {
  a = await startRedirectingServer();
  b = await startRedirectingServer();
});

afterEach(async () => {
  await a.close();
  await b.close();
});

const context = { target: { method: 'GET', url: 'http://x/' }, attempt: 1 };
const request = (to: string): SendableRequest => ({
  url: new URL(`${a.origin}/start?to=${encodeURIComponent(to)}`),
  init: { method: 'GET', headers: { authorization: 'Bearer t', 'x-api-key': 's3cret' } },
  authNames: new Set(['authorization', 'x-api-key']),
});
const platformFetch: Transport = (url, init) => fromFetch(url, init);
const read = (response: Response) => response.text();

describe('the browser build where fetch shows redirects', () => {
  it('knows this runtime shows redirects', () => {
    expect(runtimeShowsRedirects()).toBe(true);
  });

  it('does not follow a redirect to another origin: a RedirectError, and that origin gets nothing (no key)', async () => {
    const manual = { manual: runtimeShowsRedirects(), maxRedirects: 20 };
    const error = await lastValueFrom(fetchFollowingRedirects(request(`${b.origin}/end`), context, manual, read, platformFetch)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as Error).message).toMatch(/browser build follows no redirect/);
    expect(b.hits).toEqual([]);
  });

  it('hands a redirect over as it is with maxRedirects 0, and an answer that is no redirect goes to the reader', async () => {
    const none = { manual: true, maxRedirects: 0 };
    const status = await lastValueFrom(fetchFollowingRedirects(request(`${b.origin}/end`), context, none, (response) => [response.status], platformFetch));
    expect(status).toBe(302);
    const plain: SendableRequest = { ...request(''), url: new URL(`${a.origin}/plain`) };
    expect(await lastValueFrom(fetchFollowingRedirects(plain, context, { manual: true, maxRedirects: 20 }, read, platformFetch))).toBe('done');
  });

  it('where fetch shows no redirects (browsers), hands the request to the transport as it is', async () => {
    let init: RequestInit | undefined;
    const spy: Transport = (url, given) => {
      init = given;
      return platformFetch(url, given);
    };
    const plain: SendableRequest = { ...request(''), url: new URL(`${a.origin}/plain`) };
    expect(await lastValueFrom(fetchFollowingRedirects(plain, context, { manual: false, maxRedirects: 20 }, read, spy))).toBe('done');
    expect(init?.redirect).toBeUndefined();
  });
});
