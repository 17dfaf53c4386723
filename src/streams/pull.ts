import { asyncScheduler, defer, fromEvent, map, Observable, Subscription, takeUntil, type Subscriber } from 'rxjs';
import type { AsyncAPIClient } from '../core/client.js';
import type { AttemptContext } from '../core/context.js';
import { ConfigurationError, TimeoutError } from '../core/errors.js';
import { resolveTimeout, type QueryParams } from '../core/options.js';
import { abortError } from '../core/to-promise.js';
import type { ChunkDecoder, CheckedDecoder, StreamKind, StreamOptions } from './mode.js';

/**
 * Options of the pull forms (`pullNdjson`, `pullLines`, `pullSse`,
 * `pullChunks`): those of the Observable forms, and a signal.
 *
 * @example
 * ```ts
 * const options: PullOptions = { idleTimeout: 60_000, signal: AbortSignal.timeout(3_600_000) };
 * ```
 */
export interface PullOptions extends StreamOptions {
  /**
   * Aborting it ends the iteration at once: the connection is closed, and the
   * loop's pending or next step throws a `DOMException` named `AbortError`
   * (the signal's reason when it is one), as `toPromise` does.
   */
  signal?: AbortSignal;
}

/**
 * A stream read on demand: `for await` takes one item at a time, and the body
 * is read from the socket only when the items of the chunk before are taken,
 * so a slow loop slows the server down (through TCP) and memory holds the
 * transport's buffers and one chunk's items, whatever the body's length.
 *
 * Each iteration is one request, with the contract of the Observable form:
 * the retry policy until the first item (an event stream reconnects and
 * resumes), `timeout` for the response, `idleTimeout` for each wait on a
 * quiet server (not on a slow loop), `maxBodySize` per line or event, the
 * same typed errors (thrown by the loop). `break`, `return()`, an exception
 * in the loop's body or `options.signal` close the connection at once.
 *
 * @example
 * ```ts
 * for await (const job of pullNdjson<Job>(client, '/jobs')) await db.insert(job);
 * for await (const jobs of pullNdjson<Job>(client, '/jobs').batches()) await db.insertMany(jobs);
 * from(pullNdjson<Job>(client, '/jobs')).pipe(take(10)); // an Observable: read from its subscription, closed after 10
 * ```
 */
export interface PullStream<T> extends AsyncIterable<T> {
  /** The same stream, each chunk's items as one array (never empty): one step of the loop per chunk rather than per item. */
  batches(): AsyncIterable<readonly T[]>;
}

/**
 * The pull form of a kind of stream (what `pullNdjson` and the others share).
 *
 * @param kind makes the kind of stream, for each iteration
 * @example
 * ```ts
 * pullStream(client, '/logs', undefined, { idleTimeout: 30_000 }, () => LINES);
 * ```
 */
export function pullStream<T>(client: AsyncAPIClient, endpoint: string, params: QueryParams | undefined, options: PullOptions | undefined, kind: () => StreamKind<T>): PullStream<T> {
  const { signal, idleTimeout, ...rest } = { ...options };
  const batches = () => {
    let cursors$ = defer(() => {
      const made = kind();
      const idle = resolveTimeout(idleTimeout, Infinity, 'idleTimeout');
      // The held attempt gets no idleTimeout: a slow loop is no quiet server. The cursor times its own reads.
      const read = (response: Response, context: AttemptContext) => openCursor(response, context, made, idle);
      return client.read(endpoint, { read, accept: made.accept, stream: made.stream }, Object.assign({}, rest, { params }));
    });
    if (signal !== undefined) cursors$ = cursors$.pipe(takeUntil(aborted(signal)));
    return new Batches(cursors$);
  };
  return {
    [Symbol.asyncIterator]: () => new Items(batches()),
    batches: () => ({ [Symbol.asyncIterator]: batches }),
  };
}

/** Errors with the signal's AbortError when it aborts (at once when it has); a value that is no signal is a ConfigurationError. */
function aborted(signal: AbortSignal): Observable<never> {
  return defer(() => {
    if (signal === null || typeof signal !== 'object' || typeof signal.addEventListener !== 'function') {
      throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'signal must be an AbortSignal, such as new AbortController().signal' : 'signal');
    }
    if (signal.aborted) throw abortError(signal);
    return fromEvent(signal, 'abort').pipe(
      map(() => {
        throw abortError(signal);
      }),
    );
  });
}

/**
 * One response's reading, on demand: emits its cursor once the first batch
 * is in (so a failure before the first item is retried as the Observable
 * form's is), and ends when the cursor does: the fetch stays held, and
 * abortable, until then. Unsubscribing cancels the body.
 */
function openCursor<T>(response: Response, context: AttemptContext, kind: StreamKind<T>, idle: number): Observable<Cursor<T>> {
  return new Observable<Cursor<T>>((subscriber) => {
    const decoder = kind.open(response, context);
    if (decoder === undefined || response.body === null) return subscriber.complete();
    const cursor = new Cursor(response.body.getReader(), decoder, subscriber, idle, context);
    cursor.next().then((first) => {
      if (first === undefined) return;
      cursor.first = first;
      subscriber.next(cursor);
    });
    return () => cursor.close();
  });
}

/**
 * Reads one body a chunk at a time, when asked. How it ends is told to its
 * subscriber (so it goes through the client's pipeline: the errors
 * classified, retried or not, and seen by the features), and `next()`
 * resolves `undefined`: the iteration then hears it from the subscription.
 */
