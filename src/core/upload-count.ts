import { from, switchMap, type Observable } from 'rxjs';
import { multipartBlob } from './multipart.js';

/*
 * Node's side of upload progress on fetch and undici (browsers: ./upload-count.browser.ts, which leaves
 * fetch as it is, since a browser's fetch cannot report it; the XHR transport can). The body is handed to the
 * transport as a stream that it pulls: each piece is counted as the transport takes it, so what is counted
 * is what the transport consumed, and a body is never gathered in memory. A body of known length becomes a
 * Blob whose stream is counted: both transports send a Blob with its Content-Length, so the framing stays.
 */

// The size of the pieces handed over: small enough for a smooth count, large enough to cost nothing.
const PIECE = 64 * 1024;

type Report = (loaded: number, total: number | undefined) => void;

/** What of `TransportInit` (./transport.ts, which wraps fetch with this: no import cycle) is read here. */
type CountableInit = RequestInit & { onUploadProgress?: Report | undefined };

/**
 * A fetch-shaped transport that counts the bytes of an upload when
 * `init.onUploadProgress` is set, and is left alone otherwise.
 *
 * @example
 * ```ts
 * const transport = countingUploads((url, init) => fromFetch(url, init));
 * ```
 */
export function countingUploads<F extends (url: string, init: never) => Observable<unknown>>(transport: F): F {
  const counting = (url: string, init: CountableInit) => {
    const send = transport as unknown as (url: string, init: CountableInit) => Observable<unknown>;
    const report = init.onUploadProgress;
    if (report === undefined || init.body === undefined || init.body === null) return send(url, init);
    const counted = countedBody(init.body, report);
    if (!(counted instanceof Promise)) return send(url, { ...init, body: counted });
    return from(counted).pipe(switchMap((body) => send(url, { ...init, body })));
  };
  return counting as unknown as F;
}

/**
 * The body, to be counted as it is sent: a Blob of the same bytes and type
 * whose stream counts (a body of known length), or a counting stream (a
 * stream, whose length is unknown). FormData is encoded first, as fetch
 * would encode it, its files left unread until they are sent.
 *
 * @example
 * ```ts
 * const body = countedBody('hello', (loaded, total) => console.log(loaded, total)); // a Blob of 5 bytes, type text/plain;charset=UTF-8
 * ```
 */
export function countedBody(body: BodyInit, report: Report): BodyInit | Promise<BodyInit> {
  if (typeof body === 'string') return new CountedBlob(new Blob([body], { type: 'text/plain;charset=UTF-8' }), report);
  if (body instanceof Blob) return new CountedBlob(body, report);
  if (body instanceof URLSearchParams) return new CountedBlob(new Blob([body.toString()], { type: 'application/x-www-form-urlencoded;charset=UTF-8' }), report);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new CountedBlob(new Blob([body as ArrayBuffer]), report);
  if (Symbol.asyncIterator in body) return countedStream(body as AsyncIterable<Uint8Array | string>, undefined, report);
  // FormData: its multipart encoding (and boundary) as fetch makes it, its files read only as they are sent.
  return multipartBlob(body as FormData).then((blob) => new CountedBlob(blob, report));
}

/** A Blob whose `stream()`, what fetch and the undici transport send, counts its bytes as they are pulled. */
class CountedBlob extends Blob {
  readonly #report: Report;

  constructor(blob: Blob, report: Report) {
    // A Blob made of a Blob shares its bytes (a file's stay on disk): nothing is copied.
    super([blob], { type: blob.type });
    this.#report = report;
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return countedStream(super.stream() as unknown as AsyncIterable<Uint8Array>, this.size, this.#report) as ReadableStream<Uint8Array<ArrayBuffer>>;
  }
}

/**
 * A stream over `source` that hands its bytes out in pieces of at most
 * {@link PIECE} bytes, only when the transport pulls (no read-ahead), and
 * counts each piece as it goes.
 */
function countedStream(source: AsyncIterable<Uint8Array | string>, total: number | undefined, report: Report): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let pending: Uint8Array = new Uint8Array(0);
  let loaded = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (pending.byteLength === 0) {
          const { done, value } = await iterator.next();
          if (done) {
            // An empty body is sent whole too.
            if (loaded === 0) report(0, total);
            controller.close();
            return;
          }
          pending = typeof value === 'string' ? encoder.encode(value) : value;
        }
        const piece = pending.subarray(0, PIECE);
        pending = pending.subarray(piece.byteLength);
        loaded += piece.byteLength;
        controller.enqueue(piece);
        report(loaded, total);
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
