import { describe, expect, it } from 'vitest';
import { AsyncAPIClient } from '../../src/core/client.js';
import type { ClientContext, Feature, FeatureEvent } from '../../src/core/feature.js';
import { withEvents, type ClientEvent } from '../../src/features/events.js';

const event: ClientEvent = { type: 'request', method: 'GET', url: 'https://h/x', attempt: 1, headers: {} };

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
