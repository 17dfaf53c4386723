import { BodyTooLargeError } from './body-errors.js';
import type { AttemptContext } from './context.js';

/**
 * Reads a response body as UTF-8 text (as `response.text()` does), counting
 * its bytes after decompression. As soon as more than `maxBodySize` bytes have
 * arrived it cancels the stream, which releases the connection, and throws
 * {@link BodyTooLargeError}: at most one chunk past the limit is ever held.
 * When there is no `content-encoding`, a `content-length` above the limit
 * fails before a byte is read.
 *
 * @param maxBodySize the limit in bytes; `Infinity` for none
 * @example
 * ```ts
 * await readBodyText(new Response('{"a":1}'), 1024, context); // '{"a":1}'
 * await readBodyText(new Response('x'.repeat(2048)), 1024, context); // throws BodyTooLargeError
 * ```
 */
export async function readBodyText(response: Response, maxBodySize: number, context: AttemptContext): Promise<string> {
  const contentLength = refuseDeclaredLength(response, maxBodySize, context);
  // A network response's declared length within the limit is what the reader will get (HTTP/1.1 frames
  // the body by it): the platform's own reader is the fast path, and `body` is not touched (a transport may
  // build it lazily). A Response made in code (type "default": an interceptor's, a stand-in's) may declare
  // any length over any body, so its bytes are counted.
  if (contentLength !== undefined && response.type !== 'default') return response.text();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  await readCounted(response, maxBodySize, context, (chunk) => parts.push(decoder.decode(chunk, { stream: true })));
  parts.push(decoder.decode());
  return parts.join('');
}

/**
 * The first half of a body read within `maxBodySize`: a `content-length`
 * above it (when it counts the bytes the reader will see) fails before a
 * byte is read, with {@link BodyTooLargeError}, and the body is cancelled.
 *
 * @returns the declared length, when there is one that counts the body's bytes
 * @example
 * ```ts
 * refuseDeclaredLength(new Response('abc', { headers: { 'content-length': '3' } }), 1024, context); // 3
 * ```
 */
export function refuseDeclaredLength(response: Response, maxBodySize: number, context: AttemptContext): number | undefined {
  const contentLength = declaredLength(response.headers);
  if (contentLength !== undefined && contentLength > maxBodySize) {
    // Not awaited: a peer that never answers the cancel must not hold the error back.
    response.body?.cancel().catch(() => undefined);
    throw tooLarge(response, context, { maxBodySize, contentLength, receivedBytes: 0 });
  }
  return contentLength;
}

/**
 * The second half: hands each chunk of the body to `take`, counting its
 * bytes; as soon as more than `maxBodySize` have come it cancels the stream,
 * which releases the connection, and throws {@link BodyTooLargeError}, so at
 * most one chunk past the limit is ever held.
 *
 * @param take what to do with each chunk (decode it, keep it)
 * @example
 * ```ts
 * const parts: Uint8Array[] = [];
 * await readCounted(response, 1024, context, (chunk) => parts.push(chunk));
 * ```
 */
export async function readCounted(response: Response, maxBodySize: number, context: AttemptContext, take: (chunk: Uint8Array) => void): Promise<void> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  let receivedBytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    receivedBytes += value.byteLength;
    if (receivedBytes > maxBodySize) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(response, context, { maxBodySize, receivedBytes });
    }
    take(value);
  }
}

function tooLarge(response: Response, context: AttemptContext, size: { maxBodySize: number; contentLength?: number; receivedBytes: number }): BodyTooLargeError {
  return new BodyTooLargeError(size, response.status, context.target, context.attempt);
}

/**
 * The body size that `content-length` announces, when it counts the bytes
 * the reader will see: with a `content-encoding` it counts the compressed
 * bytes, which say nothing certain about the size after decompression.
 *
 * @returns the size in bytes, or `undefined` when it is not declared or the body is re-encoded
 * @example
 * ```ts
 * declaredLength(new Headers({ 'content-length': '42' })); // 42
 * declaredLength(new Headers({ 'content-length': '42', 'content-encoding': 'gzip' })); // undefined
 * ```
 */
export function declaredLength(headers: Headers): number | undefined {
  const length = headers.get('content-length');
  if (length === null || !/^\s*\d+\s*$/.test(length)) return undefined;
  const encoding = headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return undefined;
  return Number(length);
}
