import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    exclude: ['spec/**/*.browser.spec.ts', 'node_modules/**'],
    environment: 'node',
    passWithNoTests: false,
    // The soak (spec/soak.spec.ts) measures memory after GC.
    execArgv: ['--expose-gc'],
  },
});
