import { defer, EMPTY, expand, lastValueFrom, map, Observable } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import type { AsyncAPIClient } from '../core/client.js';
import type { CallOptions, QueryParams, RequestOptions } from '../core/options.js';
import type { AttemptContext } from '../core/context.js';
import { readJson } from '../core/response.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';
import { toPromise } from '../core/to-promise.js';
import { displayUrl, joinUrl } from '../core/url.js';
import { linkToEndpoint, parseLinkHeader } from './link-header.js';

/**
 * Options of `paginate()`: those of `getJson()`, plus how to find the
 * next page and when to stop.
 *
 * @example
 * ```ts
 * paginate<Page>(client, '/items', { limit: 50 }, {
 *   next: (_response, page) => (page.cursor ? { limit: 50, cursor: page.cursor } : null),
 *   maxPages: 10,
 * });
 * ```
 */
export interface PaginateOptions<T> extends Omit<RequestOptions, 'params' | 'json' | 'body'> {
  /**
   * Where the next page is, from this page's response (its body already read:
   * use its headers) and parsed body: an endpoint (with its own query), params
   * for the first endpoint (in place of the first params), or `null` to stop.
   * @default the `Link` header's `rel="next"` URL, which must lie under the base URL
   */
  next?: (response: Response, body: T) => string | QueryParams | null | undefined;
  /**
   * The most pages to fetch.
   * @default Infinity
   */
  maxPages?: number;
}

/**
 * Where a page is: an endpoint, and the params to send with it.
 *
 * @example
 * ```ts
 * const first: PageTarget = { endpoint: '/items', params: { per_page: 100 } };
 * paginatePages(first, fetchPage, { baseUrl: new URL('https://api.example.com/v1/') });
 * ```
 */
export interface PageTarget {
  readonly endpoint: string;
  readonly params?: QueryParams | undefined;
}

/**
 * A fetched page: its response (body read) and parsed body.
 *
 * @example
 * ```ts
 * fetchPage<Item[]>(client, '/items', {}).subscribe((page: Page<Item[]>) => console.log(page.url, page.response.status, page.body.length));
 * ```
 */
export interface Page<T> {
  readonly response: Response;
  readonly body: T;
  /** The page's URL, for resolving a relative `Link`. */
  readonly url: string;
}

/**
 * Fetches one page: its parsed JSON body (the request's value, so that
 * `withValidation()` checks it with the request's `schema`, after the retries
 * and within the deadline), with the response the reader saw.
 *
 * @param options the request's options (`schema` among them) and the page's params
 * @example
 * ```ts
 * fetchPage<Item[]>(client, '/items', { params: { page: 2 } }).subscribe((page) => console.log(page.url, page.response.status, page.body.length));
 * ```
 */
export function fetchPage<T>(client: AsyncAPIClient, endpoint: string, options: CallOptions): Observable<Page<T>> {
  return defer(() => {
    // What the last attempt's reader saw: the value that comes out is that attempt's body.
    let seen: { response: Response; url: string };
    const read = (response: Response, context: AttemptContext) => {
      seen = { response, url: response.url || context.target.url };
      return readJson(response, context) as Promise<T>;
    };
    return client.read(endpoint, { read, accept: 'application/json' }, options).pipe(map((body) => ({ response: seen.response, url: seen.url, body })));
  });
}

/**
 * Where the page after `page` is, or `undefined` to stop: from `next` when
 * given, from the `Link` header's `rel="next"` otherwise.
 *
 * @example
 * ```ts
 * nextPageTarget(page, { endpoint: '/items' }, new URL('https://h/v1/'));                      // from the Link header
 * nextPageTarget(page, { endpoint: '/items' }, baseUrl, (_r, body) => ({ cursor: body.next })); // { endpoint: '/items', params: { cursor } }
 * ```
 */
