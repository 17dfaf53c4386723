/**
 * The freshness widget: the latest value and how fresh it is, from the poll's
 * states alone: "updated 3 s ago", or, while the server fails, the last good
 * value marked stale and "retrying in 4 s", counting down each second.
 */
import { asyncScheduler, map, startWith, switchMap, timer, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { isCircuitOpenError, isHttpError, type PollState } from '../../../src/index.js';

/** Why the last poll failed, in a few words. */
function reasonOf(error: unknown): string {
  if (isHttpError(error)) return `status ${error.status}`;
  if (isCircuitOpenError(error)) return 'circuit open';
  return error instanceof Error ? error.name : 'failed';
}

/** The status line for a state at `now` (the poll's scheduler's time). */
export function freshnessOf(state: PollState<unknown>, now: number): string {
  if (state.stale) {
    const reason = reasonOf(state.error);
    return state.nextTryAt === undefined ? `${reason}; paused` : `${reason}; retrying in ${Math.max(0, Math.ceil((state.nextTryAt - now) / 1000))} s`;
  }
  if (state.lastChecked === undefined) return 'loading…';
  const ago = Math.max(0, Math.floor((now - state.lastChecked) / 1000));
  return state.nextTryAt === undefined ? `updated ${ago} s ago; checking…` : `updated ${ago} s ago`;
}

/** How long until the line of `state` changes (the countdown or the age moves to the next second), in ms. */
export function nextChangeIn(state: PollState<unknown>, now: number): number {
  if (state.stale && state.nextTryAt !== undefined) return (state.nextTryAt - now) % 1000 || 1000;
  if (state.lastChecked !== undefined) return 1000 - ((now - state.lastChecked) % 1000);
  return 1000;
}

/** Shows `label(value)` in `value` and the status line in `status`: at each state, then each time its line changes. */
export function mountFreshness<T>(
  elements: { readonly value: HTMLElement; readonly status: HTMLElement },
  states$: Observable<PollState<T>>,
  label: (value: T) => string,
  scheduler: SchedulerLike = asyncScheduler,
): Subscription {
  return states$
    .pipe(
      // Each new state restarts the ticks, aligned with the second boundaries of its own times.
      switchMap((state) => timer(nextChangeIn(state, scheduler.now()), 1000, scheduler).pipe(startWith(0), map(() => state))),
    )
    .subscribe((state) => {
      if (state.value !== undefined) elements.value.textContent = label(state.value);
      elements.value.classList.toggle('stale', state.stale);
      elements.status.textContent = freshnessOf(state, scheduler.now());
    });
}
