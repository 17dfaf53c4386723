/**
 * What an app pays for the client: it imports AsyncAPIClient, getJson and
 * bearerTokenAuth, and a bundler (esbuild here) tree-shakes and minifies it.
 * rxjs excluded is the Angular case (the app has it already); included, it is
 * everything the client pulls in. Sizes are gzip level 9, in bytes.
 *
 * Besides the two totals, {@link sizeBreakdown} says where the bytes come
 * from: every module in the bundle, its minified bytes (esbuild's metafile
 * `bytesInOutput`) and what it adds to the gzip size (see {@link ModuleSize}).
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The example app, importing the client from `entry` (relative to the repository). */
const app = (entry: string) => `
import { AsyncAPIClient, bearerTokenAuth } from '${entry}';
const client = new AsyncAPIClient('https://api.example.com/v1', bearerTokenAuth(localStorage.getItem('token')));
client.getJson('/items', { page: 2 }).subscribe((items) => console.log(items));
`;
/** The example app's name in the source map and in the breakdown. */
const APP_FILE = 'app.ts';

/** Issue 6's targets, 1 KB = 1024 bytes. */
export const SIZE_TARGETS = { ownCode: 3 * 1024, withRxjs: 10 * 1024 } as const;

/** rxjs left out of the bundle: the app has it already. */
export const RXJS_EXTERNAL: readonly string[] = ['rxjs', 'rxjs/*'];

const gzip = (code: string | Uint8Array): number => gzipSync(code, { level: 9 }).length;

/** The example app bundled and minified: its code and the module each piece of that code came from. */
interface Bundle {
  readonly code: string;
  /** The code cut into runs of characters, each with the module it came from (undefined: esbuild's own). */
  readonly pieces: readonly { readonly text: string; readonly module: string | undefined }[];
  /** Minified bytes per module, from the metafile. */
  readonly bytesInOutput: ReadonlyMap<string, number>;
}

/** What a caller may change in {@link bundleApp}; the other settings are the same for all, so the numbers compare. */
export interface BundleOptions {
  /** Rewrite the sources on load: bench/size-features.ts cuts features out that way. */
  readonly plugins?: Plugin[];
  /**
   * Where the app imports the client from, relative to the repository.
   * @default './src/index.ts'
   */
  readonly entry?: string;
  /** Package export conditions: `['es2015']` takes rxjs's ES2015 build, where esbuild's default takes its ES5 build. */
  readonly conditions?: string[];
}

