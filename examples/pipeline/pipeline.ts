/**
 * A stream pipeline: jobs arrive as NDJSON, each is processed by a request
 * of its own with at most `concurrency` in flight, results come out as they
 * are ready, and one deadline cancels the whole pipeline: the NDJSON
 * connection and every request in flight are aborted together.
 */
import { asyncScheduler, map, mergeMap, takeUntil, timer, type Observable, type SchedulerLike } from 'rxjs';
import { ndjson, type AsyncAPIClient } from '../../src/index.js';

export interface Job {
  id: number;
}

export interface JobResult {
  id: number;
  output: string;
}

/** The pipeline ran out of time; everything it had started was cancelled. */
export class DeadlineError extends Error {
  override get name(): string {
    return 'DeadlineError';
  }

  constructor(readonly deadlineMs: number) {
    super(`the pipeline did not finish within ${deadlineMs} ms: every request in flight was cancelled`);
  }
}

export interface PipelineOptions {
  /** Requests in flight at most. */
  concurrency?: number;
  /** The time the whole pipeline may take, in ms. */
  deadlineMs?: number;
  /** For tests in virtual time. */
  scheduler?: SchedulerLike;
}

/** `GET /jobs` (NDJSON) → `GET /jobs/:id/result` for each, `concurrency` at a time → the results. */
export function processJobs(client: AsyncAPIClient, options: PipelineOptions = {}): Observable<JobResult> {
  const { concurrency = 4, deadlineMs = 10_000, scheduler = asyncScheduler } = options;
  const deadline$ = timer(deadlineMs, scheduler).pipe(
    map(() => {
      throw new DeadlineError(deadlineMs);
    }),
  );
  return ndjson<Job>(client, '/jobs').pipe(
    mergeMap((job) => client.getJson<JobResult>(`/jobs/${job.id}/result`), concurrency),
    // The deadline errors the pipeline, and erroring unsubscribes from everything upstream.
    takeUntil(deadline$),
  );
}
