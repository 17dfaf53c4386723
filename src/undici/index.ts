import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { from, Observable, type Subscription } from 'rxjs';
import { Agent, type Dispatcher } from 'undici';
import { ConfigurationError } from '../core/errors.js';
import { refusedLocally } from '../core/local-refusal.js';
import { didYouMean } from '../core/suggest.js';
import type { Transport, TransportInit } from '../core/transport.js';
import { formWithFile, multipartBlob } from '../core/multipart.js';
import { countedBody } from '../core/upload-count.js';
import { asFetchError, toResponse } from './response.js';

/**
 * Options of {@link undiciTransport}.
 *
 * @example
 * ```ts
 * undiciTransport({ connections: 64 });
 * ```
 */
export interface UndiciTransportOptions {
  /**
   * The most sockets kept per origin by the transport's own `Agent`
   * (ignored when `dispatcher` is given).
   * @default unlimited, as undici's own default
   */
  connections?: number;
  /**
   * The undici dispatcher to send through (an `Agent`, `Pool`, `ProxyAgent`...).
   * It must not follow redirects: the client follows them itself.
   * @default a new `Agent({ connections })`
   */
  dispatcher?: Dispatcher;
}

/**
 * A Node-only {@link Transport} on undici's dispatcher (`undici` ^7, an
 * optional peer dependency), for servers that send many requests: it skips
 * fetch's request machinery. The client's API is unchanged: the same cold
 * Observables, cancellation that closes the connection, per-attempt timeouts
 * and retries, and redirects followed once, by the client (the transport never
 * follows them). Readers get a fetch `Response` that reads undici's body
 * directly for `text()`, `json()` and `arrayBuffer()`, building `Headers` and
 * a web stream only when asked (`body`, `clone()`).
 * Unlike fetch it sends no `accept-encoding` (so servers answer uncompressed)
 * and no default `user-agent`/`accept`; a body compressed anyway (gzip,
 * deflate, br) is decoded, as fetch does.
 *
 * @example
 * ```ts
 * import { AsyncAPIClient } from 'rx-api-client';
 * import { undiciTransport } from 'rx-api-client/undici';
 *
 * const client = new AsyncAPIClient({ baseUrl: 'http://inventory.internal/v1', transport: undiciTransport({ connections: 64 }) });
 * ```
 */
export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  checkOptions(options);
  const dispatcher = options.dispatcher ?? new Agent(options.connections === undefined ? {} : { connections: options.connections });
  return <T>(url: string, init: TransportInit<T>) =>
    new Observable<T>((subscriber) => {
      // undici takes an EventEmitter as its abort signal (documented): in Node 20 an
      // AbortController costs as much as the rest of the transport (makeTransferable).
      const abort = new EventEmitter();
      const outer = init.signal ?? undefined;
      const onOuterAbort = () => abort.emit('abort');
      outer?.addEventListener('abort', onOuterAbort, { once: true });
      let reading: Subscription | undefined;
      let settled = false;
      const end = () => {
        settled = true;
        outer?.removeEventListener('abort', onOuterAbort);
      };
      const start = (dispatch: Dispatcher.RequestOptions) => {
        if (subscriber.closed) return undefined;
        if (outer?.aborted) throw outer.reason;
        dispatch.signal = abort;
        return dispatcher.request(dispatch);
      };
      let started: Promise<Dispatcher.ResponseData | undefined>;
      try {
        // Most requests (no body, or a string) start at once; other bodies are encoded first.
        const dispatch = toDispatchOptions(url, init);
        started = dispatch instanceof Promise ? dispatch.then(start) : Promise.resolve(start(dispatch));
      } catch (error) {
        started = Promise.reject(error);
      }
      started.then(
        (data) => {
          if (data === undefined) return;
          if (subscriber.closed) return void data.body.destroy();
          try {
            const selected = init.selector(toResponse(data, url, init.method));
            // Most selectors read the body into a Promise (the client's JSON and text readers): one value
            // when it settles, with no Observable or Subscriber of its own. Once it settles the body is read,
            // so the request ends before the value goes out. An unsubscribe before then aborts the read below.
            if (selected instanceof Promise) {
              selected.then(
                (value: T) => (end(), subscriber.next(value), subscriber.complete()),
                (error: unknown) => (end(), subscriber.error(error)),
              );
              return;
            }
            reading = from(selected).subscribe({
              next: (value) => subscriber.next(value),
              error: (error: unknown) => (end(), subscriber.error(error)),
              complete: () => (end(), subscriber.complete()),
            });
          } catch (error) {
            // A selector that throws at once: the Observable errors, as fromFetch's does.
            end();
            subscriber.error(error);
          }
        },
        // A request undici refused before sending it (a header that is its own to set) is a ConfigurationError.
        (error: unknown) => (end(), subscriber.error(refusedLocally(asFetchError(error), init.method, url))),
      );
      return () => {
        reading?.unsubscribe();
        // After the end the body belongs to the caller (request() emits it unread): never abort then.
        if (!settled) {
          end();
          abort.emit('abort');
        }
      };
    });
}

