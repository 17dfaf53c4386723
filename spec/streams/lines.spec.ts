import { concatAll, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError } from '../../src/core/body-errors.js';
import { DEFAULTS } from '../../src/core/constants.js';
import type { AttemptContext } from '../../src/core/context.js';
import { bodySizeLimit, LineDecoder, openLines, utf8Length } from '../../src/streams/lines.js';
import { PLAIN_STREAM, readBatches } from '../../src/streams/mode.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';

const encode = (text: string) => new TextEncoder().encode(text);
const readLines = (response: Response, context: AttemptContext) => readBatches(response, context, { stream: PLAIN_STREAM, open: openLines }).pipe(concatAll());

describe('LineDecoder.split', () => {
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
    const splitter = new LineDecoder();
    const seen = pieces.flatMap((piece) => splitter.split(piece));
    expect([...seen, ...splitter.end()]).toEqual(lines);
  });

  it('gives each line as soon as it is complete', () => {
    const splitter = new LineDecoder();
    expect(splitter.split('a\nb')).toEqual(['a']);
    expect(splitter.split('c\r')).toEqual(['bc']);
    expect(splitter.split('\nd')).toEqual([]);
    expect(splitter.end()).toEqual(['d']);
  });
});

describe('LineDecoder', () => {
  it('gives the lines each chunk completes', () => {
    const decoder = new LineDecoder();
    expect(decoder.push(encode('one\ntw'))).toEqual(['one']);
    expect(decoder.push(encode('o\nthr'))).toEqual(['two']);
    expect(decoder.push(encode('ee'))).toEqual([]);
    expect(decoder.end()).toEqual(['three']);
    expect(decoder.failed).toBeUndefined();
  });

  it('many lines of one chunk come together, CRs or not', () => {
    expect(new LineDecoder().push(encode('a\nb\nc\n'))).toEqual(['a', 'b', 'c']);
    expect(new LineDecoder().push(encode('a\r\nb\rc\n'))).toEqual(['a', 'b', 'c']);
  });

  it('decodes a character split across chunks, drops a BOM, replaces bad bytes', () => {
    const bytes = encode('\uFEFFé€\n');
    const decoder = new LineDecoder();
    const lines = [bytes.slice(0, 4), bytes.slice(4, 6), bytes.slice(6), new Uint8Array([0xff, 0x0a])].flatMap((chunk) => decoder.push(chunk));
    expect([...lines, ...decoder.end()]).toEqual(['é€', '\uFFFD']);
  });

  it.each([
    ['a BOM split across chunks, at the start', '\uFEFFa\n', [1, 2], ['a']],
    ['a U+FEFF after a character completed across chunks (Node 24 dropped it)', '\u{1F600}\uFEFF\n', [2], ['\u{1F600}\uFEFF']],
    ['a U+FEFF that starts a line mid-body', 'a\n\uFEFFb\n', [], ['a', '\uFEFFb']],
    ['two BOMs: only the first is the body\'s', '\uFEFF\uFEFFa\n', [3], ['\uFEFFa']],
  ])('keeps U+FEFF as text but for the body\'s first character: %s', (_name, text, cuts, expected) => {
    const bytes = encode(text);
    const decoder = new LineDecoder();
    const chunks = [0, ...cuts, bytes.length].slice(1).map((end, i, ends) => bytes.slice(i === 0 ? 0 : ends[i - 1], end));
    expect([...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()]).toEqual(expected);
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


describe('LineDecoder with a longest line', () => {
  const tooLarge = (receivedBytes: number) => ({ receivedBytes });

  it('fails as soon as the line in progress passes the limit, after the lines before it', () => {
    const decoder = new LineDecoder({ maxBytes: 8, tooLarge });
    expect(decoder.push(encode('one\ntw'))).toEqual(['one']);
    expect(decoder.push(encode('o\nthree\nxx'))).toEqual(['two', 'three']);
    expect(decoder.failed).toBeUndefined();
    // 'xx', then 8 more: 10 bytes of the line have come when it passes the limit.
    expect(decoder.push(encode('xxxxxxxx'))).toEqual([]);
    expect(decoder.failed).toEqual({ error: { receivedBytes: 10 } });
  });

  it('the last line, unterminated, is limited too', () => {
    const decoder = new LineDecoder({ maxBytes: 8, tooLarge });
    expect(decoder.push(encode('ok\nlonger than eight'))).toEqual(['ok']);
    expect(decoder.failed).toEqual({ error: { receivedBytes: 17 } });
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
