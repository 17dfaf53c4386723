import { defineConfig, type Options } from 'tsup';

// process.env.NODE_ENV, in the builds that leave it to the runtime: read once, safely (build/node-env.js).
const runtimeNodeEnv: Options = {
  define: { 'process.env.NODE_ENV': 'RX_API_CLIENT_NODE_ENV' },
  inject: ['build/node-env.js'],
  // An identifier, not a string, on purpose: the variable that build/node-env.js exports.
  esbuildOptions: (options) => {
    options.logOverride = { ...options.logOverride, 'suspicious-define': 'silent' };
  },
};

const common: Options = {
  format: ['esm'],
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  external: ['rxjs', 'undici'],
};

// Browser builds: platform 'browser' resolves the package's own `#` imports (package.json "imports") to the
// browser side of the Node-only modules (the client's own redirect following, upload counting). Apps pick one through the package's export conditions: `production`
// (Angular's builder, Vite and webpack in production mode) gets short messages and no development-only
// checks, `development` the full ones, and a bundler that sets neither gets the build that reads NODE_ENV
// at run time (full messages unless it is "production"; never a `process is not defined`).
const browser = (suffix: string, nodeEnv?: string): Options => ({
  ...common,
  entry: { [`browser/index${suffix}`]: 'src/index.ts' },
  platform: 'browser',
  ...(nodeEnv ? { define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) } } : runtimeNodeEnv),
});

// No config cleans dist/: tsup runs them in parallel, and one that cleaned at its start could delete what another
// had written (publint once found dist/angular.d.ts missing). The build script empties dist/ once, before tsup.
export default defineConfig([
  // Node (and the types of every build): ESM and CommonJS.
  { ...common, ...runtimeNodeEnv, entry: { index: 'src/index.ts', undici: 'src/undici/index.ts', xhr: 'src/xhr/index.ts', testing: 'src/testing/index.ts' }, format: ['esm', 'cjs'], dts: true },
  // rx-api-client/angular: its own build, importing the package's other entries by name (not bundling copies),
  // so that an app has one AsyncAPIClient class (the injection token) whichever build of the main entry it gets.
  {
    ...common,
    ...runtimeNodeEnv,
    entry: { angular: 'src/angular/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    external: [...(common.external ?? []), /^@angular\//, 'rx-api-client', 'rx-api-client/testing'],
  },
  browser(''),
  browser('.production', 'production'),
  browser('.development', 'development'),
]);
