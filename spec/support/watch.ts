import { vi } from 'vitest';
import type { ClientEvent, ClientEvents } from '../../src/index.js';
import { until } from './until.js';

/** Fake only the timers the client uses: real I/O (nock's promises, setImmediate) keeps running. */
export function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Records the events of a client's `withEvents()` feature and the (virtual) time of each attempt, from now. */
export function watch(feature: ClientEvents) {
  const start = Date.now();
  const events: ClientEvent[] = [];
  const attemptTimes: number[] = [];
  const subscription = feature.events$.subscribe((event) => {
    events.push(event);
    if (event.type === 'request') attemptTimes.push(Date.now() - start);
  });
  const ofType = <K extends ClientEvent['type']>(type: K) => events.filter((e): e is Extract<ClientEvent, { type: K }> => e.type === type);
  return { events, attemptTimes, ofType, retries: () => ofType('retry'), subscription };
}

/**
 * Lets the retry waits pass one by one, in virtual time: for each, waits
 * until that retry is scheduled (real I/O landing), then advances the clock by it.
 */
export async function passRetryWaits(seen: ReturnType<typeof watch>, waits: readonly number[]): Promise<void> {
  for (const [i, wait] of waits.entries()) {
    await until(() => seen.retries().length === i + 1);
    await vi.advanceTimersByTimeAsync(wait);
  }
}
