// An esbuild plugin for browser builds: a module of src/ that has a `.browser.ts` twin beside it is
// replaced by that twin (src/core/follow-redirects.ts by src/core/follow-redirects.browser.ts), so
// browser bundles carry none of the code that only Node can use. The package's browser builds (tsup),
// the size budgets (.size-limit.cjs) and the browser suite (karma.conf.js) all use it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

module.exports = {
  name: 'browser-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const twin = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};
