import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { decodeLines, LineSplitter } from '../../src/streams/lines.js';

const encode = (text: string) => new TextEncoder().encode(text);

describe('LineSplitter', () => {
  it.each([
    ['LF', ['a\nb\n'], ['a', 'b']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['CR', ['a\rb\r'], ['a', 'b']],
    ['mixed ends', ['a\rb\nc\r\nd'], ['a', 'b', 'c', 'd']],
    ['empty lines are lines', ['\n\na\n\n'], ['', '', 'a', '']],
    ['a CRLF split across pieces is one end', ['a\r', '\nb'], ['a', 'b']],
    ['a CR at the end then a CR', ['a\r', '\rb'], ['a', '', 'b']],
    ['an empty piece between CR and LF', ['a\r', '', '\nb'], ['a', 'b']],
    ['a line across three pieces', ['ab', 'cd', 'e\nf'], ['abcde', 'f']],
    ['no end at all', ['abc'], ['abc']],
    ['nothing', [''], []],
    ['a final end gives no empty line', ['a\n'], ['a']],
  ])('%s', (_name, pieces, lines) => {
    const splitter = new LineSplitter();
    const seen = pieces.flatMap((piece) => splitter.push(piece));
    expect([...seen, ...splitter.end()]).toEqual(lines);
  });

  it('gives each line as soon as it is complete', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\nb')).toEqual(['a']);
    expect(splitter.push('c\r')).toEqual(['bc']);
    expect(splitter.push('\nd')).toEqual([]);
    expect(splitter.end()).toEqual(['d']);
  });
});

describe('decodeLines', () => {
  it('emits lines as the chunks complete them (marbles)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const chunks = cold('a-b-c|', { a: encode('one\ntw'), b: encode('o\nthr'), c: encode('ee') });
      expectObservable(chunks.pipe(decodeLines())).toBe('a-b--(c|)', { a: 'one', b: 'two', c: 'three' });
    });
  });

  it('decodes a character split across chunks, drops a BOM, replaces bad bytes', async () => {
    const bytes = encode('\uFEFFé€\n');
    const chunks = [bytes.slice(0, 4), bytes.slice(4, 6), bytes.slice(6), new Uint8Array([0xff, 0x0a])];
    expect(await lastValueFrom(from(chunks).pipe(decodeLines(), toArray()))).toEqual(['é€', '\uFFFD']);
  });

  it('starts afresh for each subscription', async () => {
    const lines$ = from([encode('a\nb')]).pipe(decodeLines(), toArray());
    expect(await lastValueFrom(lines$)).toEqual(['a', 'b']);
    expect(await lastValueFrom(lines$)).toEqual(['a', 'b']);
  });
});
