/**
 * Progress of one attempt's transfer: the bytes of the request body sent
 * (`upload`) or of the response body read (`download`) so far. A retry
 * starts again from 0 with its own `attempt`, so a bar can say
 * "retrying (2/3)" rather than jump back.
 *
 * @example
 * ```ts
 * const event: TransferProgress = { type: 'download', loaded: 512, total: 1024, attempt: 1 };
 * ```
 */
export interface TransferProgress {
  /** `'upload'` for bytes of the request body sent, `'download'` for bytes of the response body read. */
  readonly type: 'upload' | 'download';
  /** Bytes so far. A download counts them as the reader gets them: after decompression when the body is compressed. */
  readonly loaded: number;
  /**
   * The body's size when it is known: an upload's from the body itself, a
   * download's from `content-length`; absent for a stream, or a download
   * whose body is re-encoded (`content-encoding`), whose length counts other bytes.
   */
  readonly total?: number;
  /** The attempt the bytes belong to: 1 for the first. */
  readonly attempt: number;
}

/**
 * The answer of a transfer, after its progress events: what the reader made of the body.
 *
 * @example
 * ```ts
 * const event: TransferResult<Blob> = { type: 'result', value: new Blob(['done']) };
 * ```
 */
export interface TransferResult<T> {
  /** `'result'`: emitted with what the reader made of the body once it is read; a stream reader (`asChunks`) emits one per value. */
  readonly type: 'result';
  /** What the reader made of the body: a `Blob`, the parsed JSON, a stream's item... */
  readonly value: T;
}

/**
 * What a transfer emits: progress events, then the result (a stream reader's
 * values each as a result). Narrow on `type`.
 *
 * @example
 * ```ts
 * download(client, '/export.csv', asBlob).subscribe((event) => {
 *   if (event.type === 'result') save(event.value);
 *   else bar.update(event.loaded, event.total);
 * });
 * ```
 */
export type TransferEvent<T> = TransferProgress | TransferResult<T>;

/** What a counting reader or transport calls: the bytes so far, the total when known, and the attempt. */
export type CountListener = (loaded: number, total: number | undefined, attempt: number) => void;

/**
 * Throttled progress of one direction: at most one event each `interval` ms,
 * but the first of each attempt and the last (`end`) always go out; an event
 * never repeats the count of the one before it.
 */
export interface Throttle {
  readonly count: CountListener;
  /** The transfer of `attempt` is over: its last count goes out if it has not. */
  end(attempt: number): void;
}

/**
 * The throttle of one direction of a transfer.
 *
 * @param type the direction
 * @param emit where the events go
 * @param interval the least time between two events of an attempt, in ms
 * @param now the clock (the scheduler's `now()`)
 * @example
 * ```ts
 * const upload = throttle('upload', (event) => subscriber.next(event), 50, () => scheduler.now());
 * ```
 */
export function throttle(type: TransferProgress['type'], emit: (event: TransferProgress) => void, interval: number, now: () => number): Throttle {
  let attemptSeen = 0;
  let sentAt = -Infinity;
  let sent: number | undefined;
  let pending: TransferProgress | undefined;
  const send = (event: TransferProgress) => {
    sentAt = now();
    sent = event.loaded;
    pending = undefined;
    emit(event);
  };
  return {
    count: (loaded, total, attempt) => {
      const event: TransferProgress = total === undefined ? { type, loaded, attempt } : { type, loaded, total, attempt };
      if (attempt !== attemptSeen) {
        attemptSeen = attempt;
        send(event);
      } else if (loaded !== sent) {
        if (now() - sentAt >= interval) send(event);
        else pending = event;
      }
    },
    end: (attempt) => {
      if (pending !== undefined && attempt === attemptSeen) send(pending);
    },
  };
}
