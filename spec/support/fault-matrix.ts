import type { Fault } from './fault-server.js';

/** The error types a fault can end in, by `name`. */
export type ErrorName = 'NetworkError' | 'TimeoutError' | 'HttpError' | 'ParseError' | 'BodyTooLargeError' | 'RedirectError';

/** One row of the fault matrix: what the server does, and how the client must end. */
export interface FaultCase {
  /** The fault as the table of docs/failure-behaviour.md names it. */
  readonly label: string;
  readonly fault: Fault;
  /** How many hits get the fault before clean answers start; every hit when absent. */
  readonly times?: number;
  readonly call: 'getJson' | 'request';
  /**
   * A per-request timeout, short only where a stall leaves the timeout as the
   * only possible end (so the outcome cannot depend on how fast the machine is).
   */
  readonly timeout?: number;
  /** How many attempts reach the server. */
  readonly attempts: number;
  /** How many hits the server sees, when it is not one per attempt (each redirect is a hit). */
  readonly hits?: number;
  /** The error the request ends with; absent when it ends with a value. */
  readonly error?: ErrorName;
}

/** The attempts of the client policy the matrix runs with (the default). */
export const MAX_ATTEMPTS = 3;
/** The timeout of the rows where a stall can only end by it, in ms. */
export const STALL_TIMEOUT_MS = 100;

/**
 * The fault matrix, with the client's defaults (3 attempts, 50 MiB
 * `maxBodySize`) and a retry `baseDelay` of 1 ms. docs/failure-behaviour.md's "Failure
 * behaviour" table is checked against it, row by row.
 *
 * The 429 row sends `Retry-After: 0`, so the server's wait is no wait.
 */
export const FAULT_MATRIX: readonly FaultCase[] = [
  { label: 'connection reset before the headers', fault: 'reset-before-headers', call: 'getJson', attempts: 3, error: 'NetworkError' },
  { label: 'connection reset once, then a clean answer', fault: 'reset-before-headers', times: 1, call: 'getJson', attempts: 2 },
  { label: 'connection reset after the headers', fault: 'reset-after-headers', call: 'getJson', attempts: 3, error: 'NetworkError' },
  { label: 'connection reset mid-body', fault: 'reset-mid-body', call: 'getJson', attempts: 3, error: 'NetworkError' },
  { label: 'body shorter than its content-length', fault: 'truncated-body', call: 'getJson', attempts: 3, error: 'NetworkError' },
  { label: 'headers late, within the timeout', fault: 'slow-headers', call: 'getJson', attempts: 1 },
  { label: 'body late, within the timeout', fault: 'slow-body', call: 'getJson', attempts: 1 },
  { label: 'headers never come', fault: 'stall-headers', call: 'getJson', timeout: STALL_TIMEOUT_MS, attempts: 3, error: 'TimeoutError' },
  { label: 'body stalls forever', fault: 'stall-body', call: 'getJson', timeout: STALL_TIMEOUT_MS, attempts: 3, error: 'TimeoutError' },
  { label: 'body stalls forever', fault: 'stall-body', call: 'request', attempts: 1 },
  { label: '503 on every attempt', fault: 'status-503', call: 'getJson', attempts: 3, error: 'HttpError' },
  { label: 'a burst of two 503s, then 200', fault: 'status-503', times: 2, call: 'getJson', attempts: 3 },
  { label: '429 with Retry-After: 0 on every attempt', fault: 'status-429', call: 'getJson', attempts: 3, error: 'HttpError' },
  { label: '404', fault: 'status-404', call: 'getJson', attempts: 1, error: 'HttpError' },
  { label: 'invalid JSON', fault: 'invalid-json', call: 'getJson', attempts: 1, error: 'ParseError' },
  { label: '8 KiB of response headers', fault: 'large-headers', call: 'getJson', attempts: 1 },
  { label: "64 KiB of response headers (Node's limit is 16 KiB)", fault: 'huge-headers', call: 'getJson', attempts: 3, error: 'NetworkError' },
  { label: '64 MiB body, chunked', fault: 'huge-body', call: 'getJson', attempts: 1, error: 'BodyTooLargeError' },
  { label: '64 MiB body, chunked', fault: 'huge-body', call: 'request', attempts: 1 },
  { label: '64 MiB body with its content-length', fault: 'huge-body-declared', call: 'getJson', attempts: 1, error: 'BodyTooLargeError' },
  { label: 'gzip bomb: under 128 KiB on the wire, 128 MiB inflated', fault: 'gzip-bomb', call: 'getJson', attempts: 1, error: 'BodyTooLargeError' },
  { label: 'redirect loop (Node; browsers stop at 20 themselves)', fault: 'redirect-loop', call: 'getJson', attempts: 1, hits: 21, error: 'RedirectError' },
];

/** The "outcome" cell of the docs/failure-behaviour.md table for a row. */
export function outcomeText(row: FaultCase): string {
  if (row.error === undefined) return row.attempts === 1 ? 'value' : 'value after retries';
  return row.attempts === 1 ? 'fails at once' : 'fails after retries';
}

/** A row as the docs/failure-behaviour.md table shows it: fault, call, outcome, attempts, error. */
export function readmeRow(row: FaultCase): string[] {
  return [row.label, `\`${row.call}\``, outcomeText(row), String(row.attempts), row.error === undefined ? '—' : `\`${row.error}\``];
}

/** What one attempt that meets a fault does to a `getJson` request. */
export type AttemptEffect = { readonly kind: 'value' } | { readonly kind: 'error'; readonly error: ErrorName; readonly retried: boolean };

/**
 * The effect of one faulted attempt, read off the matrix row where `getJson`
 * meets that fault on every attempt: a value; an error that ends the request
 * at once; or one that is retried (the row shows every attempt used).
 */
export function attemptEffect(fault: Fault): AttemptEffect {
  const row = FAULT_MATRIX.find((r) => r.fault === fault && r.call === 'getJson' && r.times === undefined);
  if (!row) throw new Error(`the fault matrix has no getJson row for ${fault} on every attempt`);
  if (row.error === undefined) return { kind: 'value' };
  return { kind: 'error', error: row.error, retried: row.attempts === MAX_ATTEMPTS };
}
