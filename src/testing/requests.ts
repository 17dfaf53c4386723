/*
 * What the test transport records of each request, and how a test finds requests: the routes of
 * `on()` and the matches of the controller (`expectOne`, `match`, `expectNone`).
 */

/**
 * One request the test transport was sent, as it was sent: after the
 * client's headers, credentials and interceptors.
 *
 * @example
 * ```ts
 * expect(api.requests.map(({ method, url }) => `${method} ${url}`)).toEqual(['GET https://api.test/items?page=2']);
 * ```
 */
export interface RecordedRequest {
  /** Upper case. */
  readonly method: string;
  /** The full URL, query included. */
  readonly url: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as the client handed it to the transport (`undefined` for none). */
  readonly body: unknown;
  /** The body as text, where it can be read at once (a string, `URLSearchParams`, bytes); `undefined` otherwise. */
  readonly text: string | undefined;
  /** The values of the route's `:name` segments. */
  readonly params: Readonly<Record<string, string>>;
  /** When it was sent, by the transport's scheduler. */
  readonly time: number;
  /** Whether the client let go of it (unsubscribed, a timeout) before its answer was read. */
  readonly cancelled: boolean;
  /** The body parsed as JSON. Throws when there is no text body. */
  json<T = unknown>(): T;
}

/**
 * Which requests: `'/items/:id'` (a path, `:name` for one segment, a trailing
 * `*` for the rest; an absolute URL to match the origin too; the query is not
 * compared), `'POST /items'` (a method and a path), `{ method, path }`, a
 * `RegExp` tested against the full URL, or a predicate.
 *
 * @example
 * ```ts
 * api.expectOne('DELETE /v1/items/:id');
 * api.match((request) => new URL(request.url).searchParams.get('q') === 'lamp');
 * ```
 */
export type RequestMatch = string | RegExp | {
  /** The method, any case; any method when absent. */
  readonly method?: string;
  /** A path as in a string match (`'/items/:id'`, a trailing `*`), or a `RegExp` tested against the full URL; any when absent. */
  readonly path?: string | RegExp;
} | ((request: RecordedRequest) => boolean);

/** A route's test: the method (`*` for any) and the path pattern; the `:name` values when it matches. */
export function routeTest(method: string, path: string | RegExp): (request: RecordedRequest) => Record<string, string> | undefined {
  const verb = method.toUpperCase();
  if (typeof path !== 'string') return (request) => ((verb === '*' || request.method === verb) && path.test(request.url) ? {} : undefined);
  const names: string[] = [];
  const rest = path.endsWith('*');
  const source = (rest ? path.slice(0, -1) : path)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/:([A-Za-z_]\w*)/g, (_, name: string) => (names.push(name), `(?<${name}>[^/]+)`));
  const pattern = new RegExp(`^${source}${rest ? '.*' : ''}$`);
  const absolute = /^[a-z][a-z\d+.-]*:\/\//i.test(path);
  return (request) => {
    if (verb !== '*' && request.method !== verb) return undefined;
    const url = new URL(request.url);
    const found = pattern.exec(absolute ? url.origin + url.pathname : url.pathname);
    if (!found) return undefined;
    return Object.fromEntries(names.map((name) => [name, decodeURIComponent(found.groups![name]!)]));
  };
}

/** A request match of the controller, as a predicate (a string is a route: `'POST /items'`, `'/items/:id'`). */
export function matcher(match: RequestMatch): (request: RecordedRequest) => boolean {
  if (typeof match === 'function') return match;
  if (match instanceof RegExp) return (request) => match.test(request.url);
  if (typeof match === 'string') {
    const [method, path] = /^[A-Z]+\s/i.test(match) ? match.split(/\s+/, 2) : ['*', match];
    const test = routeTest(method!, path!);
    return (request) => test(request) !== undefined;
  }
  const test = routeTest(match.method ?? '*', match.path ?? '*');
  return (request) => test(request) !== undefined;
}

/** A request match in words, for the controller's messages. */
export function describeMatch(match: RequestMatch): string {
  return typeof match === 'function' ? 'a predicate' : match instanceof RegExp || typeof match === 'string' ? String(match) : JSON.stringify(match);
}
