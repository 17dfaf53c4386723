// The test transport follows a redirect as a browser's fetch does when the request leaves it to fetch
// (the browser build's requests carry no redirect mode); with `redirect: 'manual'` (the client in Node)
// it hands the 3xx over. Each hop is a request of its own.
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AsyncAPIClient, RedirectError } from '../../src/index.js';
import { testTransport } from '../../src/testing/index.js';

/** One fetch through the transport, as the client makes it: the final response and what was recorded. */
async function fetchThrough(api: ReturnType<typeof testTransport>, url: string, init: RequestInit = {}) {
  const response = await lastValueFrom(api(url, Object.assign({}, init, { selector: (answer: Response) => [answer] })));
  return { response, sent: api.requests.map((request) => `${request.method} ${request.url} ${request.headers['authorization'] ?? '-'} ${request.text ?? '-'}`) };
}

describe('the test transport and redirects', () => {
  it('follows a 302 of a GET, and the final response is redirected, at its URL', async () => {
    const api = testTransport().on('GET', '/old', { status: 302, headers: { location: '/new' } }).on('GET', '/new', { body: { ok: true } });
    const { response, sent } = await fetchThrough(api, 'https://api.test/old', { headers: { authorization: 'Bearer t' } });
    expect(await response.json()).toEqual({ ok: true });
    expect(response.redirected).toBe(true);
    expect(response.url).toBe('https://api.test/new');
    expect(sent).toEqual(['GET https://api.test/old Bearer t -', 'GET https://api.test/new Bearer t -']);
  });

  it('a 303 after a POST is a GET without the body; a 307 keeps method and body', async () => {
    const api = testTransport()
      .on('POST', '/form', { status: 303, headers: { location: '/result' } })
      .on('GET', '/result', { body: 'seen' })
      .on('PUT', '/moved', { status: 307, headers: { location: '/here' } })
      .on('PUT', '/here', { status: 204 });
    expect((await fetchThrough(api, 'https://api.test/form', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })).sent).toEqual([
      'POST https://api.test/form - {"a":1}',
      'GET https://api.test/result - -',
    ]);
    expect(api.requests[1]!.headers['content-type']).toBeUndefined();
    const { response } = await fetchThrough(api, 'https://api.test/moved', { method: 'PUT', body: 'x' });
    expect(response.status).toBe(204);
    expect(api.requests.slice(2).map((request) => `${request.method} ${request.url} ${request.text}`)).toEqual(['PUT https://api.test/moved x', 'PUT https://api.test/here x']);
  });

  it('drops Authorization at another origin, as fetch does', async () => {
    const api = testTransport().on('GET', '/away', { status: 301, headers: { location: 'https://cdn.test/file' } }).on('GET', 'https://cdn.test/file', { body: 'file' });
    const { sent } = await fetchThrough(api, 'https://api.test/away', { headers: { authorization: 'Bearer t', 'x-kept': 'k' } });
    expect(sent).toEqual(['GET https://api.test/away Bearer t -', 'GET https://cdn.test/file - -']);
    expect(api.requests[1]!.headers['x-kept']).toBe('k');
  });

  it("hands the 3xx over with redirect: 'manual' (the client in Node follows it itself)", async () => {
    const api = testTransport().on('GET', '/old', { status: 302, headers: { location: '/new' } });
    const { response, sent } = await fetchThrough(api, 'https://api.test/old', { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(sent).toHaveLength(1);
  });

  it("fails as fetch does in mode 'error' on any redirect status, a Location or none; not on other statuses", async () => {
    const api = testTransport().on('PUT', '/up', { status: 302 }).on('PUT', '/ok', { status: 201 });
    await expect(fetchThrough(api, 'https://api.test/up', { method: 'PUT', body: 'x', redirect: 'error' })).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'unexpected redirect' } });
    expect((await fetchThrough(api, 'https://api.test/ok', { method: 'PUT', body: 'x', redirect: 'error' })).response.status).toBe(201);
  });

  it('a stream body is not sent again on a 307, and a Location of another scheme is not followed (TypeError, as fetch)', async () => {
    const api = testTransport()
      .on('PUT', '/moved', { status: 307, headers: { location: '/here' } })
      .on('GET', '/odd', { status: 302, headers: { location: 'ftp://files.test/x' } });
    const body = new Blob(['x']).stream();
    await expect(fetchThrough(api, 'https://api.test/moved', { method: 'PUT', body, duplex: 'half' } as RequestInit)).rejects.toMatchObject({
      cause: { message: 'cannot follow a redirect with a stream body' },
    });
    await expect(fetchThrough(api, 'https://api.test/odd')).rejects.toMatchObject({ cause: { message: 'URL scheme must be a HTTP(S) scheme' } });
    expect(api.requests.map((request) => request.url)).toEqual(['https://api.test/moved', 'https://api.test/odd']);
  });

  it('through the client in Node: a Blob upload answered 302 without Location is a RedirectError, as on the real fetch', async () => {
    const api = testTransport().on('PUT', '/v1/up', { status: 302 });
    const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api });
    await expect(lastValueFrom(client.request('PUT', '/up', { body: new Blob(['x']) }))).rejects.toBeInstanceOf(RedirectError);
    expect(api.requests).toHaveLength(1);
  });

  it("fails as fetch does: redirect: 'error', and a loop past 20 hops (TypeError, as for a network failure)", async () => {
    const api = testTransport().on('GET', '/loop', { status: 302, headers: { location: '/loop' } });
    await expect(fetchThrough(api, 'https://api.test/loop', { redirect: 'error' })).rejects.toThrow(TypeError);
    expect(api.requests).toHaveLength(1);
    await expect(fetchThrough(api, 'https://api.test/loop')).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'redirect count exceeded' } });
    // The first request, then the one that failed: itself and its 20 hops.
    expect(api.requests).toHaveLength(1 + 21);
  });
});
