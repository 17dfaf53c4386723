/// <reference types="jasmine" />
// poll(), withSharing() and withCache() in headless Chromium (npm run test:browser), against
// /api/etag of spec/support/browser-server.cjs, which counts conditional requests and 304s. The
// polls' waits run on a VirtualTimeScheduler that the specs move by hand; the I/O is real.
import { lastValueFrom, toArray, VirtualTimeScheduler } from 'rxjs';
import { AsyncAPIClient, poll, withCache, withSharing, type PollState } from '../../../src/index';
import { API, serverHits, sleep, uniqueKey, waitForServer } from '../../support/browser';

/** Tells the page that the tab is hidden or shown, as the browser would: headless Chromium never hides it. */
function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Moves `scheduler` on by `ms`, running what falls due. */
function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  scheduler.maxFrames = scheduler.frame + ms;
  scheduler.flush();
}

/** Waits (real time, for the I/O) until the last state has a next try planned, and returns it. */
async function planned<T>(states: readonly PollState<T>[]): Promise<PollState<T>> {
  const deadline = Date.now() + 3000;
  while (states[states.length - 1]?.nextTryAt === undefined) {
    if (Date.now() > deadline) throw new Error(`no next try planned: ${JSON.stringify(states[states.length - 1])}`);
    await sleep(10);
  }
  return states[states.length - 1]!;
}

const client = () => new AsyncAPIClient({ baseUrl: API, retry: { maxAttempts: 1 }, timeout: 5000 });

describe('poll() in the browser', () => {
  afterEach(() => {
    // Back to the document's own getter.
    delete (document as unknown as Record<string, unknown>)['visibilityState'];
  });

  it('sends If-None-Match through the browser’s fetch; the 304 reaches the poll, which keeps the same value object', async () => {
    const key = uniqueKey('poll-etag');
    const scheduler = new VirtualTimeScheduler();
    const states: PollState<{ version: number }>[] = [];
    const subscription = poll<{ version: number }>(client(), '/etag', { params: { key }, interval: 1000, scheduler }).subscribe((s) => states.push(s));
    try {
      const first = await planned(states);
      expect(first.value).toEqual({ version: 1 });
      advance(scheduler, 1000);
      await waitForServer(key, (h) => h.notModified === 1);
      const second = await planned(states);
      expect(second.value).toBe(first.value);
      expect(second.lastChecked).toBe(1000);
      expect(second.lastFetched).toBe(0);
      expect((await serverHits(key)).conditional).toBe(1);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('sends nothing while the page is hidden, and polls at once when it is shown', async () => {
    const key = uniqueKey('poll-hidden');
    const scheduler = new VirtualTimeScheduler();
    const states: PollState<unknown>[] = [];
    const subscription = poll(client(), '/etag', { params: { key }, interval: 1000, scheduler }).subscribe((s) => states.push(s));
    try {
      await planned(states);
      setVisibility('hidden');
      expect(states[states.length - 1]!.nextTryAt).toBeUndefined();
      advance(scheduler, 60_000);
      await sleep(100);
      expect((await serverHits(key)).hits).toBe(1);
      // At once: the poll's scheduler is not moved again.
      setVisibility('visible');
      await waitForServer(key, (h) => h.hits === 2);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('with visibility: false, polls on while hidden', async () => {
    const key = uniqueKey('poll-always');
    const scheduler = new VirtualTimeScheduler();
    const states: PollState<unknown>[] = [];
    const subscription = poll(client(), '/etag', { params: { key }, interval: 1000, scheduler, visibility: false }).subscribe((s) => states.push(s));
    try {
      await planned(states);
      setVisibility('hidden');
      advance(scheduler, 1000);
      await waitForServer(key, (h) => h.hits === 2);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('a page hidden when the poll starts polls first when it is shown', async () => {
    const key = uniqueKey('poll-start-hidden');
    setVisibility('hidden');
    const subscription = poll(client(), '/etag', { params: { key }, interval: 1000 }).subscribe();
    try {
      await sleep(100);
      expect((await serverHits(key)).hits).toBe(0);
      setVisibility('visible');
      await waitForServer(key, (h) => h.hits === 1);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('unsubscribing during a poll aborts the request', async () => {
    const key = uniqueKey('poll-abort');
    const subscription = poll(client(), '/slow', { params: { key, ms: 30000 }, interval: 1000 }).subscribe();
    await waitForServer(key, (h) => h.hits === 1);
    subscription.unsubscribe();
    await waitForServer(key, (h) => h.aborted);
  });
});

describe('withSharing() and withCache() in the browser', () => {
  it('two identical reads in flight are one request', async () => {
    const key = uniqueKey('share');
    const shared = new AsyncAPIClient({ baseUrl: API }, withSharing());
    const [a, b] = await Promise.all([lastValueFrom(shared.getJson('/slow', { key, ms: 50 })), lastValueFrom(shared.getJson('/slow', { key, ms: 50 }))]);
    expect(b).toBe(a);
    expect((await serverHits(key)).hits).toBe(1);
  });

  it('a stale read emits the cached value, then revalidates with its ETag and gets a 304', async () => {
    const key = uniqueKey('cache');
    const cached = new AsyncAPIClient({ baseUrl: API }, withCache());
    const [first] = await lastValueFrom(cached.getJson('/etag', { key }).pipe(toArray()));
    const again = await lastValueFrom(cached.getJson('/etag', { key }).pipe(toArray()));
    expect(again).toEqual([first]);
    expect(again[0]).toBe(first);
    const hits = await serverHits(key);
    expect(hits.hits).toBe(2);
    expect(hits.notModified).toBe(1);
  });
});
