import { STATUS_CODES } from 'node:http';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { arrayBuffer, json, text } from 'node:stream/consumers';
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { BODY_UNTOUCHED } from '../core/constants.js';
import { RawHeaders } from './raw-headers.js';

/*
 * What the undici transport (./index.ts) hands to readers: a fetch Response over undici's answer, which
 * reads undici's body directly and builds Headers, a web stream and decoders only when asked for them.
 */

// Statuses whose Response must have a null body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * undici's answer as a fetch `Response`, its body read from the socket (and
 * decoded); body errors are fetch's `TypeError`s.
 *
 * @param method the request's method: a HEAD answer has no body
 * @example
 * ```ts
 * const response = toResponse(await dispatcher.request({ origin, path, method: 'GET' }), url);
 * ```
 */
export function toResponse(data: Dispatcher.ResponseData, url: string, method = 'GET'): Response {
  // As fetch: a HEAD answer has no body either, whatever its status.
  const nullBody = NULL_BODY.has(data.statusCode) || method.toUpperCase() === 'HEAD';
  if (nullBody) data.body.dump().catch(() => undefined);
  return new UndiciResponse(data, url, nullBody);
}

/**
 * A fetch `Response` over undici's answer that builds the costly parts (the
 * `Headers`, a web stream over the body, the decoders of a compressed body)
 * only when they are asked for: `text()`, `json()` and `arrayBuffer()` of an
 * uncompressed body read undici's body directly, which is most of what makes
 * this transport faster than fetch. `body` is a web stream over the body,
 * made on first use; `clone()`, `blob()` and `formData()` work on a full
 * `Response` built then (over that stream, if `body` made one). As with fetch, the headers
 * stay as sent (`content-encoding` too) and the body is decoded.
 *
 * It is a `Response` by its prototype (`instanceof Response`, the `Response`
 * tag, its `inspect()`), and every member of one is its own (`implements`
 * holds it to that), so Response's constructor never runs: in Node 20 that
 * constructor (init conversion, an inner response and `Headers`, marking the
 * object uncloneable) cost about as much as the rest of this class per request.
 */
class UndiciResponse implements Response {
  readonly #data: Dispatcher.ResponseData;
  readonly #url: string;
  readonly #nullBody: boolean;
  #headers: Headers | undefined;
  #full: Response | undefined;
  #used = false;
  #spent: ReadableStream<Uint8Array> | undefined;
  /** The web stream over the body, once `body` was asked for: without a full Response, which costs as much again. */
  #web: ReadableStream<Uint8Array> | undefined;

  constructor(data: Dispatcher.ResponseData, url: string, nullBody: boolean) {
    this.#data = data;
    this.#url = url;
    this.#nullBody = nullBody;
  }

  get status(): number {
    return this.#data.statusCode;
  }

