// Issue 16, last piece: poll() and pollValues() take a Standard Schema. Each new value, once parsed, is checked
// (withValidation() runs it) and the schema's output is the value; a value it refuses is a failed poll.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { AsyncAPIClient, ConfigurationError, ValidationError, withValidation, type StandardSchemaV1 } from '../../../src/index.js';
import { poll, pollValues, type PollState } from '../../../src/features/poll/poll.js';
import { record } from '../../support/record.js';
import { startServer, type TestServer } from '../../support/server.js';
import { until } from '../../support/until.js';
import { useVirtualTime } from '../../support/virtual-time.js';

/** The loopback API: `/stats` answers `body` with an ETag of it, and 304 to an If-None-Match that matches. */
let server: TestServer;
let body = '{"n":1}';
let answer: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
const etag = () => `"${Buffer.from(body).toString('base64url')}"`;

beforeEach(async () => {
  body = '{"n":1}';
  answer = undefined;
  server = await startServer((req, res) => {
    if (answer) return answer(req, res);
    if (req.headers['if-none-match'] === etag()) return res.writeHead(304, { etag: etag() }).end();
    res.writeHead(200, { 'content-type': 'application/json', etag: etag() }).end(body);
  });
  useVirtualTime();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

// maxAttempts 3: a ValidationError that the client retried would show as more hits.
const clientOf = () => new AsyncAPIClient({ baseUrl: server.origin, retry: { maxAttempts: 3 } }, withValidation());
const last = <T>(states: readonly PollState<T>[]) => states[states.length - 1]!;
/** Waits (real I/O, virtual timers stopped) until the server has had `n` requests and the poll has planned the next. */
const settled = async (n: number, states: readonly PollState<unknown>[]) => {
  await until(() => server.hits.length === n && last(states).nextTryAt !== undefined);
};

const Stats = z.object({ n: z.number() });

/** `schema`, counting the values it is asked to check. */
function counted<S extends StandardSchemaV1>(schema: S): S & { checked: unknown[] } {
  const checked: unknown[] = [];
  const standard = schema['~standard'];
  return Object.assign({ '~standard': { ...standard, validate: (value: unknown) => (checked.push(value), standard.validate(value)) } }, { checked }) as unknown as S & { checked: unknown[] };
}

describe('poll with a schema', () => {
  it('emits the schema’s output as the value, typed from the schema; pollValues too', async () => {
    const client = clientOf();
    const states$ = poll(client, '/stats', { interval: 5_000, schema: Stats });
    expectTypeOf(states$).toEqualTypeOf<Observable<PollState<{ n: number }>>>();
    expectTypeOf(pollValues(client, '/other', { schema: Stats })).toEqualTypeOf<Observable<{ n: number }>>();
    // Without a schema, the generic stays.
    expectTypeOf(poll<{ m: string }>(client, '/stats')).toEqualTypeOf<Observable<PollState<{ m: string }>>>();
    const polling = record(states$);
    await settled(1, polling.values);
    expect(last(polling.values)).toMatchObject({ value: { n: 1 }, stale: false, error: undefined });
    polling.subscription.unsubscribe();
    const values = record(pollValues(client, '/stats', { interval: 5_000, schema: Stats }));
    await until(() => values.values.length === 1);
    expect(values.values).toEqual([{ n: 1 }]);
    values.subscription.unsubscribe();
  });

  it('a transform: the value is the output, of another type than the body’s (zod, and valibot after a custom parse)', async () => {
    body = '{"at":"2026-12-02T15:00:00.000Z","count":"7"}';
    const client = clientOf();
    const zodSchema = z.object({ at: z.iso.datetime().transform((s) => new Date(s)), count: z.string().transform(Number) });
    const states$ = poll(client, '/stats', { interval: 5_000, schema: zodSchema });
    expectTypeOf(states$).toEqualTypeOf<Observable<PollState<{ at: Date; count: number }>>>();
    const polling = record(states$);
    await settled(1, polling.values);
    const { value } = last(polling.values);
    expect(value!.at).toBeInstanceOf(Date);
    expect(value!.at.toISOString()).toBe('2026-12-02T15:00:00.000Z');
    expect(value!.count).toBe(7);
    polling.subscription.unsubscribe();

    // `parse` makes the schema's input (here the body's length); `equal` compares outputs.
    const length = v.pipe(v.number(), v.transform((n) => `${n} bytes`));
    const values$ = pollValues(client, '/stats', { key: 'length', interval: 5_000, parse: (text) => text.length, schema: length, equal: (a, b) => a === b });
    expectTypeOf(values$).toEqualTypeOf<Observable<string>>();
    const values = record(values$);
    await until(() => values.values.length === 1);
    expect(values.values).toEqual([`${body.length} bytes`]);
    values.subscription.unsubscribe();
  });

  it('a value the schema refuses is a failed poll: the last good value stays, stale and error are set, the poll backs off, not retried by the client; then it recovers', async () => {
    const client = clientOf();
    const polling = record(poll(client, '/stats', { interval: 1_000, params: { token: 'q' }, backoff: { baseDelay: 4_000 }, schema: Stats }));
    await settled(1, polling.values);
    const good = last(polling.values).value;

    body = '{"n":"two"}';
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => server.hits.length === 2 && last(polling.values).nextTryAt !== undefined && last(polling.values).stale);
    const failed = last(polling.values);
    expect(failed.value).toBe(good);
    expect(failed.error).toBeInstanceOf(ValidationError);
    const error = failed.error as ValidationError;
    expect(error).toMatchObject({ method: 'GET', url: `${server.origin}/stats`, attempts: 1 });
    expect(error.issues[0]!.path).toEqual(['n']);
    expect(error.message).not.toContain('token');
    // The poll's failure backoff (4 s), not its interval (1 s); and one hit: the client did not retry.
    expect(failed.nextTryAt).toBe(Date.now() + 4_000);
    expect(server.hits).toHaveLength(2);
    // The refused value left no trace: the next poll sends the last good 200's ETag again.
    const goodTag = server.hits[1]!.headers['if-none-match'];

    await vi.advanceTimersByTimeAsync(4_000);
    await until(() => server.hits.length === 3 && last(polling.values).nextTryAt !== undefined);
    expect(server.hits[2]!.headers['if-none-match']).toBe(goodTag);
    expect(last(polling.values)).toMatchObject({ stale: true, value: good });
    expect(last(polling.values).nextTryAt).toBe(Date.now() + 8_000);

    body = '{"n":3}';
    await vi.advanceTimersByTimeAsync(8_000);
    await until(() => server.hits.length === 4 && last(polling.values).nextTryAt !== undefined);
    expect(last(polling.values)).toMatchObject({ value: { n: 3 }, stale: false, error: undefined, nextTryAt: Date.now() + 1_000 });
    polling.subscription.unsubscribe();
  });

  it('checks each new value only: a 304 and a body equal to the last are not checked again', async () => {
    const schema = counted(Stats);
    let etagged = true;
    answer = (req, res) => {
      if (etagged && req.headers['if-none-match'] === etag()) return res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/json', ...(etagged && { etag: etag() }) }).end(body);
    };
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000, schema }));
    await settled(1, polling.values);
    expect(schema.checked).toEqual([{ n: 1 }]);
    await vi.advanceTimersByTimeAsync(1_000);
    await settled(2, polling.values);
    // A 304.
    expect(schema.checked).toHaveLength(1);
    etagged = false;
    await vi.advanceTimersByTimeAsync(1_000);
    await settled(3, polling.values);
    // A 200 with the same text.
    expect(schema.checked).toHaveLength(1);
    body = '{"n":2}';
    await vi.advanceTimersByTimeAsync(1_000);
    await settled(4, polling.values);
    expect(schema.checked).toEqual([{ n: 1 }, { n: 2 }]);
    expect(last(polling.values).value).toEqual({ n: 2 });
    polling.subscription.unsubscribe();
  });
});

