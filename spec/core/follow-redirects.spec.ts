import { lastValueFrom } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchFollowingRedirects, runtimeShowsRedirects, type RedirectHop } from '../../src/core/follow-redirects.js';
import type { Transport } from '../../src/core/transport.js';
import type { SendableRequest } from '../../src/core/prepare.js';
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
const request = (): SendableRequest => ({
  url: new URL(`${a.origin}/start?to=${encodeURIComponent(`${b.origin}/end`)}`),
  init: { method: 'GET', headers: { authorization: 'Bearer t', 'x-tenant-key': 'k', 'x-trace': '1' } },
  authNames: new Set(['authorization', 'x-tenant-key']),
});

const platformFetch: Transport = (url, init) => fromFetch(url, init);

describe('fetchFollowingRedirects', () => {
  it('knows that Node shows redirects to redirect: "manual"', () => {
    expect(runtimeShowsRedirects()).toBe(true);
  });

  it('manual: follows each hop itself and reports it, without the auth headers past the origin', async () => {
    const hops: RedirectHop[] = [];
    const text = await lastValueFrom(
      fetchFollowingRedirects(request(), context, { manual: true, maxRedirects: 20, onRedirect: (hop) => hops.push(hop) }, (response) => response.text()),
    );
    expect(text).toBe('done');
    expect(hops.map((hop) => [hop.status, hop.to.href, hop.dropped])).toEqual([[302, `${b.origin}/end`, ['authorization', 'x-tenant-key']]]);
    expect(b.hits[0]!.headers).toMatchObject({ 'x-trace': '1' });
    expect(b.hits[0]!.headers.authorization).toBeUndefined();
    expect(b.hits[0]!.headers['x-tenant-key']).toBeUndefined();
  });

  it('not manual (what browsers get): fetch follows on its own; it drops Authorization but not a custom key header', async () => {
    const hops: RedirectHop[] = [];
    const redirected = await lastValueFrom(
      // fetch itself, whatever the default transport: this is fetch following redirects on its own.
      fetchFollowingRedirects(request(), context, { manual: false, maxRedirects: 20, onRedirect: (hop) => hops.push(hop) }, (response) => [response.redirected], platformFetch),
    );
    expect(redirected).toBe(true);
    expect(hops).toEqual([]);
    // This is why the client follows redirects itself wherever it can.
    expect(b.hits[0]!.headers.authorization).toBeUndefined();
    expect(b.hits[0]!.headers['x-tenant-key']).toBe('k');
  });
});
