import { concatAll, from, Observable } from 'rxjs';

/**
 * The items of one batch of checks, in order, each check subscribed once the
 * one before it is done: emits those that passed (a skipped item emits
 * nothing) as one array, unless none did, then completes, or errors with a
 * refusal after the items before it.
 *
 * @example
 * ```ts
 * settle([of(1), EMPTY, of(3)]).subscribe(show); // [1, 3]
 * ```
 */
export function settle<T>(checks: readonly Observable<T>[]): Observable<T[]> {
  return new Observable<T[]>((subscriber) => {
    const items: T[] = [];
    const flush = () => items.length > 0 && subscriber.next(items);
    return from(checks)
      .pipe(concatAll())
      .subscribe({
        next: (item) => void items.push(item),
        error: (error: unknown) => (flush(), subscriber.error(error)),
        complete: () => (flush(), subscriber.complete()),
      });
  });
}
