// @vitest-environment happy-dom
// The app as main.ts starts it: bootstrapApplication() with appConfig, in a document, compiled just in
// time, with the test transport added under the client (provideApiClientTesting). What TestBed does not
// show: provideApiClient() in a real application's environment injector, and the component in the page.
import '@angular/compiler';
import { type ApplicationRef } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { API_TEST_TRANSPORT, provideApiClientTesting } from 'rx-api-client/angular';
import { AsyncAPIClient } from 'rx-api-client';
import { settle, sseReply, statusReply, testTransport, type TestTransport } from 'rx-api-client/testing';
import { appConfig } from './app.config.js';
import { ItemListComponent } from './item-list.component.js';

let app: ApplicationRef | undefined;

afterEach(() => {
  app?.destroy();
  app = undefined;
  document.body.innerHTML = '';
});

/** The app bootstrapped into a page that holds its element, as main.ts does, on `api`. */
async function bootstrap(api: TestTransport) {
  document.body.innerHTML = '<app-item-list></app-item-list>';
  // No change yet: the event stream stays open.
  api.on('GET', '/v1/items/changes', sseReply([], { end: 'hang' }));
  app = await bootstrapApplication(ItemListComponent, { providers: [...appConfig.providers, provideApiClientTesting(api)] });
  expect(app.injector.get(API_TEST_TRANSPORT)).toBe(api);
  return app.injector.get(AsyncAPIClient);
}

const texts = (selector: string) => [...document.querySelectorAll(selector)].map((node) => node.textContent?.trim());

describe('the app, bootstrapped as main.ts does', () => {
  it('shows the items from the client that appConfig provides, after its retries', async () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const api = testTransport({ scheduler }).on('GET', '/v1/items', statusReply(503), { body: [{ id: 1, name: 'lamp' }] });
    const client = await bootstrap(api);
    expect(client.baseUrl).toBe('https://api.example.com/v1/');
    await settle(scheduler);
    await app!.whenStable();
    expect(texts('app-item-list li')).toEqual(['lamp']);
    // The 503, then the retry 2 s later (virtual time).
    expect(api.requests.filter((request) => request.url.includes('/v1/items?')).map((request) => request.time)).toEqual([0, 2_000]);
  });

  it('destroying the app unsubscribes: the request in flight is cancelled', async () => {
    const api = testTransport();
    await bootstrap(api);
    // No route answers the items: the request waits for the test.
    const pending = api.expectOne('GET /v1/items');
    app!.destroy();
    app = undefined;
    expect(pending.request.cancelled).toBe(true);
  });
});
