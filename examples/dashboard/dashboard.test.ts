import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from './server.js';

// Headless Chromium from the system (no browser download), driven by playwright-core.
// The page's clock is Playwright's fake clock: the 10 s polls and the 2 s and 4 s
// waits of the retry policy pass in virtual time; network I/O stays real.
const executablePath = process.env.CHROME_BIN ?? '/usr/bin/chromium';
const T0 = new Date('2030-01-01T00:00:00Z').getTime();

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

/** Polls the page from Node (real time) until `selector`'s text matches; fails after 5 s with what it saw. */
async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await page.textContent(selector)) ?? '';
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${selector} never matched ${pattern}: last text ${JSON.stringify(text)}`);
}

/** A new page on the dashboard, its clock paused: nothing time-based happens until runFor. */
async function openDashboard(): Promise<Page> {
  const page = await browser.newPage();
  await page.clock.install({ time: T0 });
  await page.clock.pauseAt(T0 + 1);
  await page.goto(`${server.url}/`);
  return page;
}

describe('the dashboard page in headless Chromium', () => {
  it('shows the data, then the retry countdown during an outage, then recovers', async () => {
    const page = await openDashboard();
    try {

      // The first poll (timer(0, 10000)) and its data.
      await page.clock.runFor(1);
      expect(await waitForText(page, '#data', /update #1\)/)).toBe('1207 visitors (update #1)');
      expect(await waitForText(page, '#status', /live/)).toBe('live');

      // The outage: the next poll fails with 503 and the client waits 2 s, then 4 s.
      server.outage(true);
      await page.clock.runFor(10_000);
      await waitForText(page, '#status', /status 503: retrying in 2 s/);
      await page.clock.runFor(1_000);
      await waitForText(page, '#status', /retrying in 1 s/);
      await page.clock.runFor(1_000);
      expect(await waitForText(page, '#status', /retrying in 4 s/)).toBe('status 503: retrying in 4 s');
      expect(await page.textContent('#data')).toBe('1207 visitors (update #1)');
      const hitsDuringOutage = server.statsHits();

      // The server recovers before the third attempt, which succeeds.
      server.outage(false);
      await page.clock.runFor(3_999);
      await waitForText(page, '#status', /retrying in 1 s/);
      // Give a premature attempt time to reach the server, if there were one.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.statsHits()).toBe(hitsDuringOutage);
      await page.clock.runFor(1);
      expect(await waitForText(page, '#data', /update #2\)/)).toBe('1214 visitors (update #2)');
      expect(await waitForText(page, '#status', /live/)).toBe('live');
      expect(server.statsHits()).toBe(hitsDuringOutage + 1);
    } finally {
      server.outage(false);
      await page.close();
    }
  });

  it('the outage button and a refresh click go through the same client', async () => {
    const page = await openDashboard();
    try {
      await page.clock.runFor(1);
      await waitForText(page, '#data', /visitors/);
      await page.click('#outage');
      await page.click('#refresh');
      await waitForText(page, '#status', /status 503: retrying in 2 s/);
      await page.click('#outage');
      await page.clock.runFor(2_000);
      await waitForText(page, '#status', /live/);
    } finally {
      server.outage(false);
      await page.close();
    }
  });
});
