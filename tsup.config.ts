import { createRequire } from 'node:module';
import { defineConfig, type Options } from 'tsup';

const browserModules = createRequire(import.meta.url)('./build/browser-modules.cjs');

const common: Options = {
  format: ['esm'],
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  external: ['rxjs', 'undici'],
};

// Browser builds: build/browser-modules.cjs swaps the Node-only modules (the client's own redirect
// following) for their browser side. Apps pick one through the package's export conditions: `production`
// (Angular's builder, Vite, webpack in production) gets short messages and no development-only checks,
// `development` the full ones, and a bundler that sets neither gets the build that reads
// process.env.NODE_ENV, which esbuild, Vite and webpack define.
const browser = (suffix: string, nodeEnv?: string): Options => ({
  ...common,
  entry: { [`browser/index${suffix}`]: 'src/index.ts' },
  platform: 'browser',
  esbuildPlugins: [browserModules],
  // Left as it is in the default build: esbuild would otherwise define it for a browser build by itself.
  define: { 'process.env.NODE_ENV': nodeEnv ? JSON.stringify(nodeEnv) : 'process.env.NODE_ENV' },
});

export default defineConfig([
  // Node (and the types of every build): ESM and CommonJS.
  { ...common, entry: { index: 'src/index.ts', undici: 'src/undici/index.ts' }, format: ['esm', 'cjs'], dts: true, clean: true },
  browser(''),
  browser('.production', 'production'),
  browser('.development', 'development'),
]);
