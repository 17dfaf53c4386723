import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uploadRoute, type UploadRoute } from './upload-route.js';
import { uploadStatus } from './upload.js';

// The upload widget alone, on a page of its own, in headless Chromium (real time: the server reads
// 4 MiB a second, so an upload of 4 MiB takes about a second).
const executablePath = process.env.CHROME_BIN ?? '/usr/bin/chromium';
const MiB = 1024 * 1024;
const SIZE = 4 * MiB;

let browser: Browser;
let script: string;
let server: Server | undefined;

beforeAll(async () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const bundle = await build({
    stdin: { contents: "import { mountUpload } from './upload.ts';\nmountUpload(document.querySelector('#upload'), { apiBase: `${location.origin}/api` });", resolveDir: here, loader: 'ts' },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
  });
  script = bundle.outputFiles[0]!.text;
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A page with the widget, served with `route`. */
async function openWidget(route: UploadRoute): Promise<Page> {
  server = createServer((req, res) => {
    if (route.handle(req, res)) return;
    if (req.url === '/upload.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="upload"></div><script type="module" src="/upload.js"></script>');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  // The file is made in the page: handing 4 MiB over the DevTools protocol (setInputFiles) takes seconds.
  await page.evaluate((size) => {
    const files = new DataTransfer();
    files.items.add(new File([new Uint8Array(size)], 'export.bin', { type: 'application/octet-stream' }));
    const input = document.querySelector<HTMLInputElement>('#upload-file')!;
    input.files = files.files;
    input.dispatchEvent(new Event('change'));
  }, SIZE);
  return page;
}

/** Polls until the status line matches; fails after `ms` with what it saw. */
async function waitForStatus(page: Page, pattern: RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  let text = '';
  while (Date.now() < deadline) {
    text = (await page.textContent('#upload-status')) ?? '';
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the status never matched ${pattern}: last ${JSON.stringify(text)}`);
}

describe('the dashboard upload widget in headless Chromium', () => {
  it('shows the progress, and Cancel aborts the upload on the server', async () => {
    const route = uploadRoute({ bytesPerSecond: 4 * MiB });
    const page = await openWidget(route);
    await page.click('#upload-start');
    await waitForStatus(page, /^\d+% \(/);
    expect(await page.isEnabled('#upload-cancel')).toBe(true);
    await page.click('#upload-cancel');
    expect(await page.textContent('#upload-status')).toBe('cancelled');
    const deadline = Date.now() + 5_000;
    while (route.counts().aborted === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(route.counts()).toEqual({ completed: 0, aborted: 1 });
  });

  it('retries after a 503 with "retrying (2/3)", then says what was stored', async () => {
    const route = uploadRoute({ bytesPerSecond: 4 * MiB, failFirst: 1 });
    const page = await openWidget(route);
    await page.click('#upload-start');
    await waitForStatus(page, /^retrying \(2\/3\): \d+% /);
    expect(await waitForStatus(page, /^stored/)).toBe(`stored ${SIZE} bytes`);
    expect(await page.evaluate(() => document.querySelector<HTMLProgressElement>('#upload-bar')!.value)).toBe(1);
    expect(route.counts().completed).toBe(1);
  });
});

describe('uploadStatus', () => {
  it.each([
    [{ type: 'upload', loaded: MiB, total: 4 * MiB, attempt: 1 }, '25% (1.0 of 4.0 MiB)'],
    [{ type: 'upload', loaded: 0, total: 4 * MiB, attempt: 2 }, 'retrying (2/3): 0% (0.0 of 4.0 MiB)'],
    [{ type: 'upload', loaded: MiB, attempt: 1 }, '(1.0)'],
    [{ type: 'result', value: { stored: 12 } }, 'stored 12 bytes'],
  ] as const)('%j says %s', (event, text) => {
    expect(uploadStatus(event)).toBe(text);
  });
});
