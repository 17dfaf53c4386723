// Issue 16: withValidation() checks a one-value JSON read (getJson, the JSON writes) with any Standard Schema v1
// validator, after the retries and within the deadline. Each validator library runs the same cases.
import { type } from 'arktype';
import nock from 'nock';
import { lastValueFrom, type Observable } from 'rxjs';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import {
  AsyncAPIClient,
  ConfigurationError,
  isValidationError,
  postJson,
  sendJson,
  TimeoutError,
  ValidationError,
  withDeadline,
  withEvents,
  withValidation,
  type StandardSchemaV1,
} from '../../src/index.js';
import { validate } from '../../src/features/validation/index.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';
import { useVirtualTime, watch } from '../support/watch.js';

const ORIGIN = 'http://api.test';
const JSON_HEADERS = { 'content-type': 'application/json' };

/** A nock endpoint that answers every hit with `body` (JSON) and counts the hits. */
function serve(path: string, body: unknown, status = 200, method = 'GET') {
  const counter = { hits: 0 };
  nock(ORIGIN)
    .persist()
    .intercept(path, method)
    .query(true)
    .reply(() => {
      counter.hits += 1;
      return [status, JSON.stringify(body), JSON_HEADERS];
    });
  return counter;
}

afterEach(() => {
  nock.cleanAll();
  vi.useRealTimers();
});

const client = () => new AsyncAPIClient({ baseUrl: ORIGIN }, withValidation());
const ITEM = { id: 7, name: 'lamp', tags: ['a', 'b'] };

// The same shape in each library: { id: number, name: string, tags: string[] }.
const ITEMS = {
  zod: z.object({ id: z.number(), name: z.string(), tags: z.array(z.string()) }),
  valibot: v.object({ id: v.number(), name: v.string(), tags: v.array(v.string()) }),
  arktype: type({ id: 'number', name: 'string', tags: 'string[]' }),
} as const;

describe.each(Object.entries(ITEMS))('getJson with a %s schema', (_library, schema) => {
  it('emits the data when it matches', async () => {
    serve('/items/7', ITEM);
    expect(await lastValueFrom(client().getJson('/items/7', undefined, { schema }))).toEqual(ITEM);
  });

  it('fails with ValidationError: the issues and their paths, the method and URL without query; not retried', async () => {
    // A 5xx would be retried; the data is final, so one hit only.
    const endpoint = serve('/items/7', { id: '7', name: 'lamp', tags: ['a', 3] });
    const error = await lastValueFrom(client().getJson('/items/7', { key: 'secret-key' }, { schema })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(isValidationError(error)).toBe(true);
    const failure = error as ValidationError;
    expect(endpoint.hits).toBe(1);
    expect(failure).toMatchObject({ name: 'ValidationError', method: 'GET', url: `${ORIGIN}/items/7`, attempts: 1 });
    expect(failure.issues.map((issue) => issue.path)).toEqual([['id'], ['tags', 1]]);
    expect(failure.message).toMatch(new RegExp(`^GET ${ORIGIN}/items/7 returned data that does not match its schema: id: .+; tags\\[1\\]: .+$`));
    expect(failure.message).not.toContain('secret-key');
    expect(failure.line).toBeUndefined();
  });
});

describe('what a schema changes', () => {
  it('transforms: the output, of another type than the input, is what is emitted', async () => {
    serve('/when', { at: '2026-12-02T10:00:00Z', count: '12' });
    const schemas = [
      z.object({ at: z.iso.datetime().transform((s) => new Date(s)), count: z.string().transform(Number) }),
      v.object({ at: v.pipe(v.string(), v.isoTimestamp(), v.transform((s) => new Date(s))), count: v.pipe(v.string(), v.transform(Number)) }),
      type({ at: type('string.date.iso.parse'), count: 'string.numeric.parse' }),
    ];
    for (const schema of schemas) {
      const value = await lastValueFrom(client().getJson('/when', undefined, { schema }));
      expect(value).toEqual({ at: new Date('2026-12-02T10:00:00Z'), count: 12 });
    }
  });

  it.each([
    ['zod', z.object({ name: z.string().refine(async (name) => name !== 'taken', 'the name is taken') })],
    ['valibot', v.objectAsync({ name: v.pipeAsync(v.string(), v.checkAsync(async (name) => name !== 'taken', 'the name is taken')) })],
  ])('async refinements (%s): awaited, and their issues fail the read', async (_library, schema) => {
    serve('/free', { name: 'free' });
    serve('/taken', { name: 'taken' });
    expect(await lastValueFrom(client().getJson('/free', undefined, { schema }))).toEqual({ name: 'free' });
    const error = (await lastValueFrom(client().getJson('/taken', undefined, { schema })).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ message: 'the name is taken', path: ['name'] }]);
  });

  it('a read without a schema is not checked, on a client with the feature', async () => {
    serve('/anything', { id: 'x' });
    expect(await lastValueFrom(client().getJson('/anything'))).toEqual({ id: 'x' });
  });

  it('the JSON writes check their reply', async () => {
    const Created = z.object({ id: z.number() });
    const endpoint = serve('/items', { id: 'new' }, 201, 'POST');
    const error = await lastValueFrom(postJson(client(), '/items', { name: 'lamp' }, { schema: Created })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ method: 'POST', url: `${ORIGIN}/items` });
    expect(endpoint.hits).toBe(1);
    serve('/items/7', { id: 7 }, 200, 'DELETE');
    expect(await lastValueFrom(sendJson(client(), 'DELETE', '/items/7', undefined, { schema: Created }))).toEqual({ id: 7 });
  });
});

