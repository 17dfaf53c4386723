import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    exclude: ['spec/**/*.browser.spec.ts', 'node_modules/**'],
    environment: 'node',
    passWithNoTests: false,
  },
});
