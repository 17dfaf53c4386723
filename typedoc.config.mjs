// The API reference (`npm run docs`, into api-docs/, git-ignored), built from the doc comments.
// `npm test` builds it too (`npm run test:docs`) and fails on any warning: a missing doc comment on an
// exported declaration, method, property or accessor, a {@link} that does not resolve, a public type that
// refers to one that is not exported.
import { readFileSync } from 'node:fs';

// One entry point per export of package.json: "." is src/index.ts, "./name" is src/name/index.ts. A new
// entry (rx-api-client/testing, /angular...) is documented, and checked, as soon as package.json exports it.
const { exports } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entryPoints = Object.keys(exports)
  .filter((path) => !path.endsWith('.json'))
  .map((path) => (path === '.' ? 'src/index.ts' : `src/${path.slice(2)}/index.ts`));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'rx-api-client',
  entryPoints,
  tsconfig: 'tsconfig.docs.json',
  out: 'api-docs',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, invalidPath: true, notDocumented: true, unusedMergeModuleWith: true, rewrittenLink: true },
  // Every exported declaration, and every member a user reads: methods, properties (of interfaces, classes
  // and inline object types) and accessors (the errors' `name` getters).
  requiredToBeDocumented: ['Class', 'Function', 'Interface', 'TypeAlias', 'Variable', 'Enum', 'Method', 'Property', 'Accessor'],
  // Types of the plug-in contract that public types mention but the package does not export (yet): the
  // reference shows their name without a page. Exporting one is an API decision, not a docs one.
  intentionallyNotExported: [
    'AuthSource',
    'RetryPolicy',
    'RetryDecision',
    'AttemptOptions',
    'CircuitEntry',
    'CircuitListener',
    'CircuitGuardContext',
    'CircuitOutcome',
  ],
  sourceLinkExternal: false,
  disableSources: true,
};
