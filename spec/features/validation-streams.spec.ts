// Issue 16: withValidation() on the reads of many values: each ndjson item (its line), each sse event's data
// (its number), each page of paginate. Real loopback servers, on both transports.
import { type } from 'arktype';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { AsyncAPIClient, ndjson, paginate, ParseError, sse, ValidationError, withValidation, type ServerSentEvent, type StandardSchemaV1 } from '../../src/index.js';
import { record } from '../support/record.js';
import { JOBS, validationServers } from '../support/validation-servers.js';
import { until } from '../support/until.js';

const servers = validationServers();
const { feed } = servers;

describe.each(Object.entries(JOBS))('ndjson with a %s schema', (_library, schema) => {
  it('emits the items before the first invalid one, then ends with ValidationError at its line, and closes the feed', async () => {
    // Line 2 is blank (counted, skipped), line 4 is the invalid item; line 5 is never emitted.
    const client = await feed('application/x-ndjson', '{"id":1}\n\n{"id":2}\n{"id":"three"}\n{"id":4}\n');
    const recording = record(ndjson(client, '/jobs', { key: 'secret' }, { schema }));
    await until(recording.done);
    expect(recording.values).toEqual([{ id: 1 }, { id: 2 }]);
    const error = recording.error as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ line: 4, method: 'GET', url: `${servers.server.origin}/jobs`, attempts: 1 });
    expect(error.issues.map((issue) => issue.path)).toEqual([['id']]);
    expect(error.message).toMatch(new RegExp(`^GET ${servers.server.origin}/jobs returned data that does not match its schema \\(line 4\\): id: `));
    await until(() => servers.server.hits[0]!.closedEarly);
    expect(servers.server.hits).toHaveLength(1);
  });
});

describe('ndjson with a schema', () => {
  it('transforms: each item is the schema output', async () => {
    const client = await feed('application/x-ndjson', '{"at":"2026-12-02T10:00:00Z"}\n{"at":"2026-12-03T10:00:00Z"}\n', true);
    const Stamp = z.object({ at: z.iso.datetime().transform((s) => new Date(s)) });
    const items = await lastValueFrom(ndjson(client, '/stamps', undefined, { schema: Stamp }).pipe(toArray()));
    expect(items).toEqual([{ at: new Date('2026-12-02T10:00:00Z') }, { at: new Date('2026-12-03T10:00:00Z') }]);
  });

  it('async checks keep the items in order, one check at a time', async () => {
    const client = await feed('application/x-ndjson', '{"id":3}\n{"id":2}\n{"id":1}\n', true);
    let running = 0;
    let most = 0;
    // The first item's check is the slowest: a check started before it ended would overtake it. (A schema of our
    // own: zod's ~standard.validate runs an async refinement twice, once in its synchronous try.)
    const Job: StandardSchemaV1<unknown, unknown> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          most = Math.max(most, (running += 1));
          await new Promise((resolve) => setTimeout(resolve, (value as { id: number }).id * 5));
          running -= 1;
          return { value };
        },
      },
    };
    const items = await lastValueFrom(ndjson(client, '/jobs', undefined, { schema: Job }).pipe(toArray()));
    expect(items).toEqual([{ id: 3 }, { id: 2 }, { id: 1 }]);
    expect(most).toBe(1);
  });

  it('onInvalid: invalid items are skipped and reported with their lines, and the stream goes on', async () => {
    const client = await feed('application/x-ndjson', '{"id":1}\n{"id":"x"}\n{"id":3}\n{}\n{"id":5}\n', true);
    const skipped: ValidationError[] = [];
    const items = await lastValueFrom(ndjson(client, '/jobs', undefined, { schema: JOBS.zod, onInvalid: (error) => skipped.push(error) }).pipe(toArray()));
    expect(items).toEqual([{ id: 1 }, { id: 3 }, { id: 5 }]);
    expect(skipped.map((error) => error.line)).toEqual([2, 4]);
  });

  it('unsubscribing during an async check cancels the body: the server sees the connection close', async () => {
    const client = await feed('application/x-ndjson', '{"id":1}\n');
    let started = false;
    const never: StandardSchemaV1<unknown, unknown> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          started = true;
          return new Promise(() => undefined);
        },
      },
    };
    const recording = record(ndjson(client, '/jobs', undefined, { schema: never }));
    await until(() => started);
    recording.subscription.unsubscribe();
    await until(() => servers.server.hits[0]!.closedEarly);
    expect(recording.values).toEqual([]);
  });
});

