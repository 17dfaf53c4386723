import { vi } from 'vitest';
import type { AsyncAPIClient, ClientEvent } from '../../src/index.js';

/** Fake only the timers the client uses: real I/O (nock's promises, setImmediate) keeps running. */
export function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Records the client's events and the (virtual) time of each attempt, from now. */
export function watch(client: AsyncAPIClient) {
  const start = Date.now();
  const events: ClientEvent[] = [];
  const attemptTimes: number[] = [];
  const subscription = client.events$.subscribe((event) => {
    events.push(event);
    if (event.type === 'request') attemptTimes.push(Date.now() - start);
  });
  const ofType = <K extends ClientEvent['type']>(type: K) => events.filter((e): e is Extract<ClientEvent, { type: K }> => e.type === type);
  return { events, attemptTimes, ofType, retries: () => ofType('retry'), subscription };
}