/** Bundles the example app as the size check does, with `external` left out. */
export async function bundleApp(external: readonly string[], options: BundleOptions = {}): Promise<Bundle> {
  const { plugins = [], entry = './src/index.ts', conditions } = options;
  const result = await build({
    stdin: { contents: app(entry), resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts', sourcefile: APP_FILE },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: [...external],
    plugins,
    metafile: true,
    // External: the code is the same as without a source map, no trailing comment.
    sourcemap: 'external',
    outfile: 'app.js',
    write: false,
    logLevel: 'silent',
    ...(conditions && { conditions }),
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
  const map = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map'))!.text) as { sources: string[]; mappings: string };
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.js'))![1];
  const bytesInOutput = new Map(Object.entries(output.inputs).map(([path, input]) => [moduleName(path), input.bytesInOutput]));
  return { code, pieces: splitBySource(code, map).map((p) => ({ text: p.text, module: p.source === undefined ? undefined : moduleName(p.source) })), bytesInOutput };
}

/**
 * A readable module name: `src/client.ts`, `rxjs/internal/Subject.js`,
 * `tslib/tslib.es6.mjs`, `(the example app)`: the metafile's path and the
 * source map's (rxjs's `src/internal/Subject.ts`) end up the same.
 */
export function moduleName(path: string): string {
  if (path === '<stdin>' || path.endsWith(APP_FILE)) return '(the example app)';
  const inPackage = path.lastIndexOf('node_modules/');
  if (inPackage >= 0) {
    // The metafile names rxjs's dist/esm5 files; the source map follows rxjs's own maps to its src/*.ts.
    const name = path.slice(inPackage + 'node_modules/'.length);
    return name.startsWith('rxjs/') ? name.replace(/^rxjs\/(?:dist\/esm5?|src)\//, 'rxjs/').replace(/\.ts$/, '.js') : name;
  }
  return path.replace(/^(?:\.\.\/)*(?:.*\/)?(src\/)/, '$1');
}

/** The gzip size of the example app, bundled and minified, with `external` left out. */
export async function gzippedSize(external: readonly string[]): Promise<number> {
  return gzip((await bundleApp(external)).code);
}

/** Both sizes: our own code (rxjs external) and the app's whole bundle. */
export async function bundleSizes(): Promise<{ ownCode: number; withRxjs: number }> {
  return { ownCode: await gzippedSize(RXJS_EXTERNAL), withRxjs: await gzippedSize([]) };
}

/** One row of a breakdown: a module, or a group of them. */
export interface ModuleSize {
  /** The module (`src/options.ts`, `rxjs/internal/Subject.js`) or the group's label. */
  readonly module: string;
  /** Its bytes in the minified bundle (esbuild's `bytesInOutput`). */
  readonly minified: number;
  /**
   * Its cost in the gzip size, estimated by leaving it out: the bundle's gzip
   * size minus the gzip size of the same code with this module's pieces cut
   * out (found through the source map). That is what its text adds given
   * everything else in the bundle, which gzip shares with it; it is not the
   * saving of removing the feature, which would also remove the code that calls
   * it (bench/size-features.ts measures that).
   */
  readonly gzip: number;
}

/** Where the bytes of one bundle come from. */
export interface SizeBreakdown {
  /** The minified bundle, in bytes. */
  readonly minified: number;
  /** The gzip -9 size of the bundle, in bytes. */
  readonly gzip: number;
  /** Largest first (minified bytes). */
  readonly rows: readonly ModuleSize[];
  /**
   * The gzip bytes no single row accounts for: text repeated across modules,
   * which gzip pays for once, whichever module is left out. `gzip` is the sum
   * of the rows' `gzip` and this.
   */
  readonly shared: number;
}

/**
 * Where the bytes of the example app's bundle come from, module by module.
 *
 * @param external `RXJS_EXTERNAL` for our own code, `[]` for the whole bundle
 * @param options.group the row a module is counted in (the module's own name by default):
 *   a group's `gzip` is measured by leaving all its modules out at once
 * @param options also those of {@link bundleApp}
 */
export async function sizeBreakdown(
  external: readonly string[],
  options: BundleOptions & { readonly group?: (module: string, minified: number) => string } = {},
): Promise<SizeBreakdown> {
  const { group = (module: string) => module, ...bundleOptions } = options;
  const bundle = await bundleApp(external, bundleOptions);
  const total = gzip(bundle.code);
  const groups = new Map<string, number>();
  for (const [module, bytes] of bundle.bytesInOutput) {
    if (bytes === 0) continue; // re-export modules such as src/index.ts
    const label = group(module, bytes);
    groups.set(label, (groups.get(label) ?? 0) + bytes);
  }
  const labelOf = new Map([...bundle.bytesInOutput].map(([module, bytes]) => [module, group(module, bytes)]));
  const rows = [...groups]
    .map(([label, minified]) => {
      const without = bundle.pieces.filter((p) => p.module === undefined || labelOf.get(p.module) !== label).map((p) => p.text).join('');
      return { module: label, minified, gzip: total - gzip(without) };
    })
    .sort((a, b) => b.minified - a.minified || b.gzip - a.gzip);
  return { minified: Buffer.byteLength(bundle.code), gzip: total, rows, shared: total - rows.reduce((sum, row) => sum + row.gzip, 0) };
}

/** Both breakdowns of the example app: our own code module by module, and the whole bundle with our code as one row. */
export async function sizeBreakdowns(): Promise<{ ownCode: SizeBreakdown; withRxjs: SizeBreakdown }> {
  return {
    ownCode: await sizeBreakdown(RXJS_EXTERNAL),
    withRxjs: await sizeBreakdown([], { group: ourCodeAsOneRow }),
  };
}

/** For the whole bundle: our code (and the app) in one row, the long tail of small rxjs helpers in another, so that the table stays readable. */
export function ourCodeAsOneRow(module: string, minified: number): string {
  if (module.startsWith('src/') || module === '(the example app)') return 'rx-api-client (src/, table above) and the app';
  if (module.startsWith('rxjs/') && minified < 150) return 'rxjs: the other modules (under 150 bytes each)';
  return module;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/** A Markdown table of a breakdown, largest first, with the totals as its last row. */
export function breakdownTable(breakdown: SizeBreakdown): string {
  return [
    '| module | minified bytes | share of minified | gzip bytes (left out) |',
    '|---|---:|---:|---:|',
    ...breakdown.rows.map((row) => `| ${row.module} | ${int(row.minified)} | ${percent(row.minified, breakdown.minified)} | ${int(row.gzip)} |`),
    `| text shared between modules (gzip counts it once) | | | ${int(breakdown.shared)} |`,
    `| **bundle** | **${int(breakdown.minified)}** | 100% | **${int(breakdown.gzip)}** |`,
  ].join('\n');
}

/**
 * Cuts generated code into runs of characters, each with the source it came
 * from, by the source map's mappings: a run goes from one mapped segment to
 * the next. Columns are UTF-16 units of the line, as `code` is a string.
 */
export function splitBySource(code: string, map: { sources: readonly string[]; mappings: string }): { text: string; source: string | undefined }[] {
  const pieces: { text: string; source: string | undefined }[] = [];
  const lines = code.split('\n');
  let source = 0;
  map.mappings.split(';').forEach((mapping, index) => {
    const line = lines[index] ?? '';
    const segments: { column: number; source: number | undefined }[] = [];
    let column = 0;
    for (const segment of mapping.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlq(segment);
      column += fields[0]!;
      if (fields.length > 1) source += fields[1]!;
      segments.push({ column, source: fields.length > 1 ? source : undefined });
    }
    pieces.push({ text: line.slice(0, segments[0]?.column ?? line.length), source: undefined });
    segments.forEach((segment, i) => {
      const text = line.slice(segment.column, segments[i + 1]?.column ?? line.length);
      pieces.push({ text, source: segment.source === undefined ? undefined : map.sources[segment.source] });
    });
    if (index < lines.length - 1) pieces.push({ text: '\n', source: undefined });
  });
  return pieces.filter((p) => p.text !== '');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one source map segment (base64 VLQ). */
function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
