// Issue 19: paginate's pull form asks for the next page only when the loop does.
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AsyncAPIClient, ConfigurationError, HttpError, pullPages } from '../../src/index.js';
import { useOfflineNock } from '../support/offline-nock.js';

const ORIGIN = 'http://api.test';
const BASE = `${ORIGIN}/v1`;

useOfflineNock();

/** Pages 1..`count` at /v1/items?page=N, linked with rel="next"; records the requests. */
function linkedPages(count: number): string[] {
  const hits: string[] = [];
  nock(ORIGIN)
    .get('/v1/items')
    .query(true)
    .times(count)
    .reply(function (uri) {
      hits.push(uri);
      const page = Number(new URL(uri, ORIGIN).searchParams.get('page') ?? '1');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page < count) headers.link = `<${ORIGIN}/v1/items?page=${page + 1}>; rel="next"`;
      return [200, [`item ${page}`], headers];
    });
  return hits;
}

describe('pullPages(client)', () => {
  it('yields each page body, following Link rel="next"', async () => {
    const hits = linkedPages(3);
    const pages: unknown[] = [];
    for await (const page of pullPages<string[]>(new AsyncAPIClient(BASE), '/items', { per_page: 1 })) pages.push(page);
    expect(pages).toEqual([['item 1'], ['item 2'], ['item 3']]);
    expect(hits).toEqual(['/v1/items?per_page=1', '/v1/items?page=2', '/v1/items?page=3']);
  });

  it('requests a page only when the loop asks for it: nothing before the loop, none ahead of it', async () => {
    const hits = linkedPages(3);
    const iterator = pullPages(new AsyncAPIClient(BASE), '/items')[Symbol.asyncIterator]();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hits).toHaveLength(0);
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hits).toHaveLength(1);
    await iterator.next();
    expect(hits).toHaveLength(2);
    await iterator.return();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hits).toHaveLength(2);
  });

  it('options.next and maxPages, as paginate takes them', async () => {
    const hits: string[] = [];
    nock(ORIGIN)
      .get('/v1/feed')
      .query(true)
      .times(5)
      .reply((uri) => (hits.push(uri), [200, { cursor: `c${hits.length}` }]));
    const pages: unknown[] = [];
    for await (const page of pullPages<{ cursor: string }>(new AsyncAPIClient(BASE), '/feed', undefined, { next: (_r, body) => ({ cursor: body.cursor }), maxPages: 3 })) {
      pages.push(page);
    }
    expect(pages).toEqual([{ cursor: 'c1' }, { cursor: 'c2' }, { cursor: 'c3' }]);
    expect(hits).toEqual(['/v1/feed', '/v1/feed?cursor=c1', '/v1/feed?cursor=c2']);
  });

  it('a page that repeats is a ConfigurationError, not a loop; bad options are one before anything is sent', async () => {
    nock(ORIGIN).get('/v1/loop').times(2).reply(200, [1], { link: '</v1/loop>; rel="next"' });
    const drain = async (pages: AsyncIterable<unknown>) => {
      for await (const _ of pages);
    };
    await expect(drain(pullPages(new AsyncAPIClient(BASE), '/loop'))).rejects.toThrow(/is one already fetched \(page 1\): the pages loop/);
    await expect(drain(pullPages(new AsyncAPIClient(BASE), '/items', undefined, { maxPages: 0 }))).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('a failed page is thrown by the loop (HttpError after the retry policy)', async () => {
    nock(ORIGIN).get('/v1/items').reply(404);
    const drain = async () => {
      for await (const _ of pullPages(new AsyncAPIClient(BASE), '/items'));
    };
    await expect(drain()).rejects.toBeInstanceOf(HttpError);
  });

  it('a signal ends a page request in flight with AbortError', async () => {
    nock(ORIGIN).get('/v1/slow').delay(5_000).reply(200, []);
    const controller = new AbortController();
    const drain = async () => {
      for await (const _ of pullPages(new AsyncAPIClient(BASE), '/slow', undefined, { signal: controller.signal }));
    };
    const done = drain();
    setTimeout(() => controller.abort(), 20);
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
  });
});
