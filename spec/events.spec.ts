import { describe, expect, it } from 'vitest';
import { EventStream, type ClientEvent } from '../src/events.js';

const event: ClientEvent = { type: 'request', method: 'GET', url: 'https://h/x', attempt: 1, headers: {} };

describe('EventStream', () => {
  it('builds no event while nobody listens', () => {
    const events = new EventStream();
    let built = 0;
    events.emit(() => {
      built += 1;
      return event;
    });
    expect(built).toBe(0);
  });

  it('delivers events to every subscriber, from the time it subscribed', () => {
    const events = new EventStream();
    const first: ClientEvent[] = [];
    const second: ClientEvent[] = [];
    const a = events.events$.subscribe((e) => first.push(e));
    events.emit(() => event);
    events.events$.subscribe((e) => second.push(e));
    events.emit(() => ({ ...event, attempt: 2 }));
    a.unsubscribe();
    expect(first.map((e) => (e.type === 'request' ? e.attempt : 0))).toEqual([1, 2]);
    expect(second.map((e) => (e.type === 'request' ? e.attempt : 0))).toEqual([2]);
  });

  it('stops building events once the last subscriber leaves', () => {
    const events = new EventStream();
    events.events$.subscribe().unsubscribe();
    let built = 0;
    events.emit(() => {
      built += 1;
      return event;
    });
    expect(built).toBe(0);
  });
});
