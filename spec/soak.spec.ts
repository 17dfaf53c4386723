import { describe, expect, it } from 'vitest';
import type { Injection } from './support/fault-server.js';
import { emptyReport, expectedOutcome, runSoak, SOAK_FAULTS, soakProblems, type SoakOptions, type SoakReport } from './support/soak.js';

// The short soak of `npm test`; `npm run soak` runs the same with 50,000 requests.
const SHORT: SoakOptions = { requests: 2_000, concurrency: 100, seed: 7, rate: 0.2, checkpoints: 5 };

describe('the soak (short)', () => {
  it(
    `${SHORT.requests} requests at concurrency ${SHORT.concurrency}, ${SHORT.rate * 100}% of responses faulted: nothing lost, nothing left over`,
    async () => {
      const report = await runSoak(SHORT);
      expect(soakProblems(report, SHORT)).toEqual([]);

      // The chaos really happened: about a fifth of the responses faulted, every fault met, and more than one way to end.
      const total = [...report.injected.values()].reduce((a, b) => a + b, 0);
      const faulted = total - (report.injected.get('none') ?? 0);
      expect(faulted / total).toBeGreaterThan(0.17);
      expect(faulted / total).toBeLessThan(0.23);
      for (const fault of SOAK_FAULTS) expect(report.injected.get(fault), fault).toBeGreaterThan(0);
      expect([...report.seen.keys()]).toEqual(expect.arrayContaining(['value', 'BodyTooLargeError', 'HttpError', 'ParseError']));
    },
    60_000,
  );
});

describe('expectedOutcome', () => {
  it.each<[string, Injection[], ReturnType<typeof expectedOutcome>]>([
    ['a clean answer', ['none'], { outcome: 'value', attempts: 1 }],
    ['a slow answer', ['slow-body'], { outcome: 'value', attempts: 1 }],
    ['a reset, then a clean answer', ['reset-mid-body', 'none'], { outcome: 'value', attempts: 2 }],
    ['three retried faults', ['reset-mid-body', 'status-503', 'stall-headers'], { outcome: 'TimeoutError', attempts: 3 }],
    ['a final fault at once', ['invalid-json'], { outcome: 'ParseError', attempts: 1 }],
    ['a final fault after a retried one', ['status-429', 'gzip-bomb'], { outcome: 'BodyTooLargeError', attempts: 2 }],
    ['an attempt after a final fault', ['invalid-json', 'none'], undefined],
    ['an attempt after a value', ['none', 'none'], undefined],
    ['a retried fault with no attempt after it', ['reset-mid-body'], undefined],
    ['a fourth attempt', ['status-503', 'status-503', 'status-503', 'none'], undefined],
    ['no attempt at all', [], undefined],
  ])('%s', (_name, injected, expected) => {
    expect(expectedOutcome(injected)).toEqual(expected);
  });
});

describe('soakProblems', () => {
  const clean = (): SoakReport => {
    const report = emptyReport(new Map());
    report.requests = 10;
    report.seen.set('value', 9).set('HttpError', 1);
    report.expected.set('value', 9).set('HttpError', 1);
    report.socketsAtEnd = 4;
    report.memoryMiB.push(20, 21, 20.5);
    return report;
  };
  const options: SoakOptions = { requests: 10, concurrency: 2, seed: 1, rate: 0.2 };

  it('finds nothing wrong in a clean report', () => {
    expect(soakProblems(clean(), options)).toEqual([]);
  });

  it.each<[string, (r: SoakReport) => void, RegExp]>([
    ['a request that never ended', (r) => ((r.unfinished = 1), r.seen.set('value', 8)), /1 requests never ended/],
    ['a second terminal notification', (r) => (r.notificationViolations = 1), /did not get exactly one terminal notification/],
    ['an outcome that differs', (r) => ((r.mismatchCount = 1), r.mismatches.push('7: ...')), /1 outcomes differ/],
    ['counts that differ', (r) => (r.seen.set('value', 8), r.seen.set('NetworkError', 1)), /outcome counts .* differ/],
    ['an unhandled rejection', (r) => (r.unhandledRejections = 1), /1 unhandled rejections/],
    ['a timer left alive', (r) => (r.leftoverTimers = 2), /2 timers left alive/],
    ['a stalled request nobody aborted', (r) => (r.openResponsesAtEnd = 1), /still held 1 requests open/],
    ['sockets piling up', (r) => (r.socketsAtEnd = 5), /5 sockets open/],
    ['a socket left after the server closed', (r) => (r.leftoverHandles = 1), /1 sockets or servers left/],
    ['memory that grows', (r) => r.memoryMiB.push(29), /memory grew from 20 MiB to 29 MiB/],
  ])('reports %s', (_name, spoil, message) => {
    const report = clean();
    spoil(report);
    expect(soakProblems(report, options).join('\n')).toMatch(message);
  });
});