export function nextPageTarget<T>(
  page: Page<T>,
  first: PageTarget,
  baseUrl: URL,
  next?: PaginateOptions<T>['next'],
): PageTarget | undefined {
  if (next === undefined) {
    const link = parseLinkHeader(page.response.headers.get('link')).get('next');
    return link === undefined ? undefined : { endpoint: linkToEndpoint(link, page.url, baseUrl) };
  }
  const target = next(page.response, page.body);
  if (target === null || target === undefined) return undefined;
  if (typeof target === 'string') return { endpoint: target };
  if (typeof target === 'object') return { endpoint: first.endpoint, params: target };
  throw new ConfigurationError(`options.next must return an endpoint string, params or null, not a ${typeof target}`);
}

/**
 * What both forms of `paginate` check: `maxPages` and `next` (a bad one is a
 * {@link ConfigurationError}), and each page's URL, params included, against
 * those fetched: the visit it returns throws a `ConfigurationError` that
 * names the page a next page repeats, rather than loop.
 *
 * @example
 * ```ts
 * const visit = pageVisits({ baseUrl, maxPages: 10 });
 * visit({ endpoint: '/items' }, 1);
 * ```
 */
export function pageVisits<T>(options: {
  readonly baseUrl: URL;
  readonly next?: PaginateOptions<T>['next'];
  readonly maxPages?: number | undefined;
}): (target: PageTarget, number: number) => void {
  const maxPages = options.maxPages ?? Infinity;
  if (!(maxPages === Infinity || (Number.isInteger(maxPages) && maxPages >= 1))) {
    throw new ConfigurationError(`maxPages must be a whole number of 1 or more, or Infinity, not ${String(maxPages)}`);
  }
  if (options.next !== undefined && typeof options.next !== 'function') {
    throw new ConfigurationError('options.next must be a function (response, body) => endpoint | params | null');
  }
  // Each page's URL, params included, and its number: a next page already fetched would loop forever.
  const fetched = new Map<string, number>();
  return (target, number) => {
    const url = joinUrl(options.baseUrl, target.endpoint, target.params);
    const seen = fetched.get(url.href);
    if (seen !== undefined) {
      throw new ConfigurationError(
        process.env.NODE_ENV !== 'production'
          ? `paginate: the next page, ${displayUrl(url)}, is one already fetched (page ${seen}): the pages loop. ` +
              'Pass options.next to choose the next page (null to stop), or maxPages to bound them'
          : 'paginate-loop',
      );
    }
    fetched.set(url.href, number);
  };
}

/**
 * Emits the body of each page, fetching the next one only after the current
 * one was emitted, and none once the subscriber has left. A next page whose
 * URL (params included) is one already fetched ends the stream with a
 * {@link ConfigurationError} that says so, rather than a loop.
 *
 * @param fetchPage one page, as an Observable of one value
 * @example
 * ```ts
 * paginatePages({ endpoint: '/items' }, (t) => fetchOne(t), { baseUrl, maxPages: 3 });
 * ```
 */
export function paginatePages<T>(
  first: PageTarget,
  fetchPage: (target: PageTarget) => Observable<Page<T>>,
  options: { readonly baseUrl: URL; readonly next?: PaginateOptions<T>['next']; readonly maxPages?: number | undefined },
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const visit = pageVisits(options);
    const maxPages = options.maxPages ?? Infinity;
    const numbered = (target: PageTarget, number: number) => {
      visit(target, number);
      return fetchPage(target).pipe(map((page) => ({ page, number })));
    };
    return numbered(first, 1)
      .pipe(
        // expand emits a page before it asks for the next: by then the subscriber may have left.
        expand(({ page, number }) => {
          if (subscriber.closed || number >= maxPages) return EMPTY;
          const target = nextPageTarget(page, first, options.baseUrl, options.next);
          return target === undefined ? EMPTY : numbered(target, number + 1);
        }, 1),
        map(({ page }) => page.body),
      )
      .subscribe(subscriber);
  });
}

