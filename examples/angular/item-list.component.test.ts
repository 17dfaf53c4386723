// @vitest-environment happy-dom
// The component in Angular's TestBed, zoneless and compiled just in time, with the test transport under
// the client (provideApiClientTesting): no server, and the client's 2 s and 4 s retries in virtual time.
import '@angular/compiler';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_TEST_TRANSPORT, provideApiClient, provideApiClientTesting } from 'rx-api-client/angular';
import { noAnswer, settle, sseReply, statusReply, testTransport, type TestTransport } from 'rx-api-client/testing';
import { ItemListComponent } from './item-list.component.js';

beforeAll(() => TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting()));

let scheduler: TestScheduler;
let api: TestTransport;
let fixture: ComponentFixture<ItemListComponent>;

beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), provideApiClient({ baseUrl: 'https://api.test/v1' }), provideApiClientTesting(testTransport({ scheduler }))],
  });
  api = TestBed.inject(API_TEST_TRANSPORT);
  // No change yet: the stream stays open.
  api.on('GET', '/v1/items/changes', sseReply([], { end: 'hang' }));
});

afterEach(() => {
  fixture?.destroy();
  api.verify();
  TestBed.resetTestingModule();
});

/** The component once its requests have run: virtual time, the body reads, then change detection. */
async function rendered(): Promise<HTMLElement> {
  await settle(scheduler);
  await fixture.whenStable();
  return fixture.nativeElement as HTMLElement;
}

const texts = (element: HTMLElement, selector: string) => [...element.querySelectorAll(selector)].map((node) => node.textContent?.trim());

describe('ItemListComponent (TestBed, zoneless, test transport)', () => {
  it('shows the items of the first page, loading until they come', async () => {
    fixture = TestBed.createComponent(ItemListComponent);
    // Change detection starts the resource, which sends the request; no route answers it: the test does.
    fixture.detectChanges();
    const pending = api.expectOne('GET /v1/items');
    expect(new URL(pending.request.url).searchParams.get('page')).toBe('1');
    expect(texts(fixture.nativeElement, '.loading')).toEqual(['Loading…']);
    await pending.flush([{ id: 1, name: 'lamp' }]);
    expect(texts(await rendered(), 'li')).toEqual(['lamp']);
    expect(texts(fixture.nativeElement, '.loading')).toEqual([]);
  });

  it('the client’s retries: two 503s, then the items, with the 2 s and 4 s waits in virtual time', async () => {
    api.on('GET', '/v1/items', statusReply(503), statusReply(503), { body: [{ id: 2, name: 'desk' }] });
    fixture = TestBed.createComponent(ItemListComponent);
    expect(texts(await rendered(), 'li')).toEqual(['desk']);
    expect(api.requests.filter((request) => request.url.includes('/v1/items?')).map((request) => request.time)).toEqual([0, 2_000, 6_000]);
  });

  it('says so when the retries are spent', async () => {
    api.on('GET', '/v1/items', statusReply(500));
    fixture = TestBed.createComponent(ItemListComponent);
    expect(texts(await rendered(), '.error')).toEqual(['The items could not be loaded (status 500).']);
  });

  it('a new page aborts the request of the old one (rxResource unsubscribes)', async () => {
    api.on('GET', '/v1/items', (request) => (new URL(request.url).searchParams.get('page') === '1' ? noAnswer() : { body: [{ id: 3, name: 'chair' }] }));
    fixture = TestBed.createComponent(ItemListComponent);
    fixture.detectChanges();
    // Page 1 is in flight (it would never answer) when the user asks for page 2.
    (fixture.nativeElement as HTMLElement).querySelector('button')!.click();
    expect(texts(await rendered(), 'li')).toEqual(['chair']);
    const pages = api.requests.filter((request) => request.url.includes('/v1/items?'));
    expect(pages.map((request) => [new URL(request.url).searchParams.get('page'), request.cancelled])).toEqual([
      ['1', true],
      ['2', false],
    ]);
  });

  it('shows the latest change from the event stream (toSignal)', async () => {
    api.on('GET', '/v1/items/changes', sseReply([{ id: '1', data: '{"id":1,"name":"lamp"}' }], { end: 'hang' }));
    api.on('GET', '/v1/items', { body: [] });
    fixture = TestBed.createComponent(ItemListComponent);
    expect(texts(await rendered(), '.change')).toEqual(['lamp changed']);
  });
});
