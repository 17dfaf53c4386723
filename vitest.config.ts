import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// The Angular entry imports the package by name: those names resolve to the source (build/self-references.cjs).
const selfReferences: Record<string, string> = createRequire(import.meta.url)('./build/self-references.cjs');

const NODE_SPECS = ['spec/**/*.spec.ts'];
const NOT_NODE = ['spec/**/*.browser.spec.ts', 'node_modules/**'];
// Checks of the undici run itself (that it is on undici), for that run only.
const UNDICI_ONLY = 'spec/**/*.undici.spec.ts';
// What only the fetch transport does (fetch's own rejections, through a stand-in for it), for the fetch run only.
const FETCH_ONLY = 'spec/**/*.fetch.spec.ts';

const PURE = 'pure functions or in-memory objects: no request is sent, so no transport runs';

/**
 * Spec files left out of the undici run, each with why. Anything not listed
 * here runs on both transports.
 */
const FILES_NOT_ON_UNDICI: Readonly<Record<string, string>> = {
  'spec/angular/server.spec.ts': 'on the test transport: the default one is never used',
  'spec/angular/provide.spec.ts': 'on the test transport: the default one is never used',
  'spec/testing/test-transport.spec.ts': 'the test transport is its own transport: the default one is never used',
  'spec/core/transport.spec.ts': 'about fetchTransport and resolveTransport themselves, which the undici run replaces',
  'spec/undici/index.spec.ts': 'runs on both transports already, in the fetch project',
  'spec/auth/helpers.spec.ts': PURE,
  'spec/docs/options.spec.ts': PURE,
  'spec/features/circuit-breaker.spec.ts': PURE,
  'spec/features/events.spec.ts': PURE,
  'spec/core/pipeline.spec.ts': 'runs the pipeline on a transport stand-in in virtual time; no socket to swap',
  'spec/core/headers.spec.ts': PURE,
  'spec/core/options.spec.ts': PURE,
  'spec/core/prepare.spec.ts': PURE,
  'spec/core/read-body.spec.ts': PURE,
  'spec/core/redact.spec.ts': PURE,
  'spec/core/redirect.spec.ts': PURE,
  'spec/core/response.spec.ts': PURE,
  'spec/retry/backoff.spec.ts': PURE,
  'spec/features/poll/pace.spec.ts': PURE,
  'spec/features/retry-budget.spec.ts': PURE,
  'spec/retry/decide.spec.ts': PURE,
  'spec/core/retry.spec.ts': PURE,
  'spec/retry/retry-after.spec.ts': PURE,
  'spec/streams/lines.spec.ts': PURE,
  'spec/core/url.spec.ts': PURE,
  'spec/core/url.property.spec.ts': PURE,
};

export default defineConfig({
  resolve: { alias: Object.entries(selfReferences).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: path })) },
  test: {
    environment: 'node',
    passWithNoTests: false,
    // The soak (spec/soak.spec.ts) measures memory after GC.
    execArgv: ['--expose-gc'],
    projects: [
      // The Node suite on the default transport: the platform's fetch (nock intercepts it).
      { extends: true, test: { name: 'fetch', include: NODE_SPECS, exclude: [...NOT_NODE, UNDICI_ONLY] } },
      // The same suite with undiciTransport() as the client's default: see spec/support/undici-default.ts.
      {
        extends: true,
        test: {
          name: 'undici',
          include: NODE_SPECS,
          exclude: [...NOT_NODE, FETCH_ONLY, ...Object.keys(FILES_NOT_ON_UNDICI)],
          setupFiles: ['spec/support/undici-default.ts'],
        },
      },
    ],
  },
});
