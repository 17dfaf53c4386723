/**
 * The controls widget: "Refresh now" (its clicks are the poll's trigger) and
 * the server-outage toggle.
 */
import { catchError, EMPTY, fromEvent, map, switchMap, type Observable, type Subscription } from 'rxjs';
import type { AsyncAPIClient } from '../../../src/index.js';

/** The clicks of the refresh button, for `poll()`'s `trigger`. */
export function refreshClicks(button: HTMLElement): Observable<void> {
  return fromEvent(button, 'click').pipe(map(() => undefined));
}

/**
 * Each click of `button` starts or ends the demo server's outage, through `client`: a client of its
 * own, so that the dashboard's open circuit does not refuse the click that ends the outage.
 */
export function mountOutageToggle(button: HTMLElement, client: AsyncAPIClient): Subscription {
  return fromEvent(button, 'click')
    .pipe(switchMap(() => client.request('POST', '/outage/toggle', { retry: false }).pipe(catchError(() => EMPTY))))
    .subscribe();
}
