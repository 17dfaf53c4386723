/**
 * A reactive dashboard page: it polls `/api/stats` with `switchMap` (a tick
 * or a click on "Refresh" cancels a request still in flight), shows the data,
 * and shows the client's retries live from the `withEvents()` feature: "retrying in
 * 4 s", counting down, while the server fails. Bundled for the browser by
 * ./server.ts; served by `npm run example:dashboard`.
 */
import { catchError, EMPTY, filter, fromEvent, interval, map, merge, of, startWith, Subscription, switchMap, takeWhile, timer, type Observable } from 'rxjs';
import { AsyncAPIClient, withEvents, type ClientEvent } from '../../src/index.js';

export interface Stats {
  visitors: number;
  /** How many answers the server has given: it grows with each successful poll. */
  served: number;
}

export interface DashboardOptions {
  /** Where the API is, e.g. `${location.origin}/api`. */
  apiBase: string;
  /** The time between polls, in ms. */
  pollMs?: number;
}

/** What the status line says for a lifecycle event; `undefined` for events that do not change it. */
export function statusOf(event: ClientEvent): Observable<string> | undefined {
  switch (event.type) {
    case 'retry': {
      const seconds = Math.ceil(event.delayMs / 1000);
      // A countdown to the next attempt: at once, then one line a second.
      return interval(1000).pipe(
        map((tick) => seconds - 1 - tick),
        startWith(seconds),
        takeWhile((left) => left > 0),
        map((left) => `${event.reason}: retrying in ${left} s`),
      );
    }
    case 'giveUp':
      return of(`unavailable after ${event.attempts} attempts; next poll soon`);
    case 'response':
      return event.status < 400 ? of('live') : undefined;
    default:
      return undefined;
  }
}

/** Starts the dashboard in `root`; unsubscribe to stop it (and cancel what is in flight). */
export function mountDashboard(root: ParentNode, options: DashboardOptions): Subscription {
  const find = (selector: string) => {
    const element = root.querySelector<HTMLElement>(selector);
    if (!element) throw new Error(`the dashboard needs an element ${selector}`);
    return element;
  };
  const data = find('#data');
  const status = find('#status');
  // Events are opt-in: the feature passed after the options is where they come out.
  const events = withEvents();
  const client = new AsyncAPIClient({ baseUrl: options.apiBase }, events);
  const subscription = new Subscription();

  const polls$ = merge(timer(0, options.pollMs ?? 10_000), fromEvent(find('#refresh'), 'click'));
  subscription.add(
    polls$
      .pipe(switchMap(() => client.getJson<Stats>('/stats').pipe(catchError(() => EMPTY))))
      .subscribe((stats) => (data.textContent = `${stats.visitors} visitors (update #${stats.served})`)),
  );

  subscription.add(
    events.events$
      .pipe(
        map(statusOf),
        filter((line$): line$ is Observable<string> => line$ !== undefined),
        switchMap((line$) => line$),
      )
      .subscribe((line) => (status.textContent = line)),
  );

  subscription.add(
    fromEvent(find('#outage'), 'click')
      .pipe(switchMap(() => client.request('POST', '/outage/toggle', { retry: false })))
      .subscribe(),
  );
  return subscription;
}
