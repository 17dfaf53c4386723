// Issues 16 and 19: withValidation() on the pull forms. pullNdjson, pullSse and pullPages check their items as
// ndjson, sse and paginate do: the same lines, event numbers and onInvalid, item by item and in .batches().
// Real loopback servers, on both transports.
import { type } from 'arktype';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  AsyncAPIClient,
  ParseError,
  pullNdjson,
  pullPages,
  pullSse,
  ValidationError,
  withValidation,
  type PullStream,
  type ServerSentEvent,
  type StandardSchemaV1,
} from '../../src/index.js';
import { JOBS, validationServers } from '../support/validation-servers.js';
import { until } from '../support/until.js';

const servers = validationServers();
const { feed } = servers;

/** What a `for await` loop over `iterable` took, and what it threw. */
async function loop<T>(iterable: AsyncIterable<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of iterable) values.push(value);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}

describe.each(Object.entries(JOBS))('pullNdjson with a %s schema', (_library, schema) => {
  it('yields the items before the first invalid one, then throws ValidationError at its line and closes the feed', async () => {
    // Line 2 is blank (counted, skipped), line 4 is the invalid item; line 5 is never yielded.
    const client = await feed('application/x-ndjson', '{"id":1}\n\n{"id":2}\n{"id":"three"}\n{"id":4}\n');
    const { values, error } = await loop(pullNdjson(client, '/jobs', { key: 'secret' }, { schema }));
    expect(values).toEqual([{ id: 1 }, { id: 2 }]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ line: 4, method: 'GET', url: `${servers.server.origin}/jobs`, attempts: 1, issues: [{ path: ['id'] }] });
    await until(() => servers.server.hits[0]!.closedEarly);
    expect(servers.server.hits).toHaveLength(1);
  });

  it('.batches(): the same items and error, a batch per chunk', async () => {
    const client = await feed('application/x-ndjson', '{"id":1}\n\n{"id":2}\n{"id":"three"}\n{"id":4}\n');
    const { values, error } = await loop(pullNdjson(client, '/jobs', undefined, { schema }).batches());
    expect(values).toEqual([[{ id: 1 }, { id: 2 }]]);
    expect(error).toMatchObject({ name: 'ValidationError', line: 4 });
    await until(() => servers.server.hits[0]!.closedEarly);
  });
});

describe('pullNdjson with a schema', () => {
  it('onInvalid in .batches(): invalid items are skipped and reported with their lines, no batch is empty, the loop goes on', async () => {
    await servers.serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Three chunks: the second has only invalid items, so its batch would be empty.
      res.write('{"id":1}\n{"id":"x"}\n', () =>
        setTimeout(() => res.write('{}\n{"id":false}\n', () => setTimeout(() => res.end('{"id":5}\n{"id":6}\n'), 20)), 20),
      );
    });
    const client = new AsyncAPIClient({ baseUrl: servers.server.origin }, withValidation());
    const skipped: ValidationError[] = [];
    const { values, error } = await loop(pullNdjson(client, '/jobs', undefined, { schema: JOBS.zod, onInvalid: (e) => skipped.push(e) }).batches());
    expect(error).toBeUndefined();
    expect(values.flat()).toEqual([{ id: 1 }, { id: 5 }, { id: 6 }]);
    expect(values.every((batch) => batch.length > 0)).toBe(true);
    expect(skipped.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('transforms, and async checks keep the items in order, one check at a time', async () => {
    const client = await feed('application/x-ndjson', '{"id":3}\n{"id":2}\n{"id":1}\n', true);
    let running = 0;
    let most = 0;
    // The first item's check is the slowest: a check started before it ended would overtake it.
    const Job: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          most = Math.max(most, (running += 1));
          await new Promise((resolve) => setTimeout(resolve, (value as { id: number }).id * 5));
          running -= 1;
          return { value: (value as { id: number }).id * 10 };
        },
      },
    };
    expect((await loop(pullNdjson(client, '/jobs', undefined, { schema: Job }))).values).toEqual([30, 20, 10]);
    expect(most).toBe(1);
  });

  it('return() during an async check closes the connection and ends the pending step', async () => {
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
    const iterator = pullNdjson(client, '/jobs', undefined, { schema: never })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await until(() => started);
    await iterator.return!();
    await until(() => servers.server.hits[0]!.closedEarly);
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('pullSse with a schema', () => {
  const Price = z.object({ symbol: z.string(), price: z.number() });

  it("yields each event with the schema's output as data; an invalid event ends the loop with its number and closes the feed", async () => {
    const client = await feed(
      'text/event-stream',
      'id: 1\ndata: {"symbol":"A","price":1}\n\n: a comment\n\ndata: {"symbol":"B",\ndata: "price":2}\n\ndata: {"symbol":"C","price":"3"}\n\n',
    );
    const { values, error } = await loop(pullSse(client, '/prices', undefined, { schema: Price }));
    expect(values.map((event) => event.data)).toEqual([
      { symbol: 'A', price: 1 },
      { symbol: 'B', price: 2 },
    ]);
    expect(values[1]).toMatchObject({ id: '1', event: 'message' });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ event: 3, issues: [{ path: ['price'] }] });
    await until(() => servers.server.hits[0]!.closedEarly);
    expect(servers.server.hits).toHaveLength(1);
  });

  it('events are numbered over every connection of the loop, in .batches() too', async () => {
    await servers.serve((_req, res, hit) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The first connection sends one event and drops; the second sends a bad one.
      if (servers.server.hits.indexOf(hit) === 0) res.write('id: 1\ndata: {"symbol":"A","price":1}\n\n', () => setTimeout(() => res.socket?.destroy(), 20));
      else res.write('id: 2\ndata: {"symbol":"B"}\n\n');
    });
    const client = new AsyncAPIClient({ baseUrl: servers.server.origin, retry: { baseDelay: 1 } }, withValidation());
    const { values, error } = await loop(pullSse(client, '/prices', undefined, { schema: Price }).batches());
    expect(values.flat().map((event) => event.data)).toEqual([{ symbol: 'A', price: 1 }]);
    expect(error).toMatchObject({ name: 'ValidationError', event: 2, attempts: 2 });
    expect(servers.server.hits).toHaveLength(2);
  });

  it('onInvalid skips an event and the loop goes on', async () => {
    const client = await feed('text/event-stream', 'data: {"symbol":"A","price":1}\n\ndata: {"symbol":"B"}\n\ndata: {"symbol":"C","price":3}\n\n');
    const skipped: ValidationError[] = [];
    const symbols: string[] = [];
    for await (const { data } of pullSse(client, '/prices', undefined, { schema: Price, onInvalid: (e) => skipped.push(e) })) {
      symbols.push(data.symbol);
      if (data.symbol === 'C') break;
    }
    expect(symbols).toEqual(['A', 'C']);
    expect(skipped.map((e) => e.event)).toEqual([2]);
    await until(() => servers.server.hits[0]!.closedEarly);
  });

  it('data that is not JSON is a ParseError, not retried', async () => {
    const client = await feed('text/event-stream', 'data: hello\n\n');
    const { error } = await loop(pullSse(client, '/prices', undefined, { schema: Price }));
    expect(error).toBeInstanceOf(ParseError);
    expect(servers.server.hits).toHaveLength(1);
  });
});

