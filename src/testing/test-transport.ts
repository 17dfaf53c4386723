import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';
import type { Transport, TransportInit } from '../core/transport.js';
import { displayUrl } from '../core/url.js';
import type { Reply } from './replies.js';
import { followingSelector } from './follow.js';
import { describeMatch, matcher, routeTest, type RecordedRequest, type RequestMatch } from './requests.js';
import { resetError, respond } from './respond.js';

/**
 * An answer: a {@link Reply}, a `Response`, or a function of the request that returns either.
 *
 * @example
 * ```ts
 * const echo: Answer = (request) => ({ status: 201, body: request.json() });
 * ```
 */
export type Answer = Reply | Response | ((request: RecordedRequest) => Reply | Response);

/**
 * A request that no route answered, taken by `expectOne` or `match`: the
 * test answers it. Each method returns a Promise that settles once the
 * client has read the answer (its reader's Promises included); for an
 * answer that waits on a virtual scheduler, call `settle(scheduler)` instead of awaiting.
 *
 * @example
 * ```ts
 * await api.expectOne('GET /v1/items').flush([{ id: 1 }], { headers: { etag: '"1"' } });
 * ```
 */
export interface PendingRequest {
  /** The request as the transport recorded it: method, URL, headers, body. */
  readonly request: RecordedRequest;
  /** Answers with `body` (as in {@link Reply}: JSON unless text or bytes) and a status (200) and headers. */
  flush(body?: unknown, init?: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> }): Promise<void>;
  /** Answers with a reply (a fault, a stream...) or a `Response`. */
  reply(answer: Reply | Response): Promise<void>;
  /** Fails the request with `error`; by default as fetch does when the connection resets (a `TypeError`). */
  error(error?: unknown): Promise<void>;
}

/**
 * A {@link Transport} for tests, to pass as a client's `transport`: routes
 * answer requests by method and path, every request is recorded, and a
 * request no route answers waits for the test (`expectOne(...).flush()`),
 * as with Angular's `HttpTestingController`.
 *
 * @example
 * ```ts
 * const api = testTransport();
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.test/v1', transport: api });
 * api.on('GET', '/v1/items', { body: [{ id: 1 }] });
 * ```
 */
export interface TestTransport extends Transport {
  /** The scheduler of its delays and chunks: give the client the same one. */
  readonly scheduler: SchedulerLike;
  /** Every request sent, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Answers matching requests with `answers` in turn, the last one again after the end. The latest matching route wins. */
  on(method: string, path: string | RegExp, ...answers: Answer[]): this;
  /** The one waiting request that matches; throws if there are none or several. */
  expectOne(match: RequestMatch): PendingRequest;
  /** Every waiting request that matches (none is fine). */
  match(match: RequestMatch): PendingRequest[];
  /** Throws if a waiting request matches. */
  expectNone(match: RequestMatch): void;
  /** Throws if a request was neither answered by a route nor taken by `expectOne`/`match`, or was taken and never answered nor cancelled. */
  verify(): void;
}

interface Entry {
  readonly request: RecordedRequest & { cancelled: boolean };
  readonly routed: boolean;
  claimed: boolean;
  answered: boolean;
  answer?: (answer: Reply | Response | { readonly error: unknown }) => Promise<void>;
}

/**
 * Makes a {@link TestTransport}.
 *
 * @param options.scheduler the scheduler of its delays and chunks: the client's, a `TestScheduler` for virtual time
 * @default options.scheduler asyncScheduler
 * @returns a transport with its routes, recorder and controller
 * @example
 * ```ts
 * const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
 * const api = testTransport({ scheduler });
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.test', transport: api, scheduler });
 * ```
 */
