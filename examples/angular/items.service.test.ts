// The service against a real loopback server, through Angular's injector (JIT: the compiler is loaded for @Injectable).
import '@angular/compiler';
import { Injector } from '@angular/core';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, withEvents, type Feature } from 'rx-api-client';
import { provideApiClient } from 'rx-api-client/angular';
import { eventsOf } from '../../spec/support/events.js';
import { record } from '../../spec/support/record.js';
import { startServer, type TestServer } from '../../spec/support/server.js';
import { until } from '../../spec/support/until.js';
import { ItemsService } from './items.service.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers /items and /items/search?q=, and never answers /items?page=99. */
async function itemsServer(...features: Feature[]) {
  server = await startServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.searchParams.get('page') === '99') return; // hangs
    if (url.pathname === '/api/items/changes') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('id: 1\ndata: {"id":1,"name":"renamed"}\n\n');
      return;
    }
    const q = url.searchParams.get('q');
    if (q === 'slow') return; // hangs
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(q === null ? [{ id: Number(url.searchParams.get('page')), name: 'lamp' }] : [{ id: 2, name: `found ${q}` }]));
  });
  return Injector.create({ providers: [provideApiClient({ baseUrl: `${server.origin}/api` }, ...features), ItemsService] });
}

describe('ItemsService with Angular’s injector', () => {
  it('gets the client from the injector, one instance per injector', async () => {
    const injector = await itemsServer();
    expect(injector.get(AsyncAPIClient)).toBeInstanceOf(AsyncAPIClient);
    expect(injector.get(ItemsService)).toBe(injector.get(ItemsService));
    injector.destroy();
  });

  it('gives the client the features passed after its options', async () => {
    const events = withEvents();
    const injector = await itemsServer(events);
    const seen = eventsOf(events, 'request');
    const recording = record(injector.get(ItemsService).list(2));
    await until(recording.done);
    expect(recording.values).toEqual([[{ id: 2, name: 'lamp' }]]);
    expect(seen.map(({ method, url, attempt }) => ({ method, url, attempt }))).toEqual([{ method: 'GET', url: `${server!.origin}/api/items`, attempt: 1 }]);
    injector.destroy();
  });

  it('list() emits the items of a page', async () => {
    const injector = await itemsServer();
    const recording = record(injector.get(ItemsService).list(3));
    await until(recording.done);
    expect(recording.values).toEqual([[{ id: 3, name: 'lamp' }]]);
    expect(server!.hits[0]!.url).toBe('/api/items?page=3');
    injector.destroy();
  });

  it('the consumer unsubscribing cancels the request', async () => {
    const injector = await itemsServer();
    const recording = record(injector.get(ItemsService).list(99));
    await until(() => server!.hits.length === 1);
    recording.subscription.unsubscribe();
    await until(() => server!.hits[0]!.closedEarly);
    injector.destroy();
  });

  it('search(): a new term aborts the search in flight', async () => {
    const injector = await itemsServer();
    const terms = new Subject<string>();
    const recording = record(injector.get(ItemsService).search(terms, 0));
    terms.next('slow');
    await until(() => server!.hits.length === 1);
    terms.next('lamp');
    await until(() => recording.values.length === 1);
    expect(recording.values).toEqual([[{ id: 2, name: 'found lamp' }]]);
    await until(() => server!.hits[0]!.closedEarly);
    injector.destroy();
  });

  it('changes(): Server-Sent Events parsed into items', async () => {
    const injector = await itemsServer();
    const recording = record(injector.get(ItemsService).changes());
    await until(recording.done);
    expect(recording.values).toEqual([{ id: 1, name: 'renamed' }]);
    injector.destroy();
  });
});