describe('pullPages with a schema', () => {
  it('checks each page: the pages before a bad one are yielded, the bad one is thrown, no page after it is fetched', async () => {
    const pages: Record<string, unknown> = { '1': { items: [1, 2], next: '2' }, '2': { items: [3, 'four'], next: '3' }, '3': { items: [5], next: null } };
    await servers.serve((req, res) => {
      const page = new URL(req.url ?? '', 'http://h').searchParams.get('page') ?? '1';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages[page]));
    });
    const client = new AsyncAPIClient({ baseUrl: servers.server.origin }, withValidation());
    const Page = z.object({ items: z.array(z.number()), next: z.string().transform(Number).nullable() });
    const seenByNext: unknown[] = [];
    const next = (_response: Response, body: { next: number | null }) => {
      seenByNext.push(body.next);
      return body.next === null ? null : { page: body.next };
    };
    const { values, error } = await loop(pullPages(client, '/items', { page: 1 }, { schema: Page, next }));
    expect(values).toEqual([{ items: [1, 2], next: 2 }]);
    // next sees the schema's output (a number), not the raw body.
    expect(seenByNext).toEqual([2]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ url: `${servers.server.origin}/items`, issues: [{ path: ['items', 1] }] });
    expect(servers.server.hits.map((hit) => hit.url)).toEqual(['/items?page=1', '/items?page=2']);
  });
});

describe('types follow the schema in the pull forms', () => {
  it("pullNdjson, pullSse and pullPages yield the output type; without a schema, the streams branch's types stay", () => {
    const client = new AsyncAPIClient({ baseUrl: 'http://h' }, withValidation());
    const Stamp = z.object({ at: z.string().transform((s) => new Date(s)) });
    expectTypeOf(pullNdjson(client, '/x', undefined, { schema: Stamp })).toEqualTypeOf<PullStream<{ at: Date }>>();
    expectTypeOf(pullNdjson<{ id: 1 }>(client, '/x')).toEqualTypeOf<PullStream<{ id: 1 }>>();
    expectTypeOf(pullSse(client, '/x', undefined, { schema: type({ n: 'number' }) })).toEqualTypeOf<PullStream<ServerSentEvent<{ n: number }>>>();
    expectTypeOf(pullSse(client, '/x')).toEqualTypeOf<PullStream<ServerSentEvent>>();
    expectTypeOf(pullPages(client, '/x', undefined, { schema: z.array(z.string().transform(Number)) })).toEqualTypeOf<AsyncGenerator<number[], void, undefined>>();
    expectTypeOf(pullPages<string[]>(client, '/x')).toEqualTypeOf<AsyncGenerator<string[], void, undefined>>();
  });
});
