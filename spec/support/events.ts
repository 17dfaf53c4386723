import type { ClientEvent, ClientEvents } from '../../src/index.js';

/** Collects the events of a `withEvents()` feature from now on, all of them or those of one type. */
export function eventsOf<K extends ClientEvent['type'] = ClientEvent['type']>(events: ClientEvents, type?: K): Extract<ClientEvent, { type: K }>[] {
  const seen: Extract<ClientEvent, { type: K }>[] = [];
  events.events$.subscribe((event) => {
    if (type === undefined || event.type === type) seen.push(event as Extract<ClientEvent, { type: K }>);
  });
  return seen;
}
