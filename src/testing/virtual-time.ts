/**
 * Virtual time with the client's `scheduler`, for code that reads bodies.
 *
 * A `TestScheduler` runs the client's timers (the 2 s and 4 s backoff, the
 * timeout) at once, but a body read is a Promise, which no scheduler flushes:
 * a test of `getJson` that only flushes the scheduler stops at the first body.
 * {@link settle} and {@link advanceBy} alternate the two: they let the
 * Promises run (one task turn), then run the timers that are due, and again,
 * until nothing is left (or the time is reached).
 *
 * @module
 */
import type { SchedulerLike } from 'rxjs';
import { ConfigurationError } from '../core/errors.js';

/** What {@link settle} needs of a scheduler: a `TestScheduler` or `VirtualTimeScheduler` used outside `run()`. */
interface VirtualClock extends SchedulerLike {
  frame: number;
  maxFrames: number;
  readonly actions: readonly { readonly delay: number }[];
  flush(): void;
}

// A stream that never ends (an SSE stream that reconnects forever) would keep settle() busy for ever.
const MAX_TURNS = 10_000;

/**
 * Runs a virtual scheduler's timers, and the Promises between them (body
 * reads), until none is left. Resolves when nothing more can happen without
 * the test; the scheduler's `now()` is then the time of the last timer.
 *
 * @param scheduler the client's `TestScheduler` (not inside `run()`)
 * @returns a Promise that resolves when the client is idle
 * @example
 * ```ts
 * const items = lastValueFrom(client.getJson('/items'));
 * await settle(scheduler);
 * expect(await items).toEqual([{ id: 1 }]);
 * ```
 */
export function settle(scheduler: SchedulerLike): Promise<void> {
  return runUntil(asVirtual(scheduler, 'settle'), Infinity);
}

/**
 * Moves a virtual scheduler's time on by `ms`, running the timers due by
 * then and the Promises between them, then sets its clock to the time
 * reached: what happens "after 2 s".
 *
 * @param scheduler the client's `TestScheduler` (not inside `run()`)
 * @param ms how far to move time, in milliseconds
 * @returns a Promise that resolves when that time is reached
 * @example
 * ```ts
 * client.getJson('/items').subscribe();
 * await advanceBy(scheduler, 2_000);
 * expect(api.requests).toHaveLength(2);
 * ```
 */
export async function advanceBy(scheduler: SchedulerLike, ms: number): Promise<void> {
  const clock = asVirtual(scheduler, 'advanceBy');
  const to = clock.frame + ms;
  await runUntil(clock, to);
  clock.frame = Math.max(clock.frame, to);
}

async function runUntil(clock: VirtualClock, to: number): Promise<void> {
  for (let turns = 0; turns < MAX_TURNS; turns += 1) {
    await nextTask();
    const next = clock.actions[0];
    if (!next || next.delay > to) return;
    // The timers due at the first time only: what they start (a body read) gets its turn before later ones.
    const limit = clock.maxFrames;
    clock.maxFrames = next.delay;
    try {
      clock.flush();
    } finally {
      clock.maxFrames = limit;
    }
  }
  throw new Error(`still busy after ${MAX_TURNS} timers: a stream that never ends? Use advanceBy(scheduler, ms)`);
}

/** One task turn: every Promise that can settle meanwhile does. A MessageChannel, not setTimeout, so that fake timers do not stop it. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(resolve, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

function asVirtual(scheduler: SchedulerLike, name: string): VirtualClock {
  const clock = scheduler as Partial<VirtualClock>;
  if (typeof clock.flush !== 'function' || !Array.isArray(clock.actions) || typeof clock.frame !== 'number') {
    throw new ConfigurationError(
      `${name} needs a virtual scheduler: an rxjs TestScheduler (outside run()) or VirtualTimeScheduler given to the client as its scheduler; with fake timers, use your test runner's async timer functions (vi.runAllTimersAsync())`,
    );
  }
  return clock as VirtualClock;
}
