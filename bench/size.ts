/**
 * What an app pays for the client, per import scenario: size-limit bundles
 * each scenario of .size-limit.cjs with esbuild for the browser, minified,
 * with process.env.NODE_ENV "production", and measures it with gzip -9.
 * size-limit checks each scenario's own limit; this script adds the budgets
 * that are relative to the core scenario (issue 11: a feature's marginal
 * bytes), prints the table, and fails when a budget is passed.
 *
 * Run: `npm run test:size` (part of `npm test`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One scenario as size-limit reports it (`--json`). */
export interface ScenarioSize {
  readonly name: string;
  /** gzip bytes, less esbuild's empty-bundle overhead (size-limit's own correction). */
  readonly size: number;
  readonly passed: boolean;
  /** The limit of .size-limit.cjs, in bytes. */
  readonly sizeLimit?: number;
}

/** The core scenario that marginal bytes are counted from. */
export const CORE_SCENARIO = '(i) core: AsyncAPIClient + getJson + bearerTokenAuth';

/** Issue 11's budgets on what a feature adds to the core scenario, in bytes: they fail the suite when passed. */
export const MARGINAL_BUDGETS: Readonly<Record<string, number>> = {
  '(ii) core + withCircuitBreaker': 1_200,
  // Issue 16: what validating getJson's data with a schema costs.
  'getJson with a schema: core + withValidation': 400,
};

/**
 * Issue 11's marginal budgets that are not met yet: reported in the table, while .size-limit.cjs
 * holds a ratchet on the scenario's whole size.
 */
export const PENDING_MARGINAL_BUDGETS: Readonly<Record<string, number>> = {
  '(iii) core + ndjson': 1_000,
};

/** Issue 11's budgets where .size-limit.cjs holds a ratchet instead (the budget is not met yet). */
export const ISSUE_BUDGETS: Readonly<Record<string, number>> = {
  [CORE_SCENARIO]: 4_096,
  '(i) with rxjs, es2015 condition': 10_240,
  '(i) with rxjs, default conditions': 11_776,
};

/** Every scenario of .size-limit.cjs, measured. */
export function measureScenarios(): ScenarioSize[] {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let output: string;
  try {
    output = execFileSync('npx', ['size-limit', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    // size-limit exits 1 when a limit is passed, and still prints the JSON.
    output = (error as { stdout?: string }).stdout ?? '';
    if (output === '') throw error;
  }
  return JSON.parse(output) as ScenarioSize[];
}

/** A row per scenario: its bytes, what it adds to the core, its limit and whether it holds. */
export function sizeRows(sizes: readonly ScenarioSize[]): { readonly scenario: string; readonly bytes: number; readonly marginal: number | undefined; readonly budget: string; readonly met: boolean }[] {
  const core = sizes.find((s) => s.name === CORE_SCENARIO)?.size ?? NaN;
  return sizes.map((s) => {
    const marginal = s.name.startsWith('(i)') ? undefined : s.size - core;
    const relative = MARGINAL_BUDGETS[s.name] ?? PENDING_MARGINAL_BUDGETS[s.name];
    const issue = ISSUE_BUDGETS[s.name];
    const budget =
      relative !== undefined
        ? `+${relative} B over (i)${s.name in PENDING_MARGINAL_BUDGETS ? `; ratchet ${s.sizeLimit} B` : ''}`
        : issue !== undefined
          ? `${issue} B (issue 11); ratchet ${s.sizeLimit} B`
          : `ratchet ${s.sizeLimit} B`;
    const met = s.passed && (relative === undefined || (marginal ?? 0) <= relative) && (issue === undefined || s.size <= issue);
    return { scenario: s.name, bytes: s.size, marginal, budget, met };
  });
}

/** The rows as a Markdown table. */
export function sizeTable(sizes: readonly ScenarioSize[]): string {
  const lines = ['| scenario | gzip bytes | over (i) | budget | met |', '|---|--:|--:|---|---|'];
  for (const row of sizeRows(sizes)) {
    lines.push(`| ${row.scenario} | ${row.bytes} | ${row.marginal === undefined ? '' : `+${row.marginal}`} | ${row.budget} | ${row.met ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = measureScenarios();
  console.log(sizeTable(sizes));
  // What fails the suite: a size-limit limit passed, or a marginal budget. The budgets not met yet (the
  // core's, ndjson's) are reported (the table's "met") and held by their ratchets until they are met.
  const failed = sizeRows(sizes).filter((row) => {
    const scenario = sizes.find((s) => s.name === row.scenario)!;
    const relative = MARGINAL_BUDGETS[row.scenario];
    return !scenario.passed || (relative !== undefined && (row.marginal ?? 0) > relative);
  });
  if (failed.length > 0) {
    console.error(`\nsize budgets exceeded: ${failed.map((row) => row.scenario).join('; ')}`);
    process.exit(1);
  }
  console.log('\nsize budgets hold');
}