describe('sse with a schema', () => {
  const Price = z.object({ symbol: z.string(), price: z.number() });

  it("parses each event's data as JSON and emits the schema output as data; an invalid event ends the stream with its number", async () => {
    const client = await feed(
      'text/event-stream',
      'id: 1\ndata: {"symbol":"A","price":1}\n\n: a comment\n\ndata: {"symbol":"B",\ndata: "price":2}\n\ndata: {"symbol":"C","price":"3"}\n\n',
    );
    const recording = record(sse(client, '/prices', undefined, { schema: Price }));
    await until(recording.done);
    expect(recording.values.map((event) => event.data)).toEqual([
      { symbol: 'A', price: 1 },
      { symbol: 'B', price: 2 },
    ]);
    expect(recording.values[1]).toMatchObject({ id: '1', event: 'message' });
    expect(recording.error).toBeInstanceOf(ValidationError);
    expect(recording.error).toMatchObject({ event: 3, issues: [{ path: ['price'] }] });
    await until(() => servers.server.hits[0]!.closedEarly);
    expect(servers.server.hits).toHaveLength(1);
  });

  it('events are numbered over every connection of the stream', async () => {
    await servers.serve((_req, res, hit) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The first connection sends one event and drops (an end would complete the stream); the second sends a bad one.
      if (servers.server.hits.indexOf(hit) === 0) res.write('id: 1\ndata: {"symbol":"A","price":1}\n\n', () => setTimeout(() => res.socket?.destroy(), 20));
      else res.write('id: 2\ndata: {"symbol":"B"}\n\n');
    });
    const client = new AsyncAPIClient({ baseUrl: servers.server.origin, retry: { baseDelay: 1 } }, withValidation());
    const recording = record(sse(client, '/prices', undefined, { schema: Price }));
    await until(recording.done);
    expect(recording.values.map((event) => event.data)).toEqual([{ symbol: 'A', price: 1 }]);
    expect(recording.error).toMatchObject({ name: 'ValidationError', event: 2, attempts: 2 });
    expect(servers.server.hits).toHaveLength(2);
  });

  it('data that is not JSON is a ParseError, not retried', async () => {
    const client = await feed('text/event-stream', 'data: hello\n\n');
    const recording = record(sse(client, '/prices', undefined, { schema: Price }));
    await until(recording.done);
    expect(recording.error).toBeInstanceOf(ParseError);
    expect(servers.server.hits).toHaveLength(1);
  });

  it('without a schema, data stays text', async () => {
    const client = await feed('text/event-stream', 'data: {"a":1}\n\n', true);
    expect(await lastValueFrom(sse(client, '/prices').pipe(toArray()))).toMatchObject([{ data: '{"a":1}' }]);
  });
});

describe('paginate with a schema', () => {
  it('checks each page: the pages before a bad one are emitted, the bad one ends the stream, no page after it is fetched', async () => {
    const pages: Record<string, unknown> = { '1': { items: [1, 2], next: '2' }, '2': { items: [3, 'four'], next: '3' }, '3': { items: [5], next: null } };
    await servers.serve((req, res) => {
      const page = new URL(req.url ?? '', 'http://h').searchParams.get('page') ?? '1';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages[page]));
    });
    const client = new AsyncAPIClient({ baseUrl: servers.server.origin }, withValidation());
    const Page = z.object({ items: z.array(z.number()), next: z.string().transform(Number).nullable() });
    const seenByNext: unknown[] = [];
    const recording = record(
      paginate(client, '/items', { page: 1 }, {
        schema: Page,
        next: (_response, body) => {
          seenByNext.push(body.next);
          return body.next === null ? null : { page: body.next };
        },
      }),
    );
    await until(recording.done);
    expect(recording.values).toEqual([{ items: [1, 2], next: 2 }]);
    // next sees the schema's output (a number), not the raw body.
    expect(seenByNext).toEqual([2]);
    expect(recording.error).toBeInstanceOf(ValidationError);
    expect(recording.error).toMatchObject({ url: `${servers.server.origin}/items`, issues: [{ path: ['items', 1] }] });
    expect(servers.server.hits.map((hit) => hit.url)).toEqual(['/items?page=1', '/items?page=2']);
  });
});

describe('types follow the schema', () => {
  it('ndjson, sse and paginate emit the output type, inferred; without a schema, today\'s types stay', () => {
    const client = new AsyncAPIClient({ baseUrl: 'http://h' }, withValidation());
    const Stamp = z.object({ at: z.string().transform((s) => new Date(s)) });
    expectTypeOf(ndjson(client, '/x', undefined, { schema: Stamp })).toEqualTypeOf<Observable<{ at: Date }>>();
    expectTypeOf(ndjson(client, '/x', undefined, { schema: v.number() })).toEqualTypeOf<Observable<number>>();
    expectTypeOf(ndjson<{ id: 1 }>(client, '/x')).toEqualTypeOf<Observable<{ id: 1 }>>();
    expectTypeOf(ndjson(client, '/x')).toEqualTypeOf<Observable<unknown>>();
    expectTypeOf(sse(client, '/x', undefined, { schema: type({ n: 'number' }) })).toEqualTypeOf<Observable<ServerSentEvent<{ n: number }>>>();
    expectTypeOf(sse(client, '/x')).toEqualTypeOf<Observable<ServerSentEvent>>();
    expectTypeOf(paginate(client, '/x', undefined, { schema: z.array(z.string().transform(Number)) })).toEqualTypeOf<Observable<number[]>>();
    expectTypeOf(paginate<string[]>(client, '/x')).toEqualTypeOf<Observable<string[]>>();
  });
});
