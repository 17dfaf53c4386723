import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError } from '../../src/core/body-errors.js';
import { DEFAULTS } from '../../src/core/constants.js';
import { bodySizeLimit, decodeLines, LineSplitter, readLines, utf8Length } from '../../src/streams/lines.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';

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

describe('LineSplitter with a longest line', () => {
  it.each<[string, number, string[], string[], number | undefined]>([
    ['a line of exactly the limit', 4, ['abcd\n'], ['abcd'], undefined],
    ['an unterminated line of exactly the limit', 4, ['abcd'], [], undefined],
    ['one byte more', 4, ['abcde'], [], 5],
    ['one byte more, across pieces', 4, ['ab', 'c', 'de'], [], 5],
    ['the lines completed before it are returned', 4, ['ab\ncd\nabcde'], ['ab', 'cd'], 5],
    ['a complete line longer than the limit, within one piece', 4, ['abcdefg\nh\n'], [], 7],
    ['each end starts the count again (LF, CRLF, CR)', 2, ['ab\ncd\r\nef\rgh'], ['ab', 'cd', 'ef'], undefined],
    ['counted in UTF-8 bytes: é is 2, € is 3', 6, ['éé€'], [], 7],
    ['an emoji (a surrogate pair) is 4', 3, ['\u{1F600}'], [], 4],
  ])('%s', (_name, limit, pieces, lines, overflow) => {
    const splitter = new LineSplitter(limit);
    expect(pieces.flatMap((piece) => splitter.push(piece))).toEqual(lines);
    expect(splitter.overflowBytes).toBe(overflow);
  });

  it('takes nothing more once a line passed the limit', () => {
    const splitter = new LineSplitter(2);
    splitter.push('abc');
    expect(() => splitter.push('\n')).toThrow(RangeError);
    expect(() => splitter.end()).toThrow(RangeError);
  });
});

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['ascii', 5],
    ['é', 2],
    ['€', 3],
    ['\u{1F600}', 4],
    ['a\uFFFDb', 5],
  ])('%j is %i bytes, as TextEncoder says', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(new TextEncoder().encode(text).byteLength).toBe(bytes);
  });
});

describe('decodeLines with a longest line (marbles)', () => {
  const tooLarge = (receivedBytes: number) => ({ receivedBytes });

  it('errors as soon as the line in progress passes the limit, after the lines before it, and stops reading', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks = cold('a---b---c---d|', { a: encode('one\ntw'), b: encode('o\nthree\nxx'), c: encode('xxxxxxxx'), d: encode('\n') });
      const lines$ = chunks.pipe(decodeLines({ maxBytes: 8, tooLarge }));
      // 'xx', then 8 more: 10 bytes of the line have come when it passes the limit.
      expectObservable(lines$).toBe('a---(bc)#', { a: 'one', b: 'two', c: 'three' }, { receivedBytes: 10 });
      expectSubscriptions(chunks.subscriptions).toBe('^-------!');
    });
  });

  it('the last line, unterminated, is limited too', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const chunks = cold('a|', { a: encode('ok\nlonger than eight') });
      expectObservable(chunks.pipe(decodeLines({ maxBytes: 8, tooLarge }))).toBe('(a#)', { a: 'ok' }, { receivedBytes: 17 });
    });
  });
});

describe('readLines: the longest line is maxBodySize', () => {
  const target = { method: 'GET', url: 'https://h/logs' };
  const body = (...pieces: string[]) => new Response(new Blob(pieces).stream(), { status: 200 });

  it('errors with BodyTooLargeError (the status, the limit, the bytes of the line) and cancels the body', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(encode('short\n0123456789')),
      cancel: () => {
        cancelled = true;
      },
    });
    const recording = record(readLines(new Response(stream, { status: 206 }), { target, attempt: 2, maxBodySize: 8 }));
    await until(recording.done);
    expect(recording.values).toEqual(['short']);
    expect(recording.error).toBeInstanceOf(BodyTooLargeError);
    expect(recording.error).toMatchObject({ status: 206, maxBodySize: 8, receivedBytes: 10, attempts: 2, method: 'GET', url: 'https://h/logs' });
    expect(cancelled).toBe(true);
  });

  it('a body far larger than the limit is fine when its lines are not', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')}`);
    expect(await lastValueFrom(readLines(body(lines.join('\n')), { target, attempt: 1, maxBodySize: 8 }).pipe(toArray()))).toEqual(lines);
  });

  it('no maxBodySize in the context: DEFAULTS.maxBodySize', () => {
    expect(bodySizeLimit(new Response(''), { target, attempt: 1 }).maxBytes).toBe(DEFAULTS.maxBodySize);
    expect(bodySizeLimit(new Response(''), { target, attempt: 1, maxBodySize: 8 }).maxBytes).toBe(8);
  });

  it('false (Infinity): no limit', async () => {
    expect(await lastValueFrom(readLines(body('x'.repeat(64)), { target, attempt: 1, maxBodySize: Infinity }))).toBe('x'.repeat(64));
  });
});

describe('decodeLines over a source that emits synchronously', () => {
  it('ends with the limit error and takes nothing more: no uncaught error from the chunks after it', async () => {
    const tooLarge = (receivedBytes: number) => Object.assign(new Error('too large'), { receivedBytes });
    const lines$ = from([encode('ok\nabcdefghij\n'), encode('more\n'), encode('still more\n')]).pipe(decodeLines({ maxBytes: 4, tooLarge }), toArray());
    await expect(lastValueFrom(lines$)).rejects.toMatchObject({ message: 'too large' });
  });
});
