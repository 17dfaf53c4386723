import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient } from '../../src/index.js';
import { record } from '../../spec/support/record.js';
import { until } from '../../spec/support/until.js';
import { DeadlineError, processJobs, type JobResult } from './pipeline.js';
import { startJobServer, type JobServer } from './server.js';

let server: JobServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('the NDJSON pipeline', () => {
  it('processes every job with at most `concurrency` requests in flight', async () => {
    server = await startJobServer({ jobs: 20 });
    const client = new AsyncAPIClient(`${server.url}/api`);
    const recording = record(processJobs(client, { concurrency: 3 }).pipe(toArray()));
    await until(recording.done);
    const results = recording.values[0] as JobResult[];
    expect(results.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(server.maxInFlight()).toBeLessThanOrEqual(3);
    expect(recording.completed).toBe(true);
  });

  it('emits results while the job stream is still open', async () => {
    server = await startJobServer({ jobs: 4, keepOpen: true });
    const recording = record(processJobs(new AsyncAPIClient(`${server.url}/api`)));
    await until(() => recording.values.length === 4);
    expect(recording.done()).toBe(false);
    recording.subscription.unsubscribe();
  });

  it('the deadline cancels the whole pipeline: the job stream and every request in flight', async () => {
    server = await startJobServer({ jobs: 10, stall: [2, 3, 4], keepOpen: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const recording = record(processJobs(new AsyncAPIClient(`${server.url}/api`), { concurrency: 3, deadlineMs: 5_000 }));
    // Job 1 answers; jobs 2, 3 and 4 hold the three slots.
    await until(() => recording.values.length === 1 && server!.inFlight() === 3);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(recording.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(recording.error).toBeInstanceOf(DeadlineError);
    await until(() => server!.aborted().length === 4);
    expect(server.aborted().sort()).toEqual(['/api/jobs', '/api/jobs/2/result', '/api/jobs/3/result', '/api/jobs/4/result']);
    expect(server.inFlight()).toBe(0);
    // Seven jobs were waiting for a slot; none of them got one.
    expect(server.maxInFlight()).toBe(3);
  });

  it('runs as a program: npm run example:pipeline', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/pipeline/main.ts'], { cwd: root });
    expect(stdout).toContain('result  job 1 done');
    expect(stdout).not.toContain('result  job 7 done');
    expect(stdout).toContain('stopped  the pipeline did not finish within 1000 ms');
    expect(stdout).toMatch(/server {3}\d+ connection\(s\) cancelled by the client, 0 request\(s\) still open/);
  });
});
