import { describe, expect, it, vi } from 'vitest';
import { BodyTooLargeError } from '../../src/core/body-errors.js';
import { readBodyText } from '../../src/core/read-body.js';
import type { AttemptContext } from '../../src/core/context.js';

const context: AttemptContext = { target: { method: 'GET', url: 'https://h/x' }, attempt: 2 };
const KIB = 1024;

/** A body that never ends: each read gets another chunk. Counts the reads and notes the cancel. */
function endlessBody(chunkBytes: number) {
  const seen = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.pulls += 1;
        controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    // No read-ahead: a pull happens only when the reader asks.
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

/** A body sent in the given pieces, to cut multi-byte characters in two. */
function chunked(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

describe('readBodyText within the limit', () => {
  it.each([
    ['an empty body', '', 0],
    ['a body exactly at the limit', 'x'.repeat(16), 16],
    ['a body under the limit', '{"a":1}', 1024],
    ['any body with no limit', 'y'.repeat(100 * KIB), Infinity],
    ['multi-byte text, limit in bytes', 'é€😀', 9],
  ])('reads %s', async (_name, text, limit) => {
    expect(await readBodyText(new Response(text), limit, context)).toBe(text);
  });

  it('reads a null body as empty', async () => {
    expect(await readBodyText(new Response(null, { status: 204 }), 10, context)).toBe('');
  });

  it('decodes like response.text(): characters cut across chunks, a leading BOM dropped', async () => {
    const bytes = new TextEncoder().encode('\uFEFF{"name":"Zoë 😀 €"}');
    const pieces = [bytes.slice(0, 2), bytes.slice(2, 15), bytes.slice(15, 21), bytes.slice(21)];
    const expected = await new Response(chunked(pieces.map((p) => p.slice()))).text();
    expect(await readBodyText(new Response(chunked(pieces)), 1024, context)).toBe(expected);
    expect(expected).toBe('{"name":"Zoë 😀 €"}');
  });
});

describe('readBodyText above the limit', () => {
  it('fails one byte past the limit, with what it read', async () => {
    const error = await failureOf(readBodyText(new Response('x'.repeat(17), { status: 201 }), 16, context));
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBodySize: 16, receivedBytes: 17, contentLength: undefined, status: 201, attempts: 2 });
    expect((error as Error).message).toBe('GET https://h/x returned a body larger than maxBodySize (16 bytes): stopped after 17 bytes');
  });

  it('counts bytes, not characters', async () => {
    expect(await failureOf(readBodyText(new Response('é€😀'), 8, context))).toMatchObject({ receivedBytes: 9 });
  });

  it('stops an endless body right after the limit and cancels the stream: nothing is buffered past one chunk', async () => {
    const { stream, seen } = endlessBody(64 * KIB);
    const error = await failureOf(readBodyText(new Response(stream), 1024 * KIB, context));
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBodySize: 1024 * KIB, receivedBytes: 1024 * KIB + 64 * KIB });
    expect(seen.pulls).toBe(17);
    expect(seen.cancelled).toBe(true);
  });

  it('fails on a content-length above the limit before reading a byte', async () => {
    const { stream, seen } = endlessBody(KIB);
    const response = new Response(stream, { headers: { 'content-length': '5000' } });
    const error = await failureOf(readBodyText(response, 4096, context));
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBodySize: 4096, contentLength: 5000, receivedBytes: 0 });
    expect((error as Error).message).toBe(
      'GET https://h/x returned a body larger than maxBodySize (4096 bytes): content-length is 5000, nothing read',
    );
    expect(seen.pulls).toBe(0);
    expect(seen.cancelled).toBe(true);
  });

  it.each([['gzip'], ['br'], ['gzip, identity']])(
    'counts the bytes rather than trusting content-length under content-encoding: %s',
    async (encoding) => {
      // The header counts compressed bytes; the stream holds what fetch decompressed.
      const small = new Response('{"a":1}', { headers: { 'content-encoding': encoding, 'content-length': '999999' } });
      expect(await readBodyText(small, 100, context)).toBe('{"a":1}');
      const { stream } = endlessBody(KIB);
      const large = new Response(stream, { headers: { 'content-encoding': encoding, 'content-length': '10' } });
      expect(await failureOf(readBodyText(large, 4 * KIB, context))).toMatchObject({ receivedBytes: 5 * KIB, contentLength: undefined });
    },
  );

  it.each([['identity'], [' Identity ']])('trusts content-length with content-encoding %j', async (encoding) => {
    const response = new Response('x', { headers: { 'content-encoding': encoding, 'content-length': '5000' } });
    expect(await failureOf(readBodyText(response, 4096, context))).toMatchObject({ contentLength: 5000 });
  });

  it('reads a network body whose length is declared within the limit with the platform\'s text(), without touching the stream', async () => {
    // What fetch hands out for an answer off the network: HTTP/1.1 frames its body by that length.
    const response = Object.defineProperty(new Response('{"a":1}', { headers: { 'content-length': '7' } }), 'type', { value: 'basic' });
    const text = vi.spyOn(response, 'text');
    const body = vi.spyOn(response, 'body', 'get');
    expect(await readBodyText(response, 100, context)).toBe('{"a":1}');
    expect(text).toHaveBeenCalledTimes(1);
    expect(body).not.toHaveBeenCalled();
  });

  it('counts the bytes of a Response made in code, whatever length it declares', async () => {
    // An interceptor's Response can declare any length over any body.
    const response = new Response('x'.repeat(2048), { headers: { 'content-length': '10' } });
    expect(await failureOf(readBodyText(response, 1024, context))).toMatchObject({ maxBodySize: 1024, receivedBytes: 2048 });
  });

  it.each([['not a number'], ['-1'], ['1e9'], ['']])('ignores a content-length of %j and counts', async (length) => {
    const response = new Response('x'.repeat(10), { headers: { 'content-length': length } });
    expect(await readBodyText(response, 10, context)).toBe('x'.repeat(10));
  });
});
