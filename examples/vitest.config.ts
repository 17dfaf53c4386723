import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The examples import the package by name, as an app does: resolved to the source (build/self-references.cjs).
const selfReferences: Record<string, string> = createRequire(import.meta.url)('../build/self-references.cjs');

// The examples' own tests (npm run test:examples): each example runs for real.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  // The Angular example's decorators (@Component, @Injectable), compiled as TypeScript's experimentalDecorators
  // (what Angular's decorators are written for), not left as they are for Node to choke on.
  oxc: { decorator: { legacy: true } },
  resolve: { alias: Object.entries(selfReferences).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: path })) },
  test: {
    include: ['examples/**/*.test.ts'],
    environment: 'node',
    passWithNoTests: false,
    testTimeout: 20_000,
  },
});