  get statusText(): string {
    return (this.#data as { statusText?: string }).statusText ?? STATUS_CODES[this.#data.statusCode] ?? '';
  }

  get ok(): boolean {
    return this.#data.statusCode >= 200 && this.#data.statusCode <= 299;
  }

  /** The client follows redirects itself: undici's answer is never one that was redirected. */
  get redirected(): boolean {
    return false;
  }

  get url(): string {
    return this.#url;
  }

  /** A network response, as fetch's are (`new Response()` makes a "default" one). */
  get type(): ResponseType {
    return 'basic';
  }

  get headers(): Headers {
    return (this.#headers ??= new RawHeaders(this.#data.headers));
  }

  get body(): Response['body'] {
    if (this.#nullBody) return null;
    // Read already, straight from undici: fetch would hand out its used-up, locked stream.
    if (this.#used && this.#full === undefined) return (this.#spent ??= spentStream()) as Response['body'];
    if (this.#full !== undefined) return this.#full.body;
    return (this.#web ??= webStream(this.#stream())) as Response['body'];
  }

  get bodyUsed(): boolean {
    // Once a whole Response was built (over `#web` too), its body is what is read: a clone reads the other branch.
    if (this.#full !== undefined) return this.#full.bodyUsed;
    // fetch's "disturbed": a read or a cancel was asked of the stream (Node's check takes a web stream too).
    return this.#used || (this.#web !== undefined && Readable.isDisturbed(this.#web as unknown as NodeJS.ReadableStream));
  }

  /** Neither `body` nor a reader was asked for: the body cannot be locked, and asking `body` would build its stream. */
  get [BODY_UNTOUCHED](): boolean {
    return this.#full === undefined && this.#web === undefined && !this.#used;
  }

  text(): Promise<string> {
    return this.#read('text') as Promise<string>;
  }

  json(): Promise<any> {
    return this.#read('json');
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read('arrayBuffer') as Promise<ArrayBuffer>;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array((await this.#read('arrayBuffer')) as ArrayBuffer);
  }

  // async: a body read already rejects, as fetch's readers do, rather than throwing.
  async blob(): Promise<Blob> {
    return this.#materialize().blob();
  }

  async formData(): Promise<FormData> {
    return this.#materialize().formData();
  }

  clone(): Response {
    const copy = this.#materialize().clone();
    Object.defineProperty(copy, 'url', { value: this.#url });
    return copy;
  }

  /** Reads the body straight from undici or from its decoders, or through the full Response once one was built. */
  #read(kind: 'text' | 'json' | 'arrayBuffer'): Promise<unknown> {
    if (this.#full !== undefined || this.#web !== undefined || this.#nullBody) {
      // A stream handed out by `body` and read or locked already: the Response over it cannot be built.
      try {
        return this.#materialize()[kind]();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    const stream = this.#stream();
    const read = stream === this.#data.body ? this.#data.body[kind]() : CONSUME[kind](stream);
    return read.catch((error: unknown) => {
      throw asFetchError(error);
    });
  }

  /** The body as the reader sees it: undici's, or the last of its decoders. */
  #stream(): Readable {
    const encoding = this.#data.headers['content-encoding'];
    const decoders = encoding === undefined ? [] : decodersFor(Array.isArray(encoding) ? encoding.join(', ') : encoding);
    // pipeline() hands back the last decoder; an error or a destroy anywhere destroys them all, the socket's body too.
    return decoders.length === 0 ? this.#data.body : (pipeline([this.#data.body, ...decoders], () => undefined) as unknown as Transform);
  }

  #materialize(): Response {
    if (this.#full !== undefined) return this.#full;
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    const body = this.#nullBody ? null : (this.#web ?? webStream(this.#stream()));
    this.#full = new Response(body, { status: this.status, statusText: this.statusText, headers: this.headers });
    return this.#full;
  }
}

// A Response by its prototype: instanceof, the "Response" tag and Response's inspect(), which reads the getters above.
Object.setPrototypeOf(UndiciResponse.prototype, Response.prototype);

/** A stream that was read already: locked, as fetch's body is after `text()`. */
function spentStream(): ReadableStream<Uint8Array> {
  const stream = new ReadableStream<Uint8Array>();
  stream.getReader();
  return stream;
}

// How a decoded body is read (undici's own body has these readers itself).
const CONSUME = { text, json, arrayBuffer } as const;

// fetch's decoders, with its flush settings (a body cut short ends rather than failing).
const ZLIB = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI = { flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH };
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => createGunzip(ZLIB),
  'x-gzip': () => createGunzip(ZLIB),
  deflate: () => new DeflateDecoder(),
  br: () => createBrotliDecompress(BROTLI),
};
/**
 * fetch's "deflate": zlib-wrapped, as the RFC says, or raw deflate, as some
 * servers send it; the first byte tells them apart (a zlib header's low
 * nibble is 8, the deflate method), as fetch does.
 */
class DeflateDecoder extends Transform {
  #inflate: Transform | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#inflate === undefined) {
      const inflate = (chunk[0]! & 0x0f) === 0x08 ? createInflate(ZLIB) : createInflateRaw(ZLIB);
      inflate.on('data', (data: Buffer) => this.push(data));
      inflate.on('error', (error: Error) => this.destroy(error));
      this.#inflate = inflate;
    }
    this.#inflate.write(chunk, () => done());
  }

  override _flush(done: TransformCallback): void {
    if (this.#inflate === undefined) return done();
    this.#inflate.once('end', () => done());
    this.#inflate.end();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#inflate?.destroy();
    done(error);
  }
}

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
/**
 * fetch rejects with a TypeError whose cause is the socket's error: do the
 * same, so the client classifies it alike.
 *
 * @example
 * ```ts
 * asFetchError(socketError); // TypeError('fetch failed', { cause: socketError })
 * ```
 */
export function asFetchError(error: unknown): unknown {
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) return error;
  return new TypeError('fetch failed', { cause: error });
}
