import type { ObservableInput, SchedulerLike } from 'rxjs';
import type { RequestTarget } from './errors.js';

/** Which attempt of which request a response belongs to. */
export interface AttemptContext {
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
}

/**
 * Turns a response into what a method emits. It runs inside the attempt, so
 * the per-attempt timeout and unsubscribing also cover what it reads.
 */
export type ResponseReader<T> = (response: Response, context: AttemptContext) => ObservableInput<T>;
