import { Readable } from 'node:stream';

/**
 * The kinds of body that are read as they are sent, and so can be sent only once: [name, a new body of
 * 'part-1,part-2' in two pieces]. For `it.each`: each call makes a fresh body.
 */
export const ONE_SHOT_BODIES: readonly (readonly [string, () => unknown])[] = [
  [
    'an async generator',
    () =>
      (async function* () {
        yield new TextEncoder().encode('part-1,');
        yield new TextEncoder().encode('part-2');
      })(),
  ],
  ['a Node Readable', () => Readable.from([Buffer.from('part-1,'), Buffer.from('part-2')])],
  ['a web ReadableStream', () => new Blob(['part-1,part-2']).stream()],
];
