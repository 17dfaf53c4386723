import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { AsyncAPIClient } from '../../src/core/client.js';
import type { ClientContext, Feature, FeatureEvent } from '../../src/core/feature.js';
import { withCircuitBreaker } from '../../src/features/circuit-breaker/index.js';
import { withEvents, type ClientEvent } from '../../src/features/events.js';
import { testTransport } from '../../src/testing/index.js';

const event: ClientEvent = { type: 'request', method: 'GET', url: 'https://h/x', requestId: 1, time: 0, attempt: 1, headers: {} };

/**
 * A client with `features`, and its `emit` as a feature sees it (the way a feature such as the
 * circuit breaker tells its events): no request is sent.
 */
function clientWith(...features: Feature[]): (make: () => FeatureEvent) => void {
  let context: ClientContext | undefined;
  const capture: Feature = {
    order: 0,
    setup: (client) => {
      context = client;
      return {};
    },
  };
  new AsyncAPIClient({ baseUrl: 'https://h/' }, ...features, capture);
  return (make) => context!.emit(make);
}

describe('withEvents', () => {
  it('builds no event while nobody listens, nor in a client without it (events are opt-in)', () => {
    let built = 0;
    const make = () => {
      built += 1;
      return event;
    };
    clientWith(withEvents())(make);
    expect(built).toBe(0);
    clientWith()(make);
    expect(built).toBe(0);
  });

  it('delivers events to every subscriber, from the time it subscribed', () => {
    const events = withEvents();
    const emit = clientWith(events);
    const first: ClientEvent[] = [];
    const second: ClientEvent[] = [];
    const a = events.events$.subscribe((e) => first.push(e));
    emit(() => event);
    events.events$.subscribe((e) => second.push(e));
    emit(() => ({ ...event, attempt: 2 }) as ClientEvent);
    a.unsubscribe();
    expect(first.map((e) => (e.type === 'request' ? e.attempt : 0))).toEqual([1, 2]);
    expect(second.map((e) => (e.type === 'request' ? e.attempt : 0))).toEqual([2]);
  });

  it('stops building events once the last subscriber leaves', () => {
    const events = withEvents();
    const emit = clientWith(events);
    events.events$.subscribe().unsubscribe();
    let built = 0;
    emit(() => {
      built += 1;
      return event;
    });
    expect(built).toBe(0);
  });
});

describe('withEvents: telling requests apart', () => {
  /** A client whose transport answers its nth call with `statuses[n]` after `delays[n]` ms of the test scheduler (then 200 after 1 ms). */
  function clientOf(scheduler: TestScheduler, answers: readonly (readonly [status: number, delayMs: number])[], ...features: Feature[]) {
    const replies = [...answers, [200, 1] as const].map(([status, delay]) => ({ status, delay, body: {} }));
    const transport = testTransport({ scheduler }).on('GET', '*', ...replies);
    const events = withEvents();
    const seen: ClientEvent[] = [];
    events.events$.subscribe((e) => seen.push(e));
    const client = new AsyncAPIClient({ baseUrl: 'https://h/', transport, scheduler, retry: { baseDelay: 100 } }, ...features, events);
    return { client, seen };
  }

  it('two concurrent requests to one URL: each event carries the id of its logical request and the scheduler’s time', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const { client, seen } = clientOf(scheduler, [[503, 10], [200, 20], [200, 5]]);
    scheduler.run(() => {
      // request(): its reader is synchronous, so the test scheduler's clock alone decides (no body read).
      const items$ = client.request('GET', '/items');
      // The same cold Observable, subscribed twice: two logical requests.
      items$.subscribe();
      items$.subscribe();
    });
    const [first, second] = [...new Set(seen.map((e) => (e as { requestId: number }).requestId))];
    expect(first).toEqual(expect.any(Number));
    expect(second).not.toBe(first);
    expect(seen.map((e) => [e.type, (e as { requestId: number }).requestId, (e as { time: number }).time])).toEqual([
      ['request', first, 0],
      ['request', second, 0],
      ['response', first, 10],
      ['retry', first, 10],
      ['response', second, 20],
      ['request', first, 110],
      ['response', first, 115],
    ]);
  });

  it('a circuit event carries the id of the request whose attempt changed the state, and every event kind has both', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const { client, seen } = clientOf(scheduler, [[503, 10]], withCircuitBreaker({ failureThreshold: 1, resetTimeout: 1_000 }));
    scheduler.run(() => {
      client.request('GET', '/a', { retry: false }).subscribe({ error: () => undefined });
      client.request('GET', '/b').subscribe({ error: () => undefined });
      const cancelled = client.request('GET', '/c').subscribe({ error: () => undefined });
      cancelled.unsubscribe();
    });
    const idOf = (type: string, url: string) => (seen.find((e) => e.type === type && e.url === url) as { requestId: number } | undefined)?.requestId;
    expect(idOf('circuit', 'https://h/a')).toBe(idOf('request', 'https://h/a'));
    expect(seen.find((e) => e.type === 'circuit')).toMatchObject({ state: 'open', time: 10 });
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(['request', 'response', 'circuit', 'giveUp', 'cancel']));
    for (const event of seen) expect(event).toMatchObject({ requestId: expect.any(Number), time: expect.any(Number) });
    expect(new Set([idOf('giveUp', 'https://h/a'), idOf('giveUp', 'https://h/b'), idOf('cancel', 'https://h/c')]).size).toBe(3);
  });
});
