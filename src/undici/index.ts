import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { from, Observable, type ObservableInput, type Subscription } from 'rxjs';
import { Agent, type Dispatcher } from 'undici';
import type { Transport } from '../fetch-transport.js';

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

// Statuses whose Response must have a null body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A Node-only {@link Transport} on undici's dispatcher (`undici` ^7, an
 * optional peer dependency), for servers that send many requests: it skips
 * fetch's request machinery. The client's API is unchanged: the same cold
 * Observables, cancellation that closes the connection, per-attempt timeouts
 * and retries, and redirects followed once, by the client (the transport never
 * follows them). Readers get a fetch `Response` built on the undici stream.
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
  const dispatcher = options.dispatcher ?? new Agent(options.connections === undefined ? {} : { connections: options.connections });
  return <T>(url: string, init: RequestInit & { selector: (response: Response) => ObservableInput<T> }) =>
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
      toDispatchOptions(url, init)
        .then((dispatch) => {
          if (subscriber.closed) return undefined;
          if (outer?.aborted) throw outer.reason;
          return dispatcher.request({ ...dispatch, signal: abort });
        })
        .then(
          (data) => {
            if (data === undefined) return;
            if (subscriber.closed) return void data.body.destroy();
            try {
              reading = from(init.selector(toResponse(data, url, init.method))).subscribe({
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
          (error: unknown) => (end(), subscriber.error(asFetchError(error))),
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

async function toDispatchOptions(url: string, init: RequestInit): Promise<Dispatcher.RequestOptions> {
  const target = new URL(url);
  const headers: Record<string, string> = Object.fromEntries(new Headers(init.headers));
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
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return options;
  }
  // Blob, FormData, URLSearchParams, buffers, streams: the platform encodes them as fetch would.
  const encoded = new Response(body);
  const contentType = encoded.headers.get('content-type');
  if (contentType !== null) headers['content-type'] ??= contentType;
  // A stream is sent as a stream; anything else as bytes, with its content-length.
  options.body = body instanceof ReadableStream ? (encoded.body as unknown as Dispatcher.DispatchOptions['body']) : new Uint8Array(await encoded.arrayBuffer());
  return options;
}

/** undici's answer as a fetch `Response`, its body read from the socket (and decoded); body errors are fetch's `TypeError`s. */
function toResponse(data: Dispatcher.ResponseData, url: string, method = 'GET'): Response {
  const { statusCode: status, body, headers: raw } = data;
  const nullBody = NULL_BODY.has(status);
  if (nullBody) body.dump().catch(() => undefined);
  const headers = new Headers();
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  // As fetch: the headers stay as sent (content-encoding too) and the body is decoded; HEAD and null-body answers have none.
  const decoders = nullBody || method.toUpperCase() === 'HEAD' ? [] : decodersFor(headers.get('content-encoding'));
  // pipeline() hands back the last decoder; an error or a destroy anywhere destroys them all, the socket's body too.
  const decoded = decoders.length === 0 ? body : (pipeline([body, ...decoders], () => undefined) as unknown as Transform);
  const response = new Response(nullBody ? null : webStream(decoded), {
    status,
    statusText: (data as { statusText?: string }).statusText ?? STATUS_CODES[status] ?? '',
    headers,
  });
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

// fetch's decoders, with its flush settings (a body cut short ends rather than failing).
const ZLIB = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI = { flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH };
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => createGunzip(ZLIB),
  'x-gzip': () => createGunzip(ZLIB),
  deflate: () => createInflate(ZLIB),
  br: () => createBrotliDecompress(BROTLI),
};
// More codings than this are no real server's doing: the body is left as sent rather than decoded through a chain.
const MAX_CODINGS = 5;

/** The decoders of a `content-encoding`, last coding first; none when one is unknown (the body is then left as sent, as fetch does). */
function decodersFor(encoding: string | null): Transform[] {
  if (encoding === null) return [];
  const codings = encoding.toLowerCase().split(',').map((coding) => coding.trim()).filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_CODINGS || !codings.every((coding) => Object.hasOwn(DECODERS, coding))) return [];
  return codings.reverse().map((coding) => DECODERS[coding]!());
}

/** A Node stream (undici's body, or its decoder) as a web stream whose errors are fetch's `TypeError`s; cancelling it destroys the body. */
function webStream(body: Readable): ReadableStream<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await iterator.next();
        if (chunk.done) controller.close();
        else controller.enqueue(new Uint8Array(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength));
      } catch (error) {
        controller.error(asFetchError(error));
      }
    },
    // destroy() too: the iterator's return() alone does nothing to a body cancelled before its first read,
    // which would keep the connection (and the server's send) going. The abort error it raises has no one
    // left to hear it. Safe when the body has ended already.
    cancel: () => {
      body.on('error', () => undefined).destroy();
      return iterator.return?.().then(() => undefined, () => undefined);
    },
  });
}
/** fetch rejects with a TypeError whose cause is the socket's error: do the same, so the client classifies it alike. */
function asFetchError(error: unknown): unknown {
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) return error;
  return new TypeError('fetch failed', { cause: error });
}
