import type { Credentials, QueryCredential } from '../auth/provider.js';
import { ConfigurationError, type RequestTarget } from './errors.js';
import { checkHeader, toHeaderRecord } from './headers.js';
import type { RequestBody, RequestOptions, ResolvedClientOptions } from './options.js';
import { displayUrl, joinUrl } from './url.js';

/** A request checked and built once; every attempt adds its credentials (`authorize`). */
export interface PreparedRequest {
  /** Method and URL without query, for errors and events. */
  readonly target: RequestTarget;
  /** The full URL, params included, credentials not. */
  readonly url: URL;
  /** Method, body, and the headers that auth overrides: the method's defaults, the content type, the client's headers. */
  readonly init: RequestInit & {
    /** The HTTP method, upper case. */
    method: string;
    /** The headers to send, by lower-case name. */
    headers: Record<string, string>;
    /** `'half'` when the body is a stream: Node's fetch sends a stream body only when told it is half-duplex. */
    duplex?: 'half';
  };
  /** The request's own headers, lower-case names: they win over auth. */
  readonly ownHeaders: Readonly<Record<string, string>>;
  /** The caller's body factory, called for each attempt (see `attemptInit`). */
  readonly makeBody?: () => RequestBody;
  /** `false` when the body is a stream that can be sent only once: such a request is not retried. */
  readonly replayable: boolean;
}

/** One attempt's request: the prepared request with the credentials of that attempt. */
export interface SendableRequest {
  /** The full URL the attempt goes to, params and a query-string API key included (errors and events show it without its query). */
  readonly url: URL;
  /** What the transport gets: method, body, and every header of the attempt, credentials included. */
  readonly init: PreparedRequest['init'];
  /** Lower-case names of the headers that came from auth: redacted in events, dropped on a cross-origin redirect. */
  readonly authNames: ReadonlySet<string>;
  /** A query-string API key, to add again on a same-origin redirect. */
  readonly query?: QueryCredential;
  /** Credentials not sent, because the URL an interceptor made is not the base origin's or in `allowedOrigins`: header names, and `?name` for a query key. */
  readonly dropped?: readonly string[];
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);
// fetch refuses these outright; left to fetch, the refusal would look like a network error.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Checks a request and builds what `fetch` needs, but its credentials. Throws
 * {@link ConfigurationError} before anything is sent when the method, endpoint,
 * params, headers or body are not usable. Header precedence, lowest first:
 * `accept`, the client's headers, its auth headers (`authorize`), the request's headers.
 *
 * @param accept the `accept` header the calling method adds (`application/json` for `getJson`)
 * @example
 * ```ts
 * prepareRequest(resolveClientOptions({ baseUrl: 'https://h/v1' }), 'post', 'items', { json: { a: 1 } }).url.href;
 * // 'https://h/v1/items'
 * ```
 */
export function prepareRequest(
  config: ResolvedClientOptions,
  method: string,
  endpoint: string,
  options: RequestOptions,
  accept?: string,
): PreparedRequest {
  const verb = checkMethod(method);
  const url = joinUrl(config.baseUrl, endpoint, options.params, config.allowedOrigins);
  const target: RequestTarget = { method: verb, url: displayUrl(url) };
  const { body, contentType } = encodeBody(options, verb);
  const headers: Record<string, string> = {};
  if (accept !== undefined) headers.accept = accept;
  if (contentType !== undefined) headers['content-type'] = contentType;
  Object.assign(headers, config.headers);
  const init: PreparedRequest['init'] = { method: verb, headers };
  const ownHeaders = toHeaderRecord(options.headers, 'headers');
  if (typeof body === 'function') return { target, url, init, ownHeaders, makeBody: body, replayable: true };
  if (body !== undefined) Object.assign(init, bodyInit(body));
  return { target, url, init, ownHeaders, replayable: body === undefined || !isStream(body) };
}

/**
 * Adds one attempt's credentials to a prepared request: the auth headers over
 * the client's headers and under the request's own, a query-string API key in
 * the URL; and a new body from the caller's body factory when there is one.
 *
 * @param extra headers over all others (a stream's `Last-Event-ID`)
 *
 * @example
 * ```ts
 * authorize(prepared, { headers: { authorization: 'Bearer t' } }).init.headers.authorization; // 'Bearer t'
 * ```
 */
