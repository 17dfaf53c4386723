/**
 * The request timeline widget: the client's lifecycle events (`withEvents()`)
 * as they happen, newest first: attempts, responses (304s marked), retries
 * with a countdown to the next attempt, cancellations, the circuit's state.
 */
import { interval, map, mergeMap, of, startWith, takeWhile, type Observable, type Subscription } from 'rxjs';
import type { ClientEvent } from '../../../src/index.js';

/** The line of one event; a retry's line counts down, one line a second. */
export function linesOf(event: ClientEvent): Observable<string> {
  const path = new URL(event.url).pathname;
  switch (event.type) {
    case 'request':
      return of(`→ ${event.method} ${path} (attempt ${event.attempt})`);
    case 'response':
      return of(`← ${event.status}${event.status === 304 ? ' not modified' : ''} ${path}`);
    case 'retry': {
      const seconds = Math.ceil(event.delayMs / 1000);
      return interval(1000).pipe(
        map((tick) => seconds - 1 - tick),
        startWith(seconds),
        takeWhile((left) => left >= 0),
        map((left) => (left > 0 ? `↻ ${event.reason}: retry in ${left} s` : `↻ ${event.reason}: retried`)),
      );
    }
    case 'giveUp':
      return of(`✕ ${path}: gave up after ${event.attempts} attempts`);
    case 'cancel':
      return of(`⊘ ${path}: cancelled`);
    case 'circuit':
      return of(`⚡ circuit ${event.previous} → ${event.state}`);
    default:
      return of(`${(event as ClientEvent).type} ${path}`);
  }
}

/** Lists the events of `events$` in `list`, newest first, keeping the last `keep`. */
export function mountTimeline(list: HTMLElement, events$: Observable<ClientEvent>, keep = 12): Subscription {
  return events$
    .pipe(
      mergeMap((event) => {
        const item = list.ownerDocument.createElement('li');
        item.dataset['type'] = event.type;
        list.prepend(item);
        while (list.children.length > keep) list.lastElementChild!.remove();
        return linesOf(event).pipe(map((line) => ({ item, line })));
      }),
    )
    .subscribe(({ item, line }) => (item.textContent = line));
}
