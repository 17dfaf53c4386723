// The package's entries by name, mapped to their source: the Angular entry imports 'rx-api-client' and
// 'rx-api-client/testing' by name (so that its build keeps them as imports of the package, one class for an
// app), and the tools that run the source (vitest, karma's esbuild, size-limit) resolve them here.
const { join } = require('node:path');

const root = join(__dirname, '..');
module.exports = {
  'rx-api-client/testing': join(root, 'src/testing/index.ts'),
  'rx-api-client/angular': join(root, 'src/angular/index.ts'),
  'rx-api-client': join(root, 'src/index.ts'),
};