describe('poll with an async schema', () => {
  /** Runs of the refinement so far (zod 4 may run it twice for one check: synchronously first, then async). */
  let started = 0;
  /** Refuses `n` above 10 after a 2 s wait (of the fake timers). */
  const Slow = z.object({ n: z.number() }).refine(async ({ n }) => {
    started += 1;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return n <= 10;
  }, 'n is too large');
  beforeEach(() => {
    started = 0;
  });

  it('awaits the check: the value comes after it, and its refusal is a failed poll', async () => {
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000, schema: Slow }));
    await until(() => started > 0);
    // In flight while the check runs: no plan yet, no value.
    expect(last(polling.values)).toMatchObject({ value: undefined, nextTryAt: undefined });
    await vi.advanceTimersByTimeAsync(2_000);
    await settled(1, polling.values);
    // lastFetched: when the value was taken, once checked.
    expect(last(polling.values)).toMatchObject({ value: { n: 1 }, stale: false, lastFetched: Date.now() });

    const good = last(polling.values).value;
    body = '{"n":11}';
    const before = started;
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => started > before);
    await vi.advanceTimersByTimeAsync(2_000);
    await until(() => last(polling.values).stale);
    expect(last(polling.values).value).toBe(good);
    expect((last(polling.values).error as ValidationError).issues[0]!.message).toBe('n is too large');
    polling.subscription.unsubscribe();
  });

  it('unsubscribing during the check cancels it: its answer is dropped, nothing more is emitted, sent or left running', async () => {
    const equal = vi.fn(() => false);
    const polling = record(poll(clientOf(), '/stats', { interval: 1_000, schema: Slow, equal }));
    await until(() => started > 0);
    await vi.advanceTimersByTimeAsync(2_000);
    await settled(1, polling.values);
    body = '{"n":2}';
    const before = started;
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => started > before);
    const emitted = polling.values.length;
    polling.subscription.unsubscribe();
    // The schema's own timer is the schema's; what is ours is that its answer goes nowhere: `equal`, which
    // would weigh the new value against the last, is never asked.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(equal).not.toHaveBeenCalled();
    expect(polling.values).toHaveLength(emitted);
    expect(polling.done()).toBe(false);
    expect(server.hits).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('poll with a schema, on a client without withValidation()', () => {
  it.each([
    ['poll', (client: AsyncAPIClient) => poll(client, '/stats', { schema: Stats })],
    ['pollValues', (client: AsyncAPIClient) => pollValues(client, '/stats', { schema: Stats })],
  ] as const)('%s ends with a ConfigurationError that names the fix, before anything is sent', async (_name, start) => {
    const polling = record<unknown>(start(new AsyncAPIClient({ baseUrl: server.origin })));
    await until(() => polling.done());
    expect(polling.error).toBeInstanceOf(ConfigurationError);
    expect((polling.error as Error).message).toContain('withValidation()');
    expect(server.hits).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