describe('the message', () => {
  const target = { method: 'GET', url: `${ORIGIN}/x` };
  const issues = (n: number) => Array.from({ length: n }, (_, i) => ({ message: `problem ${i}`, path: ['items', i, { key: 'name' }] }));

  it('lists the first three issues with their paths, and counts the rest', () => {
    const error = new ValidationError(issues(5), target, 2);
    expect(error.message).toBe(
      `GET ${ORIGIN}/x returned data that does not match its schema: items[0].name: problem 0; items[1].name: problem 1; items[2].name: problem 2 (and 2 more)`,
    );
    expect(error.issues[4]).toEqual({ message: 'problem 4', path: ['items', 4, 'name'] });
    expect(error.attempts).toBe(2);
  });

  it('cuts a long issue short (a validator may quote the value), keeps only message and path, and names the item', () => {
    const long = { message: `Expected number, received "${'x'.repeat(500)}"`, path: [], input: 'x'.repeat(500) };
    const error = new ValidationError([long], target, 1, { line: 4 });
    expect(error.message).toBe(`GET ${ORIGIN}/x returned data that does not match its schema (line 4): ${long.message.slice(0, 80)}…`);
    expect(error.issues).toEqual([{ message: long.message, path: [] }]);
    expect(error.line).toBe(4);
    expect(new ValidationError([{ message: 'bad' }], target, 1, { event: 2 }).message).toContain('(event 2): bad');
  });
});

