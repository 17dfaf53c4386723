import { fromEvent, lastValueFrom, map, takeUntil, type Observable } from 'rxjs';
import { ConfigurationError } from './errors.js';

/**
 * Options of {@link toPromise}.
 *
 * @example
 * ```ts
 * const options: ToPromiseOptions = { signal: AbortSignal.timeout(5_000) };
 * const items = await toPromise(client.getJson<Item[]>('/items'), options); // rejects with AbortError after 5 s, aborting the request
 * ```
 */
export interface ToPromiseOptions {
  /** Aborting it unsubscribes (cancelling the request) and rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/**
 * `lastValueFrom` with an `AbortSignal`: resolves with the last value (an
 * `EmptyError` when there is none), rejects with the source's error, and on
 * abort unsubscribes from the source (so the request is aborted) and rejects
 * with a `DOMException` named `AbortError` (the signal's own reason when it is
 * one, otherwise a new one with the reason as `cause`). The listener it puts
 * on the signal is removed when the Promise settles, so a long-lived signal
 * does not collect them. A `signal` that is not an `AbortSignal` rejects
 * with `ConfigurationError`, without subscribing.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const items = toPromise(client.getJson<Item[]>('/items'), { signal: controller.signal });
 * cancelButton.onclick = () => controller.abort(); // items rejects with AbortError, the request is aborted
 * ```
 */
export function toPromise<T>(source$: Observable<T>, options: ToPromiseOptions = {}): Promise<T> {
  const { signal } = options;
  if (signal === undefined) return lastValueFrom(source$);
  if (signal === null || typeof signal !== 'object' || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
    return Promise.reject(new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'toPromise: signal must be an AbortSignal, such as new AbortController().signal' : 'signal'));
  }
  if (signal.aborted) return Promise.reject(abortError(signal));
  const aborted$ = fromEvent(signal, 'abort').pipe(
    map(() => {
      throw abortError(signal);
    }),
  );
  return lastValueFrom(source$.pipe(takeUntil(aborted$)));
}

/**
 * What an aborted `signal` rejects with: its reason when that is an
 * `AbortError`, else an `AbortError` whose `cause` is the reason (the pull
 * streams throw the same).
 *
 * @example
 * ```ts
 * abortError(AbortSignal.abort('stop')); // DOMException AbortError, cause 'stop'
 * ```
 */
export function abortError(signal: AbortSignal): DOMException {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'AbortError') return reason;
  const error = new DOMException('This operation was aborted', 'AbortError');
  Object.defineProperty(error, 'cause', { value: reason, configurable: true, writable: true });
  return error;
}
