import type { AsyncAPIClient, ClientEvent } from '../../src/index.js';

/** Collects the client's events from now on, all of them or those of one type. */
export function eventsOf<K extends ClientEvent['type'] = ClientEvent['type']>(client: AsyncAPIClient, type?: K): Extract<ClientEvent, { type: K }>[] {
  const events: Extract<ClientEvent, { type: K }>[] = [];
  client.events$.subscribe((event) => {
    if (type === undefined || event.type === type) events.push(event as Extract<ClientEvent, { type: K }>);
  });
  return events;
}