export function testTransport(options: { readonly scheduler?: SchedulerLike } = {}): TestTransport {
  const scheduler = options.scheduler ?? asyncScheduler;
  const routes: { readonly test: (request: RecordedRequest) => Record<string, string> | undefined; readonly answers: readonly Answer[]; used: number }[] = [];
  const requests: RecordedRequest[] = [];
  const entries: Entry[] = [];

  const send = <T>(url: string, init: TransportInit<T>) =>
    new Observable<T>((subscriber) => {
      // A signal aborted already: fetch rejects at once and sends nothing, so nothing is recorded.
      if (init.signal?.aborted) return subscriber.error(init.signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
      const request = recordOf(url, init, scheduler.now());
      requests.push(request);
      let finished = false;
      let settled!: () => void;
      const read = new Promise<void>((resolve) => (settled = resolve));
      const finish = () => {
        finished = true;
        settled();
      };
      let connection: { unsubscribe(): void } | undefined;
      const answer = (given: Reply | Response | { readonly error: unknown }) => {
        entry.answered = true;
        if ('error' in given) {
          finish();
          subscriber.error(given.error);
        } else {
          // The progress seam (core/transport.ts): the whole body counts as sent once the request is answered.
          reportUpload(init);
          // Redirects followed here where a browser's fetch would follow them (./follow.ts).
          connection = respond(given, url, followingSelector(url, init, send), subscriber, scheduler, finish);
        }
        return read;
      };
      const route = [...routes].reverse().find((candidate) => candidate.test(request));
      const entry: Entry = { request, routed: route !== undefined, claimed: false, answered: false, answer };
      entries.push(entry);
      const signal = init.signal;
      const onAbort = () => subscriber.error(signal?.reason ?? new DOMException('This operation was aborted', 'AbortError'));
      signal?.addEventListener('abort', onAbort);
      if (route) {
        request.params = route.test(request)!;
        const next = route.answers[Math.min(route.used++, route.answers.length - 1)]!;
        answer(typeof next === 'function' ? next(request) : next);
      }
      return () => {
        signal?.removeEventListener('abort', onAbort);
        if (!finished) request.cancelled = true;
        settled();
        connection?.unsubscribe();
      };
    });

  const waiting = (match: RequestMatch) => {
    const test = matcher(match);
    return entries.filter((entry) => !entry.routed && !entry.claimed && test(entry.request));
  };
  const take = (entry: Entry): PendingRequest => {
    entry.claimed = true;
    const answer = (given: Reply | Response | { readonly error: unknown }) => {
      if (entry.answered) throw new Error(`${describe(entry.request)} was already answered`);
      if (entry.request.cancelled) throw new Error(`${describe(entry.request)} was cancelled: it cannot be answered`);
      return entry.answer!(given);
    };
    return {
      request: entry.request,
      flush: (body, init = {}) => answer({ ...init, body }),
      reply: (reply) => answer(reply),
      error: (error = resetError()) => answer({ error }),
    };
  };

  const api: Omit<TestTransport, keyof Transport> = {
    scheduler,
    requests,
    on(method, path, ...answers) {
      if (answers.length === 0) throw new ConfigurationError(`on('${method}', ${String(path)}): give at least one answer, such as { body: [] } or statusReply(503)`);
      const test = routeTest(method, path);
      routes.push({ test, answers, used: 0 });
      return this as TestTransport;
    },
    expectOne(match) {
      const found = waiting(match);
      if (found.length !== 1) {
        throw new Error(`expected one request for ${describeMatch(match)}, found ${found.length}; waiting: ${list(waiting(() => true))}`);
      }
      return take(found[0]!);
    },
    match: (match) => waiting(match).map(take),
    expectNone(match) {
      const found = waiting(match);
      if (found.length > 0) throw new Error(`expected no request for ${describeMatch(match)}, found ${list(found)}`);
    },
    verify() {
      const unexpected = entries.filter((entry) => !entry.routed && !entry.claimed);
      const unanswered = entries.filter((entry) => entry.claimed && !entry.answered && !entry.request.cancelled);
      const problems = [unexpected.length > 0 && `unexpected: ${list(unexpected)}`, unanswered.length > 0 && `never answered: ${list(unanswered)}`].filter(Boolean);
      if (problems.length > 0) throw new Error(`test transport: ${problems.join('; ')}`);
    },
  };
  return Object.assign(send as Transport, api) as TestTransport;
}

function recordOf(url: string, init: RequestInit, time: number): RecordedRequest & { cancelled: boolean; params: Record<string, string> } {
  const { body } = init;
  const text =
    typeof body === 'string' || body instanceof URLSearchParams ? `${body}` : body instanceof ArrayBuffer || ArrayBuffer.isView(body) ? new TextDecoder().decode(body) : undefined;
  return {
    method: (init.method ?? 'GET').toUpperCase(),
    url,
    headers: Object.fromEntries(new Headers(init.headers)),
    body: body ?? undefined,
    text,
    params: {},
    time,
    cancelled: false,
    json<T>(): T {
      if (text === undefined) throw new Error(`${describe(this)} has no text body to parse`);
      return JSON.parse(text) as T;
    },
  };
}


// The URL without its query: a query may hold an API key, and messages never show credentials.
function describe(request: RecordedRequest): string {
  return `${request.method} ${displayUrl(new URL(request.url))}`;
}

function list(entries: readonly Entry[]): string {
  return entries.length === 0 ? 'none' : entries.map((entry) => describe(entry.request)).join(', ');
}


/** Tells `init.onUploadProgress` that a body of known size was sent whole; a stream's size is not known, so it is left uncalled. */
function reportUpload(init: TransportInit<unknown>): void {
  const { body, onUploadProgress } = init;
  if (onUploadProgress === undefined || body === undefined || body === null) return;
  const size =
    typeof body === 'string' || body instanceof URLSearchParams
      ? new TextEncoder().encode(`${body}`).byteLength
      : body instanceof Blob
        ? body.size
        : body instanceof ArrayBuffer || ArrayBuffer.isView(body)
          ? body.byteLength
          : undefined;
  if (size !== undefined) onUploadProgress(size, size);
}
