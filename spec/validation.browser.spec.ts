/// <reference types="jasmine" />
// Issue 16 in headless Chromium: withValidation() with zod, valibot and arktype against the real endpoints of
// spec/support/browser-server.cjs (/json answers { ok: true }; /ndjson a line { n } every 20 ms; /pages [page]
// with a Link to the next one).
import { type } from 'arktype';
import { lastValueFrom } from 'rxjs';
import * as v from 'valibot';
import { z } from 'zod';
import { AsyncAPIClient, ndjson, paginate, ValidationError, withValidation } from '../src/index';
import { API, errorOf, uniqueKey, waitForServer } from './support/browser';

const client = () => new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 3, baseDelay: 5 }, timeout: 5000 }, withValidation());

describe('validated data in the browser', () => {
  const OK = { zod: z.object({ ok: z.literal(true) }), valibot: v.object({ ok: v.literal(true) }), arktype: type({ ok: 'true' }) };
  const NOT_OK = { zod: z.object({ ok: z.string() }), valibot: v.object({ ok: v.string() }), arktype: type({ ok: 'string' }) };

  for (const library of ['zod', 'valibot', 'arktype'] as const) {
    it(`${library}: getJson emits the data that matches`, async () => {
      expect(await lastValueFrom(client().getJson('/json', { key: uniqueKey(library) }, { schema: OK[library] }))).toEqual({ ok: true });
    });

    it(`${library}: data that does not match is a ValidationError with its path, not retried`, async () => {
      const key = uniqueKey(`${library}-invalid`);
      const error = (await errorOf(lastValueFrom(client().getJson('/json', { key }, { schema: NOT_OK[library] })))) as ValidationError;
      expect(error instanceof ValidationError).toBe(true);
      expect(error.url).toBe(`${API}/json`);
      expect(error.issues.map((issue) => issue.path)).toEqual([['ok']]);
      expect((await waitForServer(key, (h) => h.hits === 1)).hits).toBe(1);
    });
  }

  it('transforms: the output, of another type, is emitted', async () => {
    const Flag = v.object({ ok: v.pipe(v.boolean(), v.transform((ok) => (ok ? 'yes' : 'no'))) });
    expect(await lastValueFrom(client().getJson('/json', undefined, { schema: Flag }))).toEqual({ ok: 'yes' });
  });

  it('async refinements are awaited', async () => {
    const Refused = z.object({ ok: z.boolean().refine(async (ok) => !ok, 'ok must be false') });
    const error = (await errorOf(lastValueFrom(client().getJson('/json', undefined, { schema: Refused })))) as ValidationError;
    expect(error.issues).toEqual([{ message: 'ok must be false', path: ['ok'] }]);
  });

  it('ndjson: the invalid item at line 3 ends the stream after the first two, and the feed is aborted', async () => {
    const key = uniqueKey('ndjson-invalid');
    const Small = z.object({ n: z.number().max(2) });
    const values: unknown[] = [];
    const error = (await errorOf(
      new Promise((resolve, reject) => ndjson(client(), '/ndjson', { key, n: 5, hang: 1 }, { schema: Small }).subscribe({ next: (item) => values.push(item), error: reject, complete: () => resolve(values) })),
    )) as ValidationError;
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
    expect(error instanceof ValidationError).toBe(true);
    expect(error.line).toBe(3);
    await waitForServer(key, (h) => h.aborted);
  });

  it('paginate: the pages before a bad one are emitted; the bad one ends it, and no page after it is fetched', async () => {
    const key = uniqueKey('pages-invalid');
    const NotTwo = z.array(z.number().refine((page) => page !== 2, 'page 2 is bad'));
    const pages: number[][] = [];
    const error = await errorOf(new Promise((resolve, reject) => paginate(client(), '/pages', { key, last: 3 }, { schema: NotTwo }).subscribe({ next: (page) => pages.push(page), error: reject, complete: () => resolve(pages) })));
    expect(pages).toEqual([[1]]);
    expect(error instanceof ValidationError).toBe(true);
    expect((error as ValidationError).issues).toEqual([{ message: 'page 2 is bad', path: [0] }]);
    expect((await waitForServer(key, (h) => h.hits === 2)).hits).toBe(2);
  });
});