class Cursor<T> {
  /** The batch read before the cursor was emitted. */
  first: readonly T[] = [];
  #done = false;
  #closed = false;
  /** A refused item (withValidation()'s), told after the items before it. */
  #refused: { readonly error: unknown } | undefined;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly decoder: ChunkDecoder<T> | CheckedDecoder<T>,
    private readonly subscriber: Subscriber<Cursor<T>>,
    private readonly idle: number,
    private readonly context: AttemptContext,
  ) {}

  /** The next batch, never empty; `undefined` once this body has no more (ended, failed or closed). */
  async next(): Promise<T[] | undefined> {
    const { decoder, subscriber } = this;
    for (;;) {
      if (subscriber.closed) return undefined;
      const failed = this.#refused ?? decoder.failed;
      if (failed !== undefined) return void subscriber.error(failed.error);
      if (this.#done) return void subscriber.complete();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.#read();
      } catch (error) {
        return void subscriber.error(error);
      }
      // Unsubscribed or timed out while waiting: what the read brought is not for anyone.
      if (subscriber.closed) return undefined;
      let batch: T[] | Observable<T>[];
      try {
        batch = chunk.done ? decoder.end() : decoder.push(chunk.value);
      } catch (error) {
        return void subscriber.error(error);
      }
      this.#done = chunk.done;
      // A failure is told at the next step, after the items before it; the connection is closed now.
      if (decoder.failed !== undefined) this.close();
      // Checks, when the decoder made them (chosen per response, so no schema costs nothing per item).
      if (decoder.settle && batch.length > 0) {
        batch = await this.#check(decoder.settle(batch as Observable<T>[]));
        if (subscriber.closed) return undefined;
      }
      if (batch.length > 0) return batch as T[];
    }
  }

  /**
   * The items that pass their checks (see `settle`); a refusal closes the
   * connection now and is told at the next step. Unsubscribing drops a
   * pending check (an async schema's answer) and resolves with nothing.
   */
  #check(settled: Observable<T[]>): Promise<T[]> {
    const { subscriber } = this;
    return new Promise<T[]>((resolve) => {
      let items: T[] = [];
      const checking = new Subscription(() => {
        subscriber.remove(checking);
        resolve(items);
      });
      subscriber.add(checking);
      checking.add(
        settled.subscribe({
          next: (passed) => void (items = passed),
          error: (error: unknown) => {
            this.#refused = { error };
            this.close();
            checking.unsubscribe();
          },
          complete: () => checking.unsubscribe(),
        }),
      );
    });
  }

  /** Cancels the body unless it ended: a fetch's connection closes. */
  close(): void {
    if (this.#done || this.#closed) return;
    this.#closed = true;
    this.reader.cancel().catch(() => undefined);
  }

  /** The next chunk, within the idle limit: the server is quiet while the loop waits for it. */
  #read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const { idle, context } = this;
    const read = this.reader.read();
    if (idle === Infinity) return read;
    const timer = (context.scheduler ?? asyncScheduler).schedule(() => this.subscriber.error(new TimeoutError(idle, context.target, context.attempt, { scope: 'idle' })), idle);
    return read.finally(() => timer.unsubscribe());
  }
}

/**
 * The batches of one iteration: the cursors of the client's Observable (one
 * per connection; an event stream has more after reconnecting), read in turn.
 * `return()` unsubscribes at once, even while a step is pending.
 */
class Batches<T> implements AsyncIterator<readonly T[]> {
  readonly #source: Observable<Cursor<T>>;
  #subscription: Subscription | undefined;
  readonly #cursors: Cursor<T>[] = [];
  #cursor: Cursor<T> | undefined;
  #end: { readonly error?: unknown; readonly failed: boolean } | undefined;
  #wake: (() => void) | undefined;

  constructor(source: Observable<Cursor<T>>) {
    this.#source = source;
  }

  async next(): Promise<IteratorResult<readonly T[]>> {
    this.#subscription ??= this.#source.subscribe({
      next: (cursor) => this.#settle(() => this.#cursors.push(cursor)),
      error: (error: unknown) => this.#settle(() => (this.#end ??= { error, failed: true })),
      complete: () => this.#settle(() => (this.#end ??= { failed: false })),
    });
    for (;;) {
      if (this.#cursor !== undefined) {
        const batch = await this.#cursor.next();
        if (batch !== undefined) return { value: batch, done: false };
        this.#cursor = undefined;
      }
      const cursor = this.#cursors.shift();
      if (cursor !== undefined) {
        this.#cursor = cursor;
        return { value: cursor.first, done: false };
      }
      const end = this.#end;
      if (end !== undefined) {
        if (end.failed) throw end.error;
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<readonly T[]>> {
    this.#settle(() => (this.#end = { failed: false }));
    this.#subscription?.unsubscribe();
    return { value: undefined, done: true };
  }

  #settle(change: () => void): void {
    change();
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** One item per step over the batches: an item already read costs a resolved promise, not an async generator's steps. */
class Items<T> implements AsyncIterator<T> {
  readonly #batches: Batches<T>;
  #batch: readonly T[] = [];
  #index = 0;

  constructor(batches: Batches<T>) {
    this.#batches = batches;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#index < this.#batch.length) return Promise.resolve({ value: this.#batch[this.#index++]!, done: false });
    return this.#batches.next().then((result) => {
      if (result.done) return result;
      this.#batch = result.value;
      this.#index = 1;
      return { value: result.value[0]!, done: false };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#batch = [];
    return this.#batches.return().then(() => ({ value: undefined, done: true }));
  }
}