describe('misconfiguration, before anything is sent', () => {
  it('a schema on a client without withValidation() names the fix', async () => {
    const endpoint = serve('/items', []);
    const plain = new AsyncAPIClient({ baseUrl: ORIGIN });
    const error = await lastValueFrom(plain.getJson('/items', undefined, { schema: z.array(z.number()) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe('schema needs the withValidation() feature: new AsyncAPIClient(options, withValidation())');
    expect(endpoint.hits).toBe(0);
  });

  it.each([
    ['a schema that is not a Standard Schema', { schema: { parse: () => 1 } }, /schema must be a Standard Schema v1 validator/],
    ['onInvalid on a one-value read', { schema: z.number(), onInvalid: (): void => undefined }, /onInvalid must be a function .* to a stream/],
    ['onInvalid without a schema', { onInvalid: (): void => undefined }, /onInvalid must be a function .* given with a schema/],
  ])('%s', async (_case, options, message) => {
    const endpoint = serve('/items', []);
    const error = await lastValueFrom(client().getJson('/items', undefined, options as never)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(endpoint.hits).toBe(0);
  });
});

describe('where validation runs: after the retries, inside the deadline, outside the per-attempt timeout', () => {
  beforeEach(useVirtualTime);

  let checks = 0;
  /** A schema whose check takes `ms` of (virtual) time, then passes the value on; `checks` counts the checks begun. */
  const slow = (ms: number): StandardSchemaV1<unknown, unknown> => ({
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) => {
        checks += 1;
        return new Promise((resolve) => setTimeout(() => resolve({ value }), ms));
      },
    },
  });

  it('a check slower than the per-attempt timeout is no timeout', async () => {
    serve('/slow', { ok: true });
    checks = 0;
    const recording = record(new AsyncAPIClient({ baseUrl: ORIGIN, timeout: 1_000 }, withValidation()).getJson('/slow', undefined, { schema: slow(5_000) }));
    await until(() => checks === 1);
    await vi.advanceTimersByTimeAsync(5_000);
    await until(recording.done);
    expect(recording.values).toEqual([{ ok: true }]);
  });

  it('the deadline covers the check', async () => {
    serve('/slow', { ok: true });
    const events = withEvents();
    const seen = watch(events);
    const slowClient = new AsyncAPIClient({ baseUrl: ORIGIN }, withValidation(), withDeadline(2_000), events);
    const recording = record(slowClient.getJson('/slow', undefined, { schema: slow(5_000) }));
    await until(() => seen.ofType('response').length === 1);
    await vi.advanceTimersByTimeAsync(2_000);
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(TimeoutError);
    expect(recording.error).toMatchObject({ scope: 'deadline' });
    expect(seen.events.at(-1)).toMatchObject({ type: 'giveUp', error: recording.error });
  });

  it('unsubscribing during an async check ends the request as a cancel: nothing is emitted', async () => {
    serve('/slow', { ok: true });
    const events = withEvents();
    const seen = watch(events);
    const recording = record(new AsyncAPIClient({ baseUrl: ORIGIN }, withValidation(), events).getJson('/slow', undefined, { schema: slow(5_000) }));
    await until(() => seen.ofType('response').length === 1);
    recording.subscription.unsubscribe();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(recording.values).toEqual([]);
    expect(recording.done()).toBe(false);
    expect(seen.ofType('cancel')).toHaveLength(1);
  });
});

describe('validate', () => {
  const fail = (issues: readonly StandardSchemaV1.Issue[]) => new Error(issues.map((issue) => issue.message).join());
  const positive: StandardSchemaV1<unknown, number> = {
    '~standard': { version: 1, vendor: 'test', validate: (value) => (typeof value === 'number' && value > 0 ? { value: value * 2 } : { issues: [{ message: 'not positive' }] }) },
  };

  it('a synchronous schema answers at once, on subscription', () => {
    const values: number[] = [];
    const checked$ = validate(positive, 2, fail);
    expect(values).toEqual([]);
    checked$.subscribe((value) => values.push(value));
    expect(values).toEqual([4]);
  });

  it('issues become the error that fail makes', () => {
    const recording = record(validate(positive, -1, fail));
    expect((recording.error as Error).message).toBe('not positive');
  });
});

describe('types follow the schema', () => {
  it('getJson and the writes emit the output type, inferred; without a schema, the generic stays', () => {
    const api = client();
    expectTypeOf(api.getJson('/x', undefined, { schema: ITEMS.zod })).toEqualTypeOf<Observable<{ id: number; name: string; tags: string[] }>>();
    expectTypeOf(api.getJson('/x', undefined, { schema: z.string().transform(Number) })).toEqualTypeOf<Observable<number>>();
    expectTypeOf(api.getJson('/x', undefined, { schema: v.pipe(v.string(), v.transform((s) => new Date(s))) })).toEqualTypeOf<Observable<Date>>();
    expectTypeOf(api.getJson('/x', undefined, { schema: type('string.numeric.parse') })).toEqualTypeOf<Observable<number>>();
    expectTypeOf(api.getJson<{ a: 1 }>('/x')).toEqualTypeOf<Observable<{ a: 1 }>>();
    expectTypeOf(api.getJson('/x')).toEqualTypeOf<Observable<unknown>>();
    expectTypeOf(postJson(api, '/x', {}, { schema: z.object({ id: z.number() }) })).toEqualTypeOf<Observable<{ id: number }>>();
    expectTypeOf(sendJson(api, 'PUT', '/x', {}, { schema: z.boolean() })).toEqualTypeOf<Observable<boolean>>();
    expectTypeOf(postJson<{ id: string }>(api, '/x', {})).toEqualTypeOf<Observable<{ id: string }>>();
  });
});
