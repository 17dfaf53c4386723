// Properties of LineDecoder (fast-check): however a body is cut into chunks, and whatever its bytes (characters
// split across chunks, bad bytes, BOMs, every kind of line end), its lines are those of the whole body decoded at
// once by TextDecoder and split on \n, \r\n and \r. push() decodes the whole lines of a chunk on their own; this
// says that changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../../src/streams/lines.js';

const bytesOf = (...values: number[]) => values;
// Line ends, ASCII, characters of 2, 3 and 4 bytes, a BOM, and bytes that are no UTF-8 (alone, or a character cut short).
const piece = fc.constantFrom(
  bytesOf(0x0a), bytesOf(0x0d), bytesOf(0x0d, 0x0a), bytesOf(0x61), bytesOf(0x7b, 0x22, 0x7d), bytesOf(0xc3, 0xa9), bytesOf(0xe2, 0x82, 0xac),
  bytesOf(0xf0, 0x9f, 0x98, 0x80), bytesOf(0xef, 0xbb, 0xbf), bytesOf(0xff), bytesOf(0x80), bytesOf(0xc3), bytesOf(0xe2, 0x82), bytesOf(0xf0, 0x9f, 0x98), bytesOf(0xed, 0xa0, 0x80),
);
const body = fc.array(piece, { maxLength: 60 }).map((pieces) => new Uint8Array(pieces.flat()));
/** A body and where it is cut into chunks (empty chunks too). */
const chunked = body.chain((bytes) => fc.tuple(fc.constant(bytes), fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 8 }).map((cuts) => cuts.sort((a, b) => a - b))));

const chunksOf = (bytes: Uint8Array, cuts: readonly number[]) => [...cuts, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1]!, end));

describe('LineDecoder (properties)', () => {
  it('gives the lines of the whole body decoded at once, however it is cut into chunks', () => {
    fc.assert(
      fc.property(chunked, ([bytes, cuts]) => {
        const whole = new LineDecoder();
        const expected = [...whole.split(new TextDecoder().decode(bytes)), ...whole.end()];
        const decoder = new LineDecoder();
        const lines = chunksOf(bytes, cuts).flatMap((chunk) => decoder.push(chunk));
        expect([...lines, ...decoder.end()]).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('with a longest line: the same lines up to the first that passes it, and then fails', () => {
    const tooLarge = (receivedBytes: number) => ({ receivedBytes });
    fc.assert(
      fc.property(chunked, fc.integer({ min: 0, max: 12 }), ([bytes, cuts], maxBytes) => {
        const whole = new LineDecoder({ maxBytes, tooLarge });
        const expected = [...whole.split(new TextDecoder().decode(bytes)), ...whole.end()];
        const decoder = new LineDecoder({ maxBytes, tooLarge });
        const lines = chunksOf(bytes, cuts).flatMap((chunk) => decoder.push(chunk));
        expect([...lines, ...decoder.end()]).toEqual(expected);
        expect(decoder.failed === undefined).toBe(whole.failed === undefined);
      }),
      { numRuns: 5000 },
    );
  });
});
