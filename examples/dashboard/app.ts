/**
 * A reactive dashboard page, one module per widget (./widgets): a poll of
 * `/api/stats` (conditional, so an unchanged value costs a 304; paused while
 * the tab is hidden; "Refresh now" polls at once) feeds the value, its
 * freshness and a sparkline; the client's events feed a request timeline.
 * Bundled for the browser by ./server.ts; served by `npm run example:dashboard`.
 */
import { distinctUntilChanged, filter, map, Subscription } from 'rxjs';
import { AsyncAPIClient, poll, withCircuitBreaker, withEvents } from '../../src/index.js';
import { mountOutageToggle, refreshClicks } from './widgets/controls.js';
import { mountFreshness } from './widgets/freshness.js';
import { mountSparkline } from './widgets/sparkline.js';
import { mountTimeline } from './widgets/timeline.js';
import { mountUpload } from './upload.js';

export interface Stats {
  visitors: number;
  /** The server's version of the data: it moves when the data changes. */
  version: number;
}

export interface DashboardOptions {
  /** Where the API is, e.g. `${location.origin}/api`. */
  apiBase: string;
  /** The wait between polls, in ms. @default 10000 */
  pollMs?: number;
  /** The client's first retry wait, in ms (the policy's `baseDelay`). @default 2000 */
  retryMs?: number;
  /** The poll's first wait after a failed poll, in ms (it doubles, up to 8 times that). @default pollMs */
  backoffMs?: number;
}

/** Starts the dashboard in `root`; unsubscribe to stop it (and cancel what is in flight). */
export function mountDashboard(root: ParentNode, options: DashboardOptions): Subscription {
  const find = <E extends Element = HTMLElement>(selector: string) => {
    const element = root.querySelector<E>(selector);
    if (!element) throw new Error(`the dashboard needs an element ${selector}`);
    return element;
  };
  const pollMs = options.pollMs ?? 10_000;
  const backoffMs = options.backoffMs ?? pollMs;
  // Events are opt-in: the feature passed after the options is where they come out.
  const events = withEvents();
  const client = new AsyncAPIClient(
    { baseUrl: options.apiBase, retry: { maxAttempts: 2, baseDelay: options.retryMs ?? 2_000 } },
    withCircuitBreaker({ failureThreshold: 4, resetTimeout: backoffMs * 4 }),
    events,
  );
  const subscription = new Subscription();
  // poll() shares one poller among its subscribers (the widgets), and replays the current state to each.
  const states$ = poll<Stats>(client, '/stats', {
    interval: pollMs,
    trigger: refreshClicks(find('#refresh')),
    backoff: { baseDelay: backoffMs, maxDelay: backoffMs * 8 },
  });

  subscription.add(mountTimeline(find('#timeline'), events.events$));
  subscription.add(mountFreshness({ value: find('#data'), status: find('#status') }, states$, (stats) => `${stats.visitors} visitors`));
  subscription.add(
    mountSparkline(
      find<SVGSVGElement>('#sparkline'),
      // A new point for each new value: a 304 keeps the same object, so it draws nothing.
      states$.pipe(
        map((state) => state.value),
        filter((value): value is Stats => value !== undefined),
        distinctUntilChanged(),
        map((stats) => stats.visitors),
      ),
    ),
  );
  subscription.add(mountOutageToggle(find('#outage'), new AsyncAPIClient({ baseUrl: options.apiBase })));
  // The file upload with its progress bar: its own client, on the XHR transport (./upload.ts).
  subscription.add(mountUpload(find('#upload'), { apiBase: options.apiBase }));
  return subscription;
}