/**
 * GETs pages of JSON and emits each page's parsed body: first the endpoint,
 * then the `Link` header's `rel="next"` URL (or what `options.next` returns),
 * until there is none or `maxPages` were fetched. The next page is fetched
 * only after the current one was emitted, never after unsubscribing. Each
 * page is one request with the retry policy, read within `maxBodySize`.
 * With a `schema` (and the client's `withValidation()`), each page's body is
 * checked before `next` sees it, and the schema's output emitted: a page that
 * does not match ends the stream with `ValidationError` (its URL is the
 * page's), after the pages before it were emitted.
 *
 * @example
 * ```ts
 * paginate<Item[]>(client, '/items', { per_page: 100 }).pipe(concatMap((items) => items)).subscribe(addRow);
 * paginate(client, '/items', undefined, { schema: z.array(Item) }); // Observable<Item[]>, each page checked
 * ```
 */
export function paginate<S extends StandardSchemaV1>(
  client: AsyncAPIClient,
  endpoint: string,
  params: QueryParams | undefined,
  options: PaginateOptions<StandardSchemaV1.InferOutput<S>> & { schema: S },
): Observable<StandardSchemaV1.InferOutput<S>>;
export function paginate<T = unknown>(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options?: PaginateOptions<T>): Observable<T>;
export function paginate<T = unknown>(client: AsyncAPIClient, endpoint: string, params?: QueryParams, options: PaginateOptions<T> = {}): Observable<T> {
  const { next, maxPages, ...request } = options;
  return paginatePages<T>(
    { endpoint, params },
    // Object.assign, not a spread with an added key: microseconds per page in Node 20 (core/constants.ts).
    (page) => fetchPage<T>(client, page.endpoint, Object.assign({}, request, { params: page.params })),
    { baseUrl: new URL(client.baseUrl), next, maxPages },
  );
}

/**
 * The pull form of {@link paginate}: each page's parsed body, the next page
 * requested only when the loop asks for it (a loop that stops after two
 * pages made two requests). The same options, checks and retry policy per
 * page, a `schema` included (each page checked before `next` sees it);
 * `signal` ends a page's request at once, and the loop with an `AbortError`.
 *
 * @example
 * ```ts
 * for await (const items of pullPages<Item[]>(client, '/items', { per_page: 100 })) await db.insertMany(items);
 * for await (const items of pullPages(client, '/items', undefined, { schema: z.array(Item) })) show(items); // Item[], each page checked
 * ```
 */
export function pullPages<S extends StandardSchemaV1>(
  client: AsyncAPIClient,
  endpoint: string,
  params: QueryParams | undefined,
  options: PaginateOptions<StandardSchemaV1.InferOutput<S>> & { schema: S; readonly signal?: AbortSignal },
): AsyncGenerator<StandardSchemaV1.InferOutput<S>, void, undefined>;
export function pullPages<T = unknown>(
  client: AsyncAPIClient,
  endpoint: string,
  params?: QueryParams,
  options?: PaginateOptions<T> & { readonly signal?: AbortSignal },
): AsyncGenerator<T, void, undefined>;
export async function* pullPages<T = unknown>(
  client: AsyncAPIClient,
  endpoint: string,
  params?: QueryParams,
  options: PaginateOptions<T> & { readonly signal?: AbortSignal } = {},
): AsyncGenerator<T, void, undefined> {
  const { next, maxPages = Infinity, signal, ...request } = options;
  const baseUrl = new URL(client.baseUrl);
  const first: PageTarget = { endpoint, params };
  const visit = pageVisits<T>({ baseUrl, next, maxPages });
  let target: PageTarget | undefined = first;
  for (let number = 1; target !== undefined; number += 1) {
    visit(target, number);
    const page$ = fetchPage<T>(client, target.endpoint, Object.assign({}, request, { params: target.params }));
    const page: Page<T> = await (signal === undefined ? lastValueFrom(page$) : toPromise(page$, { signal }));
    yield page.body;
    target = number < maxPages ? nextPageTarget(page, first, baseUrl, next) : undefined;
  }
}
