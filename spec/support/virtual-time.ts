import { vi } from 'vitest';

/** Fake only the timers the client uses: real I/O (nock's promises, setImmediate) keeps running. */
export function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}
