import nock from 'nock';
import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AsyncAPIClient, BodyTooLargeError, ConfigurationError, HttpError, paginate, parseLinkHeader, withEvents } from '../../src/index.js';
import { linkToEndpoint } from '../../src/streams/link-header.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';
import { useOfflineNock } from '../support/offline-nock.js';

const ORIGIN = 'http://api.test';
const BASE = `${ORIGIN}/v1`;

useOfflineNock();

describe('parseLinkHeader', () => {
  it.each<[string, string | null, Record<string, string>]>([
    ['none', null, {}],
    ['empty', '', {}],
    ['GitHub style', '<https://h/x?page=2>; rel="next", <https://h/x?page=9>; rel="last"', { next: 'https://h/x?page=2', last: 'https://h/x?page=9' }],
    ['an unquoted rel, any case', '<https://h/x?page=2>; REL=Next', { next: 'https://h/x?page=2' }],
    ['several types in one rel', '<https://h/2>; rel="next last"', { next: 'https://h/2', last: 'https://h/2' }],
    ['other params around rel', '<https://h/2>; title="a, b"; rel="next"; type="application/json"', { next: 'https://h/2' }],
    ['a comma inside the URL', '<https://h/x?ids=1,2>; rel="next"', { next: 'https://h/x?ids=1,2' }],
    ['a relative URL', '</v1/items?page=3>; rel="next"', { next: '/v1/items?page=3' }],
    ['the first link of a type wins', '<https://h/a>; rel="next", <https://h/b>; rel="next"', { next: 'https://h/a' }],
    ['no rel at all', '<https://h/a>; title="x"', {}],
  ])('%s', (_name, header, expected) => {
    expect(Object.fromEntries(parseLinkHeader(header))).toEqual(expected);
  });
});

describe('linkToEndpoint', () => {
  const base = new URL('https://h/v1/');
  it.each([
    ['an absolute link under the base', 'https://h/v1/items?page=2', 'https://h/v1/items', 'items?page=2'],
    ['a root-relative link', '/v1/items?page=2', 'https://h/v1/items', 'items?page=2'],
    ['a query-only link', '?page=3', 'https://h/v1/items', 'items?page=3'],
    ['a deeper path', 'https://h/v1/a/b', 'https://h/v1/items', 'a/b'],
  ])('%s', (_name, link, page, endpoint) => {
    expect(linkToEndpoint(link, page, base)).toBe(endpoint);
  });

  it.each([
    ['another origin', 'https://evil.test/v1/items?page=2&token=s3cret'],
    ['another scheme', 'http://h/v1/items'],
    ['above the base path', 'https://h/v2/items'],
    ['climbing out', '/v1/../admin'],
  ])('refuses %s with ConfigurationError, without the query in the message', (_name, link) => {
    expect(() => linkToEndpoint(link, 'https://h/v1/items', base)).toThrow(ConfigurationError);
    expect(() => linkToEndpoint(link, 'https://h/v1/items', base)).toThrow(/outside the base URL https:\/\/h\/v1\//);
    expect(() => linkToEndpoint(link, 'https://h/v1/items', base)).not.toThrow(/s3cret/);
  });
});

/** Three pages at /v1/items?page=N, linked with rel="next"; counts the requests. */
function threeLinkedPages() {
  const hits: string[] = [];
  nock(ORIGIN)
    .get('/v1/items')
    .query(true)
    .times(10)
    .reply(function (uri) {
      hits.push(uri);
      const page = Number(new URL(uri, ORIGIN).searchParams.get('page') ?? '1');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page < 3) headers.link = `<${ORIGIN}/v1/items?page=${page + 1}&per_page=2>; rel="next", <${ORIGIN}/v1/items?page=3>; rel="last"`;
      return [200, [`item ${page}a`, `item ${page}b`], headers];
    });
  return hits;
}