const OPTIONS = ['connections', 'dispatcher'];

/**
 * Bad options, checked when the transport is made: a dispatcher without
 * `request()` failed on every request as a network error, which the client
 * retried; `connections` that undici refuses threw its own error.
 */
function checkOptions(options: UndiciTransportOptions): void {
  const invalid = (message: string, code: string) => new ConfigurationError(process.env.NODE_ENV !== 'production' ? `undiciTransport: ${message}` : code);
  if (options === null || typeof options !== 'object') throw invalid('options must be an object such as { connections: 64 }, or left out', 'undici-options');
  if (process.env.NODE_ENV !== 'production') {
    for (const name of Object.keys(options)) {
      if (!OPTIONS.includes(name)) throw invalid(`unknown option ${JSON.stringify(name)}${didYouMean(name, (options as Record<string, unknown>)[name], OPTIONS)}`, 'undici-options');
    }
  }
  const { connections, dispatcher } = options;
  if (connections !== undefined && !(Number.isSafeInteger(connections) && connections >= 1)) {
    throw invalid(`connections must be a whole number of 1 or more (sockets per origin), or left out for no limit, not ${String(connections)}`, 'undici-connections');
  }
  if (dispatcher !== undefined && typeof (dispatcher as Partial<Dispatcher> | null)?.request !== 'function') {
    throw invalid('dispatcher must be an undici Dispatcher (an Agent, Pool, ProxyAgent...), or left out', 'undici-dispatcher');
  }
}

/**
 * What undici needs to send `init` to `url`: at once, or once a body that is not a string is encoded.
 * An upload whose progress is asked for is counted as undici pulls it (../core/upload-count.ts): a Blob,
 * so sent with its content-length, or a stream.
 */
function toDispatchOptions(url: string, init: TransportInit<unknown>): Dispatcher.RequestOptions | Promise<Dispatcher.RequestOptions> {
  const report = init.onUploadProgress;
  if (report !== undefined && init.body !== undefined && init.body !== null) {
    const body = countedBody(init.body, report);
    const counted = (encoded: BodyInit) => toDispatchOptions(url, { ...init, body: encoded, onUploadProgress: undefined });
    return body instanceof Promise ? body.then(counted) : counted(body);
  }
  const target = new URL(url);
  // The client hands over a record of lower-case names, checked already; anything else goes through Headers.
  const given = init.headers;
  const headers: Record<string, string> =
    given !== null && typeof given === 'object' && Object.getPrototypeOf(given) === Object.prototype
      ? Object.assign({}, given as Record<string, string>)
      : Object.fromEntries(new Headers(given));
  const options: Dispatcher.RequestOptions = {
    origin: target.origin,
    path: target.pathname + target.search,
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers,
  };
  const body = init.body;
  if (body === undefined || body === null) return options;
  if (typeof body === 'string') {
    options.body = body;
    // fetch's default for a string body.
    setDefault(headers, 'content-type', 'text/plain;charset=UTF-8');
    return options;
  }
  // A body read as it is sent (a Node stream, a web stream, an async generator) goes to undici as it is:
  // undici writes it as it comes, with back-pressure, so memory stays bounded whatever the upload's size.
  if (Symbol.asyncIterator in body) {
    options.body = body as unknown as Readable;
    return options;
  }
  // A Blob (a file from fs.openAsBlob too) is streamed with its length, as fetch sends one: undici would read it all first.
  if (body instanceof Blob) {
    if (body.type !== '') setDefault(headers, 'content-type', body.type);
    setDefault(headers, 'content-length', String(body.size));
    options.body = body.stream() as unknown as Readable;
    return options;
  }
  // A form with a file: encoded as fetch encodes it, and sent as that Blob is, its files read as they go.
  if (formWithFile(body)) return multipartBlob(body).then((encoded) => toDispatchOptions(url, { ...init, body: encoded }));
  return withEncodedBody(options, body, headers);
}

/** A form of strings, URLSearchParams, buffers: the platform encodes them as fetch would, as bytes with their content-length. */
async function withEncodedBody(options: Dispatcher.RequestOptions, body: BodyInit, headers: Record<string, string>): Promise<Dispatcher.RequestOptions> {
  const encoded = new Response(body);
  const contentType = encoded.headers.get('content-type');
  if (contentType !== null) setDefault(headers, 'content-type', contentType);
  options.body = new Uint8Array(await encoded.arrayBuffer());
  return options;
}

/** Sets a header unless the record has it under any case (a wrapping transport may hand over "Content-Type"). */
function setDefault(headers: Record<string, string>, name: string, value: string): void {
  if (!Object.keys(headers).some((key) => key.toLowerCase() === name)) headers[name] = value;
}