export function authorize(request: PreparedRequest, credentials: Credentials, extra?: Readonly<Record<string, string>>): SendableRequest {
  const headers: Record<string, string> = Object.assign({}, request.init.headers, credentials.headers, request.ownHeaders);
  if (extra !== undefined) Object.assign(headers, extra);
  let url = request.url;
  if (credentials.query !== undefined) {
    url = new URL(url);
    url.searchParams.set(credentials.query.name, credentials.query.value);
  }
  return { url, init: { ...attemptInit(request), headers }, authNames: authNamesOf(credentials), query: credentials.query };
}

// Fixed credentials serve every request of a client: their names are listed once.
const AUTH_NAMES = new WeakMap<Credentials, ReadonlySet<string>>();

function authNamesOf(credentials: Credentials): ReadonlySet<string> {
  let names = AUTH_NAMES.get(credentials);
  if (names === undefined) AUTH_NAMES.set(credentials, (names = new Set(Object.keys(credentials.headers))));
  return names;
}

/**
 * The prepared init, with a new body from the caller's body factory when there is one.
 *
 * @example
 * ```ts
 * attemptInit(prepared).body; // a fresh stream for each attempt
 * ```
 */
export function attemptInit(request: PreparedRequest): PreparedRequest['init'] {
  return request.makeBody ? Object.assign({}, request.init, bodyInit(request.makeBody())) : request.init;
}

function bodyInit(body: RequestBody): Pick<PreparedRequest['init'], 'body' | 'duplex'> {
  // Node's fetch sends a stream body only when told it is half-duplex.
  return isStream(body) ? { body, duplex: 'half' } : { body };
}

/** A stream (a web `ReadableStream`, or a Node stream or other async iterable) is read once, as it is sent. */
function isStream(body: RequestBody): boolean {
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return true;
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/**
 * Data that fetch would turn into text such as "[object Object]" or "1,2": an object of no body type
 * (an object literal, a class instance) or an array. An object with an async iterator is a stream.
 */
function isPlainData(body: unknown): boolean {
  return Array.isArray(body) || (Object.prototype.toString.call(body) === '[object Object]' && !isStream(body as RequestBody));
}

function checkMethod(method: string): string {
  if (typeof method !== 'string' || method === '') {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'method must be a non-empty string such as "GET" or "POST"' : 'method');
  }
  // A method follows the same token rule as a header name.
  checkHeader(method, '', 'method');
  const verb = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(verb)) throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `method ${verb} cannot be sent with fetch` : 'method');
  return verb;
}

function encodeBody(options: RequestOptions, method: string): { body?: RequestBody | (() => RequestBody); contentType?: string } {
  const hasJson = options.json !== undefined;
  const hasBody = options.body !== undefined && options.body !== null;
  if (hasJson && hasBody) throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'pass either json or body, not both' : 'body');
  if ((hasJson || hasBody) && NO_BODY_METHODS.has(method)) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `a ${method} request cannot have a body: use POST, PUT or PATCH, or send the data as params` : 'body');
  }
  if (hasBody) {
    const body = options.body!;
    // fetch would send a plain object as "[object Object]" (an array as "1,2"): the data would be lost unseen.
    if (isPlainData(body)) {
      throw new ConfigurationError(
        process.env.NODE_ENV !== 'production' ? `body is a plain ${Array.isArray(body) ? 'array' : 'object'}, which fetch would send as text such as "[object Object]": pass it as json: { ... } to send it as JSON` : 'body',
      );
    }
    return { body };
  }
  if (!hasJson) return {};
  let text: string | undefined;
  try {
    text = JSON.stringify(options.json);
  } catch (cause) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `json cannot be serialised: ${(cause as Error).message}` : 'json', { cause });
  }
  if (text === undefined) {
    throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? `json cannot be serialised: a ${typeof options.json} has no JSON form` : 'json');
  }
  return { body: text, contentType: 'application/json' };
}