describe('paginate(client)', () => {
  it('follows Link rel="next" and emits each page body, then completes', async () => {
    const hits = threeLinkedPages();
    const pages = await lastValueFrom(paginate<string[]>(new AsyncAPIClient(BASE), '/items', { per_page: 2 }).pipe(toArray()));
    expect(pages).toEqual([
      ['item 1a', 'item 1b'],
      ['item 2a', 'item 2b'],
      ['item 3a', 'item 3b'],
    ]);
    expect(hits).toEqual(['/v1/items?per_page=2', '/v1/items?page=2&per_page=2', '/v1/items?page=3&per_page=2']);
  });

  it('fetches the next page only after the current one was emitted', async () => {
    threeLinkedPages();
    const events = withEvents();
    const client = new AsyncAPIClient({ baseUrl: BASE }, events);
    // 'request' events are emitted as an attempt starts: a prefetch would show up here.
    let started = 0;
    events.events$.subscribe((e) => e.type === 'request' && (started += 1));
    const startedWhenEmitted: number[] = [];
    await new Promise<void>((resolve) => {
      paginate(client, '/items').subscribe({ next: () => startedWhenEmitted.push(started), complete: resolve });
    });
    expect(startedWhenEmitted).toEqual([1, 2, 3]);
  });

  it('never fetches after the subscriber left: take(2) makes two requests', async () => {
    const hits = threeLinkedPages();
    const pages = await lastValueFrom(paginate(new AsyncAPIClient(BASE), '/items').pipe(take(2), toArray()));
    expect(pages).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hits).toHaveLength(2);
  });

  it('never fetches after an unsubscribe in the middle of a page', async () => {
    const hits: string[] = [];
    nock(ORIGIN)
      .get('/v1/items')
      .reply(() => (hits.push('1'), [200, [1], { link: '</v1/items?page=2>; rel="next"' }]))
      .get('/v1/items')
      .query({ page: '2' })
      .delay(50)
      .reply(() => (hits.push('2'), [200, [2], { link: '</v1/items?page=3>; rel="next"' }]))
      .get('/v1/items')
      .query({ page: '3' })
      .reply(() => (hits.push('3'), [200, [3]]));
    const recording = record(paginate(new AsyncAPIClient(BASE), '/items'));
    await until(() => recording.values.length === 1);
    recording.subscription.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hits).not.toContain('3');
    expect(recording.values).toEqual([[1]]);
  });

  it("reads every page within the client's maxBodySize", async () => {
    nock(ORIGIN).get('/v1/items').reply(200, [1], { link: '</v1/items?page=2>; rel="next"' });
    nock(ORIGIN).get('/v1/items').query({ page: '2' }).reply(200, ['x'.repeat(100)]);
    const recording = record(paginate(new AsyncAPIClient({ baseUrl: BASE, maxBodySize: 50 }), '/items'));
    await until(recording.done);
    expect(recording.values).toEqual([[1]]);
    expect(recording.error).toBeInstanceOf(BodyTooLargeError);
    expect(recording.error).toMatchObject({ maxBodySize: 50, attempts: 1 });
  });

  it('maxPages stops early', async () => {
    const hits = threeLinkedPages();
    const pages = await lastValueFrom(paginate(new AsyncAPIClient(BASE), '/items', undefined, { maxPages: 2 }).pipe(toArray()));
    expect(pages).toHaveLength(2);
    expect(hits).toHaveLength(2);
  });

  it('options.next returning params: a cursor API', async () => {
    const seen: string[] = [];
    nock(ORIGIN)
      .get('/v1/events')
      .query(true)
      .times(3)
      .reply((uri) => {
        seen.push(uri);
        const cursor = new URL(uri, ORIGIN).searchParams.get('cursor');
        return [200, cursor === null ? { items: [1], next: 'c2' } : cursor === 'c2' ? { items: [2], next: 'c3' } : { items: [3], next: null }];
      });
    interface Page { items: number[]; next: string | null }
    const pages = await lastValueFrom(
      paginate<Page>(new AsyncAPIClient(BASE), '/events', { limit: 1 }, { next: (_response, page) => (page.next ? { limit: 1, cursor: page.next } : null) }).pipe(
        toArray(),
      ),
    );
    expect(pages.map((p) => p.items)).toEqual([[1], [2], [3]]);
    expect(seen).toEqual(['/v1/events?limit=1', '/v1/events?limit=1&cursor=c2', '/v1/events?limit=1&cursor=c3']);
  });

  it('options.next returning an endpoint, reading a header of the response', async () => {
    nock(ORIGIN)
      .get('/v1/a')
      .reply(200, ['a'], { 'x-next': '/b?x=1' })
      .get('/v1/b')
      .query({ x: '1' })
      .reply(200, ['b']);
    const pages = await lastValueFrom(
      paginate(new AsyncAPIClient(BASE), '/a', undefined, { next: (response) => response.headers.get('x-next') }).pipe(toArray()),
    );
    expect(pages).toEqual([['a'], ['b']]);
  });

  it('each page has the retry policy', async () => {
    nock(ORIGIN)
      .get('/v1/items')
      .reply(200, [1], { link: '</v1/items?page=2>; rel="next"' })
      .get('/v1/items')
      .query({ page: '2' })
      .reply(503)
      .get('/v1/items')
      .query({ page: '2' })
      .reply(200, [2]);
    const client = new AsyncAPIClient({ baseUrl: BASE, retry: { baseDelay: 1 } });
    expect(await lastValueFrom(paginate(client, '/items').pipe(toArray()))).toEqual([[1], [2]]);
  });

  it('a page that fails for good ends the stream after the pages before it', async () => {
    nock(ORIGIN).get('/v1/items').reply(200, [1], { link: '</v1/items?page=2>; rel="next"' }).get('/v1/items').query({ page: '2' }).reply(404);
    const recording = record(paginate(new AsyncAPIClient(BASE), '/items'));
    await until(recording.done);
    expect(recording.values).toEqual([[1]]);
    expect(recording.error).toBeInstanceOf(HttpError);
  });

  it('a next link outside the base URL ends with ConfigurationError, nothing sent there', async () => {
    nock(ORIGIN).get('/v1/items').reply(200, [1], { link: '<https://evil.test/steal?page=2>; rel="next"' });
    let elsewhere = 0;
    const count = () => (elsewhere += 1);
    nock.emitter.on('no match', count);
    try {
      const recording = record(paginate(new AsyncAPIClient(BASE), '/items'));
      await until(recording.done);
      expect(recording.values).toEqual([[1]]);
      expect(recording.error).toBeInstanceOf(ConfigurationError);
      expect(elsewhere).toBe(0);
    } finally {
      nock.emitter.off('no match', count);
    }
  });

  it.each([
    ['back to the first page', ['</v1/items?page=2&key=SECRET>; rel="next"', '</v1/items?key=SECRET>; rel="next"'], 2],
    ['to itself', ['</v1/items?key=SECRET>; rel="next"'], 1],
    ['to the same page written another way', ['</v1/items?page=2&key=SECRET>; rel="next"', `<${BASE}/items?page=2&key=SECRET>; rel="next"`], 2],
  ])('a Link that leads %s ends the stream with an error that says so, not a loop', async (_name, links, pages) => {
    const hits: string[] = [];
    nock(ORIGIN)
      .get('/v1/items')
      .query(true)
      .times(10)
      .reply((uri) => {
        hits.push(uri);
        return [200, [hits.length], { link: links[hits.length - 1] ?? '' }];
      });
    const recording = record(paginate(new AsyncAPIClient(BASE), '/items', { key: 'SECRET' }));
    await until(recording.done);
    expect(recording.values).toEqual(Array.from({ length: pages }, (_, i) => [i + 1]));
    expect(hits).toHaveLength(pages);
    expect(recording.error).toBeInstanceOf(ConfigurationError);
    expect((recording.error as Error).message).toMatch(
      new RegExp(`^paginate: the next page, ${BASE}/items, is one already fetched \\(page \\d\\): the pages loop\\. Pass options\\.next to choose the next page`),
    );
    expect((recording.error as Error).message).not.toContain('SECRET');
  });

  it('options.next returning the cursor it was given ends the stream with the same error', async () => {
    let hits = 0;
    nock(ORIGIN)
      .get('/v1/events')
      .query(true)
      .times(10)
      .reply(() => [200, { items: [(hits += 1)], next: 'c1' }]);
    const recording = record(paginate<{ next: string }>(new AsyncAPIClient(BASE), '/events', undefined, { next: (_response, page) => ({ cursor: page.next }) }));
    await until(recording.done);
    expect(hits).toBe(2);
    expect((recording.error as Error).message).toMatch(/the next page, .*\/v1\/events, is one already fetched \(page 2\): the pages loop/);
  });

  it.each([
    ['maxPages 0', { maxPages: 0 }, /maxPages must be a whole number of 1 or more/],
    ['maxPages 1.5', { maxPages: 1.5 }, /maxPages must be/],
    ['next that is not a function', { next: 'page=2' }, /options.next must be a function/],
  ])('bad options (%s): ConfigurationError before anything is sent', async (_name, options, message) => {
    let elsewhere = 0;
    const count = () => (elsewhere += 1);
    nock.emitter.on('no match', count);
    try {
      const recording = record(paginate(new AsyncAPIClient(BASE), '/items', undefined, options as never));
      await until(recording.done);
      expect(recording.error).toBeInstanceOf(ConfigurationError);
      expect((recording.error as Error).message).toMatch(message);
      expect(elsewhere).toBe(0);
    } finally {
      nock.emitter.off('no match', count);
    }
  });

  it('options.next returning something else: ConfigurationError', async () => {
    nock(ORIGIN).get('/v1/items').reply(200, [1]);
    const recording = record(paginate(new AsyncAPIClient(BASE), '/items', undefined, { next: () => 2 as never }));
    await until(recording.done);
    expect((recording.error as Error).message).toMatch(/options.next must return an endpoint string, params or null, not a number/);
  });
});
