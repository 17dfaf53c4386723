import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from './server.js';

// Headless Chromium from the system (no browser download), driven by playwright-core. The page's
// clock is Playwright's fake clock: its polls, retries and backoffs pass in virtual time, with the
// example's short waits (?poll=1000&retry=200&backoff=1000); network I/O stays real.
const executablePath = process.env.CHROME_BIN ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
const T0 = new Date('2030-01-01T00:00:00Z').getTime();
const QUERY = '?poll=1000&retry=200&backoff=1000';

let browser: Browser;
let server: DashboardServer;

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Waits in real time (the I/O) until `check` holds; fails after 5 s with what it last saw. */
async function until<T>(read: () => Promise<T> | T, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`${what} never held: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

const textOf = (page: Page, selector: string) => page.textContent(selector).then((text) => text ?? '');
const waitForText = (page: Page, selector: string, pattern: RegExp) => until(() => textOf(page, selector), (text) => pattern.test(text), `${selector} ~ ${pattern}`);
const hitsReach = (n: number) => until(() => server.statsHits(), (hits) => hits >= n, `${n} hits of /api/stats`);

/** A new page on the dashboard, its clock paused, after its first poll has shown the data. */
async function openDashboard(): Promise<Page> {
  const page = await browser.newPage();
  await page.clock.install({ time: T0 });
  // Well after install's time, however slow the machine: pausing cannot go back.
  await page.clock.pauseAt(T0 + 10_000);
  const before = server.statsHits();
  await page.goto(`${server.url}/${QUERY}`);
  await page.clock.runFor(1);
  await hitsReach(before + 1);
  await waitForText(page, '#data', /^\d+ visitors$/);
  await waitForText(page, '#status', /^updated 0 s ago$/);
  return page;
}

/** What a hidden or shown tab tells the page: headless Chromium is never really hidden. */
const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
  page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { value, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

/** Clicks the outage toggle and waits until the server has it. */
const toggleOutage = (page: Page) => Promise.all([page.waitForResponse(/\/api\/outage\/toggle$/), page.click('#outage')]);

describe('the dashboard page in headless Chromium', () => {
  it('polls conditionally: after the first poll the server answers 304s, and the timeline shows them', async () => {
    const page = await openDashboard();
    try {
      const before = server.conditional();
      const hits = server.statsHits();
      await page.clock.runFor(1_000);
      await hitsReach(hits + 1);
      await until(() => server.conditional(), (now) => now.notModified === before.notModified + 1, 'a 304');
      expect(server.conditional().asked).toBe(before.asked + 1);
      await waitForText(page, '#timeline', /← 304 not modified \/api\/stats/);
      await waitForText(page, '#status', /^updated 0 s ago$/);
      // A 304 draws no new point; the data changes every third answer, and that one does.
      expect(await page.getAttribute('#sparkline', 'data-count')).toBe('1');
      for (const n of [2, 3]) {
        await page.clock.runFor(1_000);
        await hitsReach(hits + n);
      }
      await until(() => page.getAttribute('#sparkline', 'data-count'), (count) => count === '2', 'a second point');
      expect(server.conditional().notModified).toBe(before.notModified + 2);
    } finally {
      await page.close();
    }
  });

  it('has the file upload card mounted, served by the same server', async () => {
    const page = await openDashboard();
    try {
      expect(await page.isVisible('#upload #upload-file')).toBe(true);
      expect(await page.isDisabled('#upload #upload-start')).toBe(true);
      // The page's own fetch of the upload route: the dashboard's server answers it (the widget's test covers its progress).
      const stored = await page.evaluate(async () => (await fetch('/api/upload', { method: 'POST', body: 'twelve bytes' })).json());
      expect(stored).toEqual({ stored: 12 });
    } finally {
      await page.close();
    }
  });

  it('sends nothing while the page is hidden, and polls at once when it is shown', async () => {
    const page = await openDashboard();
    try {
      await setVisibility(page, 'hidden');
      const hits = server.statsHits();
      await page.clock.runFor(10_000);
      // Give a poll that should not happen the time to reach the server.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(server.statsHits()).toBe(hits);
      await waitForText(page, '#status', /^updated 10 s ago; checking…$|^updated 10 s ago$/);
      await setVisibility(page, 'visible');
      // At once: the clock has not moved.
      await hitsReach(hits + 1);
      await waitForText(page, '#status', /^updated 0 s ago$/);
    } finally {
      await page.close();
    }
  });

  it('"Refresh now" polls at once', async () => {
    const page = await openDashboard();
    try {
      const hits = server.statsHits();
      await page.click('#refresh');
      await hitsReach(hits + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.statsHits()).toBe(hits + 1);
    } finally {
      await page.close();
    }
  });

  it('an outage shows the last value as stale with a countdown, the retries and the circuit in the timeline, and recovers', async () => {
    const page = await openDashboard();
    try {
      const shown = await textOf(page, '#data');
      await toggleOutage(page);
      await page.clock.runFor(1_000);
      // The client's retry (200 ms), then the poll's own backoff (1 s) with its countdown.
      await waitForText(page, '#timeline', /↻ status 503: retry in 1 s/);
      await page.clock.runFor(200);
      await waitForText(page, '#status', /^status 503; retrying in 1 s$/);
      expect(await textOf(page, '#data')).toBe(shown);
      expect(await page.getAttribute('#data', 'class')).toBe('stale');
      // The second failed poll doubles the wait, and its second attempt opens the circuit. Its first attempt's
      // 503 comes over real I/O: the client's retry is planned only then, so the clock moves on after it is.
      await page.clock.runFor(1_000);
      await until(() => textOf(page, '#timeline'), (text) => (text.match(/↻ status 503: retr(y in|ied)/g) ?? []).length >= 2, 'the second poll\'s retry');
      await page.clock.runFor(200);
      await waitForText(page, '#status', /^status 503; retrying in 2 s$/);
      await page.clock.runFor(1_000);
      await waitForText(page, '#status', /^status 503; retrying in 1 s$/);
      await waitForText(page, '#timeline', /⚡ circuit closed → open/);

      // The server recovers; the circuit lets a probe through after its reset timeout, and the poll recovers.
      await toggleOutage(page);
      for (let i = 0; i < 12 && !/^updated/.test(await textOf(page, '#status')); i += 1) {
        await page.clock.runFor(1_000);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await waitForText(page, '#status', /^updated 0 s ago$/);
      expect(await page.getAttribute('#data', 'class')).toBe('');
      await waitForText(page, '#timeline', /⚡ circuit halfOpen → closed/);
    } finally {
      await page.close();
    }
  });
});
