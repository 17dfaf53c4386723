// Browser suite: spec/**/*.browser.spec.ts in headless Chromium, against the
// real endpoints that spec/support/browser-server.cjs serves under /api/ on
// Karma's own server. Run with `npm run test:browser`.
//
// An ES module (package.json has "type": "module"): Karma 6 loads it with
// require(), which Node 20.19 and later accept for ES modules.
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

if (!process.env.CHROME_BIN) {
  let chromium = '';
  try {
    chromium = execSync('command -v chromium', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not on PATH
  }
  process.env.CHROME_BIN = chromium || '/usr/bin/chromium';
}

export default function (config) {
  config.set({
    basePath: here,
    frameworks: ['jasmine'],
    plugins: ['karma-jasmine', 'karma-chrome-launcher', 'karma-esbuild', require('./spec/support/browser-server.cjs')],
    files: ['spec/**/*.browser.spec.ts'],
    preprocessors: { 'spec/**/*.browser.spec.ts': ['esbuild'] },
    // One bundle per spec file: the single-bundle mode fails to resolve the spec files.
    // esbuild bundles for the browser platform: the package's `#` imports (package.json "imports") resolve to
    // the browser side of the modules that have one, as in the package's browser build.
    esbuild: { singleBundle: false, target: 'es2022' },
    middleware: ['api'],

    hostname: '127.0.0.1',
    listenAddress: '127.0.0.1',
    port: 9876,

    browsers: ['ChromiumHeadlessCI'],
    customLaunchers: {
      ChromiumHeadlessCI: {
        base: 'ChromeHeadless',
        flags: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-quic',
          '--no-first-run',
        ],
      },
    },

    client: { jasmine: { timeoutInterval: 10000 } },
    reporters: ['dots'],
    singleRun: true,
    autoWatch: false,
    failOnEmptyTestSuite: true,
    captureTimeout: 60000,
    browserNoActivityTimeout: 60000,
    browserDisconnectTolerance: 0,
  });
}
