import type { Observable, ObservableInput, SchedulerLike } from 'rxjs';
import type { RequestTarget } from './errors.js';

/** Which attempt of which request a response belongs to. */
export interface AttemptContext {
  /** The request's method and URL without its query, for the errors a reader raises. */
  readonly target: RequestTarget;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * The most bytes a reader may read from the body, after decompression.
   * @default DEFAULTS.maxBodySize
   */
  readonly maxBodySize?: number;
  /**
   * The client's scheduler, for a reader's own timers (a pull stream's idle limit).
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /**
   * Set when a feature checks each item of a stream (`withValidation()` with a
   * `schema`): a stream reader passes each item through it, with where the item
   * was, and emits what it emits instead (the item's output, or nothing when it
   * is skipped); it errors for an item that is refused. It does nothing until
   * subscribed: concatenate the results to keep the items in order. A
   * one-value reader gets it too when it says it `checks` (see `Reader`): it
   * hands it on to its caller, which checks each new value after the request.
   */
  readonly item?: ItemCheck;
}

/**
 * Where a stream's item was: the `ndjson()` line (from 1, blank lines counted)
 * or the `sse()` event (from 1, over every connection of the stream); `{}`
 * for a value that is not one of many (a poll's).
 *
 * @example
 * ```ts
 * const where: ItemPosition = { line: 3 };
 * ```
 */
export interface ItemPosition {
  /** For `ndjson()`: the item's line, from 1, blank lines counted. */
  readonly line?: number;
  /** For `sse()`: the item's event, from 1, counted over every connection of the stream. */
  readonly event?: number;
}

/** A feature's check of one stream item (or of a poll's value): see {@link AttemptContext.item}. */
export type ItemCheck = (item: unknown, where: ItemPosition) => Observable<unknown>;

/**
 * Turns a response into what a method emits. It runs inside the attempt, so
 * the per-attempt timeout and unsubscribing also cover what it reads.
 */
export type ResponseReader<T> = (response: Response, context: AttemptContext) => ObservableInput<T>;
