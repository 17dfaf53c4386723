/**
 * Takes the README's screenshot of the dashboard (docs/dashboard.png) in
 * headless Chromium, on the page's fake clock: a few polls (some 304s), then
 * an outage, caught while the last value is stale and the poll counts down.
 *
 *   npm run example:dashboard:screenshot
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDashboardServer } from './server.js';

const executablePath = process.env.CHROME_BIN ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
const server = await startDashboardServer(0, 2);
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 820, height: 720 } });
  await page.clock.install({ time: new Date('2030-01-01T09:00:00Z') });
  await page.clock.pauseAt(new Date('2030-01-01T09:00:10Z'));
  await page.goto(`${server.url}/?poll=1000&retry=200&backoff=3000`);
  for (let i = 0; i < 14; i += 1) {
    await page.clock.runFor(1_000);
    await settle();
  }
  await Promise.all([page.waitForResponse(/\/api\/outage\/toggle$/), page.click('#outage')]);
  for (const ms of [1_000, 200, 1_000]) {
    await page.clock.runFor(ms);
    await settle();
  }
  await page.screenshot({ path: fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url)), fullPage: true });
} finally {
  await browser.close();
  await server.close();
}
