import { DEFAULTS } from '../core/constants.js';
import type { AttemptContext } from '../core/context.js';
import { readCounted, refuseDeclaredLength } from '../core/read-body.js';
import { checkStatus, type Reader } from '../core/response.js';
import { readChunks } from '../streams/chunks.js';
import { PLAIN_STREAM } from '../streams/mode.js';

/**
 * Reads a whole body as bytes, within `maxBodySize`: as soon as more have
 * come the stream is cancelled (the connection released) and it throws
 * `BodyTooLargeError`; a `content-length` above it fails before a byte is read.
 */
async function readParts(response: Response, context: AttemptContext): Promise<Uint8Array[]> {
  checkStatus(response, context);
  const maxBodySize = context.maxBodySize ?? DEFAULTS.maxBodySize;
  refuseDeclaredLength(response, maxBodySize, context);
  const parts: Uint8Array[] = [];
  await readCounted(response, maxBodySize, context, (chunk) => parts.push(chunk));
  return parts;
}

/**
 * A reader of the whole body as bytes, once the status is checked, within
 * `maxBodySize` (`BodyTooLargeError` past it, the connection released).
 *
 * @example
 * ```ts
 * client.read('/avatar.png', asBytes).subscribe((bytes) => console.log(bytes.byteLength));
 * ```
 */
export const asBytes: Reader<Uint8Array> = {
  read: async (response, context) => {
    const parts = await readParts(response, context);
    if (parts.length === 1) return parts[0]!;
    const bytes = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.byteLength;
    }
    return bytes;
  },
};

/**
 * A reader of the whole body as a `Blob` typed by the response's
 * `content-type`, once the status is checked, within `maxBodySize`.
 *
 * @example
 * ```ts
 * client.read('/report.pdf', asBlob, { maxBodySize: false }).subscribe((blob) => open(URL.createObjectURL(blob)));
 * ```
 */
export const asBlob: Reader<Blob> = {
  read: async (response, context) => new Blob((await readParts(response, context)) as BlobPart[], { type: response.headers.get('content-type') ?? '' }),
};

/**
 * A stream reader of the body's chunks as they arrive (what `chunks()`
 * reads), for `download()`: the progress and the chunks in one stream, and
 * no more of the body held than the chunk at hand, whatever its size. As
 * every stream, it is retried until its first chunk, never after.
 *
 * @example
 * ```ts
 * download(client, '/export.csv', asChunks).subscribe((event) => (event.type === 'result' ? file.write(event.value) : bar.set(event.loaded)));
 * ```
 */
export const asChunks: Reader<Uint8Array> = { read: readChunks, stream: PLAIN_STREAM };
