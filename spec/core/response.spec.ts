import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, ParseError } from '../../src/core/body-errors.js';
import { DEFAULTS } from '../../src/core/constants.js';
import { HttpError } from '../../src/core/errors.js';
import type { AttemptContext } from '../../src/core/context.js';
import { checkStatus, emitResponse, readJson } from '../../src/core/response.js';

const context: AttemptContext = { target: { method: 'GET', url: 'https://h/x' }, attempt: 2 };

describe('checkStatus', () => {
  it.each([200, 204, 301, 304, 399])('lets %i through', (status) => {
    expect(() => checkStatus(new Response(null, { status }), context)).not.toThrow();
  });

  it.each([400, 404, 429, 500, 503])('throws HttpError for %i, with the attempt', (status) => {
    expect(() => checkStatus(new Response(null, { status }), context)).toThrow(HttpError);
    try {
      checkStatus(new Response(null, { status }), context);
    } catch (error) {
      expect(error).toMatchObject({ status, attempts: 2, method: 'GET', url: 'https://h/x' });
    }
  });
});

describe('emitResponse', () => {
  it('emits the response itself, body unread', async () => {
    const response = new Response('body');
    expect(await lastValueFrom(from(emitResponse(response, context)))).toBe(response);
    expect(response.bodyUsed).toBe(false);
  });
});

describe('readJson', () => {
  it.each([
    ['an object', 200, '{"a":1}', { a: 1 }],
    ['an array', 200, '[1,2]', [1, 2]],
    ['a string', 200, '"s"', 's'],
    ['null', 200, 'null', null],
    ['a 204', 204, null, undefined],
    ['a 205', 205, null, undefined],
    ['an empty body', 200, '', undefined],
    ['a blank body', 201, ' \r\n\t', undefined],
  ])('parses %s', async (_name, status, body, expected) => {
    expect(await readJson(new Response(body, { status }), context)).toEqual(expected);
  });

  it('fails with ParseError naming JSON, the status and an excerpt', async () => {
    const error = await Promise.resolve(readJson(new Response('<!doctype html>', { status: 200 }), context)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({ status: 200, attempts: 2 });
    expect((error as Error).message).toBe('GET https://h/x returned a body that is not valid JSON (body starts with "<!doctype html>")');
  });

  it('reads at most context.maxBodySize bytes, and the default limit without one', async () => {
    const error = await Promise.resolve(readJson(new Response('[1,2,3]'), { ...context, maxBodySize: 6 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBodySize: 6, receivedBytes: 7, attempts: 2 });
    expect(await readJson(new Response('[1,2,3]'), { ...context, maxBodySize: 7 })).toEqual([1, 2, 3]);
    const declared = new Response('[]', { headers: { 'content-length': String(DEFAULTS.maxBodySize + 1) } });
    await expect(Promise.resolve(readJson(declared, context))).rejects.toMatchObject({ maxBodySize: DEFAULTS.maxBodySize });
  });

  it('checks the status before reading the body', async () => {
    const response = new Response('{"error":"x"}', { status: 500 });
    await expect(Promise.resolve(readJson(response, context))).rejects.toBeInstanceOf(HttpError);
    expect(response.bodyUsed).toBe(false);
  });
});
