import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The examples' own tests (npm run test:examples): each example runs for real.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['examples/**/*.test.ts'],
    environment: 'node',
    passWithNoTests: false,
    testTimeout: 20_000,
  },
});
