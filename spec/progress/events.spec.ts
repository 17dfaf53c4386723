import { describe, expect, it } from 'vitest';
import { throttle } from '../../src/progress/events.js';
import type { TransferProgress } from '../../src/index.js';

/** Counts at the given times (ms), then the end of the attempt; the events that go out. */
function run(steps: readonly (readonly [time: number, loaded: number, attempt?: number])[], interval = 50): [loaded: number, attempt: number][] {
  let clock = 0;
  const events: TransferProgress[] = [];
  const progress = throttle('download', (event) => events.push(event), interval, () => clock);
  let attempt = 1;
  for (const [time, loaded, of = attempt] of steps) {
    clock = time;
    attempt = of;
    progress.count(loaded, 100, attempt);
  }
  progress.end(attempt);
  return events.map((event) => [event.loaded, event.attempt]);
}

describe('throttle', () => {
  it.each([
    ['the first count of an attempt goes out at once, the last at its end', [[0, 0], [10, 30], [20, 100]], [[0, 1], [100, 1]]],
    ['no more often than the interval', [[0, 0], [10, 10], [50, 20], [60, 30], [100, 40], [110, 100]], [[0, 1], [20, 1], [40, 1], [100, 1]]],
    ['a count already told is not told again at the end', [[0, 0], [60, 100]], [[0, 1], [100, 1]]],
    ['a new attempt goes out at once, from its own start', [[0, 0], [10, 50], [20, 0, 2], [30, 40, 2], [100, 100, 2]], [[0, 1], [0, 2], [100, 2]]],
  ] as const)('%s', (_name, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  it('with an interval of 0, one event per count', () => {
    expect(run([[0, 0], [0, 10], [0, 20]], 0)).toEqual([[0, 1], [10, 1], [20, 1]]);
  });

  it('leaves total out when it is not known', () => {
    const events: TransferProgress[] = [];
    throttle('upload', (event) => events.push(event), 50, () => 0).count(5, undefined, 1);
    expect(events).toEqual([{ type: 'upload', loaded: 5, attempt: 1 }]);
  });
});
