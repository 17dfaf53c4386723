import type { Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncAPIClient, HttpError, TimeoutError, withEvents, type ClientEvent, type RequestOptions } from '../../src/index.js';
import { startFaultServer, type Fault, type FaultServer } from '../support/fault-server.js';
import { record, type Recording } from '../support/record.js';
import { until } from '../support/until.js';

// One client shared by requests that each meet their own fault at the same
// time: a retry, a timeout or a cancellation must stay with its own request.
const SLOW_MS = 500;
const SHORT_TIMEOUT_MS = 250;

let server: FaultServer;

beforeAll(async () => {
  server = await startFaultServer({ slowMs: SLOW_MS });
});

afterAll(() => server.close());

interface Group {
  readonly name: string;
  readonly fault: Fault;
  readonly times?: number;
  readonly options?: Omit<RequestOptions, 'params'>;
  /** Unsubscribed once the server holds the request (`attempt`) or the backoff has started (`backoff`). */
  readonly cancel?: 'attempt' | 'backoff';
  /** Hits the server must see. */
  readonly hits: number;
  /** The value's attempt, or the error, the request ends with; nothing for a cancelled one. */
  readonly ends?: { readonly attempt: number } | { readonly error: typeof HttpError | typeof TimeoutError; readonly attempts: number };
}

const GROUPS: readonly Group[] = [
  { name: 'clean', fault: 'stall-headers', times: 0, hits: 1, ends: { attempt: 1 } },
  // Slower than the short timeouts of the group below: a timer of theirs would kill these.
  { name: 'slow body', fault: 'slow-body', hits: 1, ends: { attempt: 1 } },
  {
    name: 'timed out',
    fault: 'stall-headers',
    options: { timeout: SHORT_TIMEOUT_MS, retry: false },
    hits: 1,
    ends: { error: TimeoutError, attempts: 1 },
  },
  { name: 'two 503s, then 200', fault: 'status-503', times: 2, hits: 3, ends: { attempt: 3 } },
  { name: 'reset once', fault: 'reset-mid-body', times: 1, hits: 2, ends: { attempt: 2 } },
  { name: 'gives up on 503', fault: 'status-503', hits: 3, ends: { error: HttpError, attempts: 3 } },
  { name: 'cancelled mid-body', fault: 'stall-body', cancel: 'attempt', hits: 1 },
  // A backoff of a minute: only unsubscribing can end it, and it must not hold up anyone else.
  { name: 'cancelled in the backoff', fault: 'status-503', options: { retry: { baseDelay: 60_000 } }, cancel: 'backoff', hits: 1 },
];

const PER_GROUP = 8;

describe('a client shared by concurrent requests', () => {
  it(
    `keeps ${GROUPS.length * PER_GROUP} concurrent requests apart: each retry, timeout and cancellation stays with its own request`,
    async () => {
      const feature = withEvents();
      const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 }, timeout: 10_000 }, feature);
      // Open the connections first, so that the short timeouts run against requests, not against connection setup.
      await Promise.all(
        Array.from({ length: GROUPS.length * PER_GROUP }, (_, i) => fetch(`${server.origin}/fault/stall-headers/warm${i}?times=0`).then((r) => r.text())),
      );
      const events: ClientEvent[] = [];
      feature.events$.subscribe((event) => events.push(event));

      // Interleaved: request i belongs to group i % GROUPS.length, so neighbours differ.
      const runs: { group: Group; id: string; url: string; recording: Recording<unknown> }[] = [];
      for (let i = 0; i < GROUPS.length * PER_GROUP; i += 1) {
        const group = GROUPS[i % GROUPS.length]!;
        const id = `c${i}`;
        const path = `/fault/${group.fault}/${id}`;
        const source: Observable<unknown> = client.getJson(path, group.times === undefined ? undefined : { times: group.times }, group.options);
        runs.push({ group, id, url: `${server.origin}${path}`, recording: record(source) });
      }
      const eventsOf = (url: string, type: ClientEvent['type']) => events.filter((e) => e.url === url && e.type === type);

      // Cancel once each cancelled request is where its group says: in an attempt the server holds, or in its backoff.
      for (const run of runs.filter((r) => r.group.cancel !== undefined)) {
        if (run.group.cancel === 'attempt') await until(() => eventsOf(run.url, 'response').length === 1);
        else await until(() => eventsOf(run.url, 'retry').length === 1);
        run.recording.subscription.unsubscribe();
      }
      await until(() => runs.every((r) => r.group.cancel !== undefined || r.recording.done()), 15_000);

      for (const { group, id, url, recording } of runs) {
        const context = `${group.name} (${id})`;
        expect(server.injected(id), context).toHaveLength(group.hits);
        expect(eventsOf(url, 'request'), context).toHaveLength(group.hits);
        const ends = group.ends;
        if (ends === undefined) {
          expect(recording.done(), context).toBe(false);
          expect(recording.values, context).toEqual([]);
          expect(eventsOf(url, 'cancel'), context).toMatchObject([{ attempts: 1 }]);
        } else if ('attempt' in ends) {
          expect(recording.values, context).toEqual([{ id, attempt: ends.attempt }]);
          expect(recording.completed, context).toBe(true);
          expect(eventsOf(url, 'retry'), context).toHaveLength(ends.attempt - 1);
          expect(eventsOf(url, 'cancel'), context).toEqual([]);
        } else {
          expect(recording.error, context).toBeInstanceOf(ends.error);
          expect(recording.error, context).toMatchObject({ attempts: ends.attempts });
          expect(eventsOf(url, 'giveUp'), context).toHaveLength(1);
          expect(eventsOf(url, 'cancel'), context).toEqual([]);
        }
      }
      // Timed out and cancelled attempts were aborted: the server holds nothing open, and only those were cut.
      await until(() => server.openResponses() === 0);
      for (const { group, id } of runs) {
        const cut = group.name === 'timed out' || group.name === 'cancelled mid-body' ? 1 : group.fault === 'reset-mid-body' ? 1 : 0;
        expect(server.closedEarly(id), `${group.name} (${id})`).toBe(cut);
      }
    },
    30_000,
  );
});
