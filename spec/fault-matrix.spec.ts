import { readFileSync } from 'node:fs';
import type { Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AsyncAPIClient,
  BodyTooLargeError,
  DEFAULTS,
  HttpError,
  NetworkError,
  ParseError,
  RedirectError,
  TimeoutError,
  withEvents,
  type ClientEvent,
} from '../src/index.js';
import { attemptEffect, FAULT_MATRIX, readmeRow, type ErrorName, type FaultCase } from './support/fault-matrix.js';
import { gzipBomb } from './support/fault-bodies.cjs';
import { FAULTS, startFaultServer, type FaultServer, type Injection } from './support/fault-server.js';
import { record } from './support/record.js';
import { until } from './support/until.js';

// Real sockets on loopback, real time: retries wait 1 ms, and the only short
// timeouts are on rows where a stall leaves the timeout as the only way out.
const MIB = 1024 * 1024;
const ERROR_TYPES: Record<ErrorName, abstract new (...args: never[]) => Error> = {
  NetworkError,
  TimeoutError,
  HttpError,
  ParseError,
  BodyTooLargeError,
  RedirectError,
};

let server: FaultServer;
let client: AsyncAPIClient;
const events: ClientEvent[] = [];
let counter = 0;

beforeAll(async () => {
  server = await startFaultServer();
  const feature = withEvents();
  client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 }, timeout: 10_000 }, feature);
  feature.events$.subscribe((event) => events.push(event));
});

afterAll(() => server.close());

/** Runs one row's request to its end (or fails after 20 s rather than hanging). */
async function run(row: FaultCase) {
  const id = `m${(counter += 1)}`;
  const path = `/fault/${row.fault}/${id}`;
  const params = row.times === undefined ? undefined : { times: row.times };
  const options = row.timeout === undefined ? {} : { timeout: row.timeout };
  const source: Observable<unknown> =
    row.call === 'getJson' ? client.getJson(path, params, options) : client.request('GET', path, { ...options, params });
  const recording = record(source);
  await until(recording.done, 20_000);
  const attemptsSent = events.filter((e) => e.type === 'request' && e.url === `${server.origin}${path}`).length;
  return { id, recording, attemptsSent };
}

function expectedInjections(row: FaultCase): Injection[] {
  return Array.from({ length: row.hits ?? row.attempts }, (_, i) => (row.times === undefined || i < row.times ? row.fault : 'none'));
}

describe('the fault matrix', () => {
  it.each(FAULT_MATRIX.map((row) => [`${row.label}, ${row.call}: ${row.error ?? 'value'} after ${row.attempts}`, row] as const))(
    '%s',
    async (_name, row) => {
      const { id, recording, attemptsSent } = await run(row);
      expect(attemptsSent).toBe(row.attempts);
      expect(server.injected(id)).toEqual(expectedInjections(row));
      if (row.error !== undefined) {
        expect(recording.values).toEqual([]);
        expect(recording.error).toBeInstanceOf(ERROR_TYPES[row.error]);
        expect(recording.error).toMatchObject({ name: row.error, attempts: row.attempts });
        return;
      }
      expect(recording.error).toBeUndefined();
      expect(recording.completed).toBe(true);
      if (row.call === 'getJson') {
        expect(recording.values).toEqual([{ id, attempt: row.attempts }]);
      } else {
        expect(recording.values).toHaveLength(1);
        const response = recording.values[0] as Response;
        expect(response.status).toBe(200);
        expect(response.bodyUsed).toBe(false);
        // request() hands the body over unread: dropping it is the caller's job, and it frees the connection.
        await response.body?.cancel();
        await until(() => server.closedEarly(id) === 1);
      }
    },
    30_000,
  );

  it('has a getJson row with the fault on every attempt for every fault the server knows (the soak relies on it)', () => {
    for (const fault of FAULTS) expect(() => attemptEffect(fault)).not.toThrow();
    expect(attemptEffect('invalid-json')).toEqual({ kind: 'error', error: 'ParseError', retried: false });
    expect(attemptEffect('reset-mid-body')).toEqual({ kind: 'error', error: 'NetworkError', retried: true });
    expect(attemptEffect('slow-body')).toEqual({ kind: 'value' });
  });
});

describe('what the matrix rows do not show', () => {
  const rowOf = (fault: FaultCase['fault']) => FAULT_MATRIX.find((r) => r.fault === fault && r.call === 'getJson' && r.times === undefined)!;

  it('a stalled body: the timeout aborts every attempt, and the server sees each connection close', async () => {
    const { id, recording } = await run(rowOf('stall-body'));
    expect(recording.error).toMatchObject({ name: 'TimeoutError', timeoutMs: 100, attempts: 3 });
    await until(() => server.closedEarly(id) === 3);
    expect(server.openResponses()).toBe(0);
  });

  it('a huge chunked body is cut just past maxBodySize: the server never gets to send it all', async () => {
    const { id, recording } = await run(rowOf('huge-body'));
    const error = recording.error as BodyTooLargeError;
    expect(error.maxBodySize).toBe(DEFAULTS.maxBodySize);
    expect(error.contentLength).toBeUndefined();
    expect(error.receivedBytes).toBeGreaterThan(DEFAULTS.maxBodySize);
    expect(error.receivedBytes).toBeLessThan(DEFAULTS.maxBodySize + MIB);
    await until(() => server.closedEarly(id) === 1);
  });

  it('a huge body with its content-length fails before a byte is read, and its connection is dropped', async () => {
    const { id, recording } = await run(rowOf('huge-body-declared'));
    expect(recording.error).toMatchObject({ contentLength: 64 * MIB, receivedBytes: 0, maxBodySize: DEFAULTS.maxBodySize });
    expect((recording.error as Error).message).toMatch(/larger than maxBodySize \(52428800 bytes\): content-length is 67108864, nothing read$/);
    await until(() => server.closedEarly(id) === 1);
  });

  it('a gzip bomb is small on the wire and is stopped just past the limit, far from its inflated size', async () => {
    expect((await gzipBomb(128 * MIB)).length).toBeLessThan(128 * 1024);
    const { recording } = await run(rowOf('gzip-bomb'));
    const error = recording.error as BodyTooLargeError;
    expect(error.receivedBytes).toBeGreaterThan(DEFAULTS.maxBodySize);
    expect(error.receivedBytes).toBeLessThan(DEFAULTS.maxBodySize + MIB);
  });
});

describe("docs/failure-behaviour.md's table", () => {
  /** The cells of the first table after `heading`, header row first. */
  function tableAfter(markdown: string, heading: string): string[][] {
    const lines = markdown.split('\n');
    const start = lines.findIndex((line) => line.trim() === heading);
    expect(start, `docs/failure-behaviour.md has no "${heading}" heading`).toBeGreaterThanOrEqual(0);
    const first = lines.findIndex((line, i) => i > start && line.startsWith('|'));
    const rows: string[][] = [];
    for (let i = first; i < lines.length && lines[i]!.startsWith('|'); i += 1) {
      rows.push(lines[i]!.split('|').slice(1, -1).map((cell) => cell.trim()));
    }
    return rows;
  }

  it('is the fault matrix, row for row', () => {
    const page = readFileSync(new URL('../docs/failure-behaviour.md', import.meta.url), 'utf8');
    const [header, separator, ...rows] = tableAfter(page, '# Failure behaviour');
    expect(header).toEqual(['fault', 'call', 'outcome', 'attempts', 'error']);
    expect(separator!.every((cell) => /^:?-+:?$/.test(cell))).toBe(true);
    expect(rows).toEqual(FAULT_MATRIX.map(readmeRow));
  });
});
