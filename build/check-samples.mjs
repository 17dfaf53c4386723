// Every ```ts / ```typescript sample of README.md and docs/**/*.md, type-checked as a user would compile it
// (issue 17). Each sample becomes a module in .samples/ (git-ignored) and one tsc run checks them all.
// The relative links of those pages are checked too (the file, and the #heading in it).
//
// What a sample may leave unshown:
//   - imports of the package and of rxjs: a name that the package's entry points (src/<entry>/index.ts) or
//     rxjs export, used in a sample that neither imports nor declares it, is imported for it (the package's
//     names first). Type-only rxjs names (OperatorFunction...) must be imported by the sample.
//   - the application around it: build/samples-prelude.d.ts declares, as globals, what samples use without
//     defining (`client`, `baseUrl`, `token`, `Item`, `render`...). Add a name there when a new sample needs it.
//   - setup of its own: an HTML comment just above the fence, `<!-- sample setup: declare const jobs: Job[]; -->`,
//     is put before the sample's code.
// A fragment that cannot compile (a list of signatures) has `<!-- not checked: the reason -->` just above it.
//
// Usage: node build/check-samples.mjs [--typescript <package>] [--dist]
//   --typescript: the compiler package to use (default `typescript`; `typescript-min` is the minimum supported
//                 version, an alias in devDependencies);
//   --dist:       import the package from the build's .d.ts (dist/, what is published) instead of src/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const compiler = option('--typescript') ?? 'typescript';
const fromDist = args.includes('--dist');
const out = join(root, '.samples', fromDist ? 'dist' : 'src');

// The markdown files: README.md and every .md under docs/.
const markdownFiles = ['README.md'];
const walk = (dir) => {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.md')) markdownFiles.push(path);
  }
};
if (existsSync(join(root, 'docs'))) walk('docs');

// The package's entry points, from package.json's exports, and the names each exports.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.keys(pkg.exports)
  .filter((path) => !path.endsWith('.json'))
  .map((path) => ({ specifier: path === '.' ? pkg.name : `${pkg.name}/${path.slice(2)}`, source: path === '.' ? 'src/index.ts' : `src/${path.slice(2)}/index.ts` }));
const exportedNames = (source) => {
  const text = readFileSync(join(root, source), 'utf8');
  const names = [];
  for (const [, list] of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of list.split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim();
      if (name) names.push(name);
    }
  }
  for (const [, name] of text.matchAll(/export\s+(?:declare\s+)?(?:const|function|class|interface|type|enum)\s+([\w$]+)/g)) names.push(name);
  return names;
};
const providers = new Map(); // name -> module specifier
for (const { specifier, source } of entries) for (const name of exportedNames(source)) if (!providers.has(name)) providers.set(name, specifier);
const rxjs = await import(createRequire(join(root, 'package.json')).resolve('rxjs'));
// rxjs names that are also ordinary words of an app (`queue.push(job)`, `window.location`) are never imported.
const NOT_FROM_RXJS = new Set(['default', 'animationFrame', 'asap', 'async', 'config', 'queue', 'window']);
for (const name of Object.keys(rxjs)) if (!providers.has(name) && !NOT_FROM_RXJS.has(name)) providers.set(name, 'rxjs');

// The samples: fenced ts/typescript blocks, with the HTML comment just above each.
const samples = [];
let skipped = 0;
for (const file of markdownFiles) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const marker = above >= 0 ? /^<!--\s*(not checked|sample setup):\s*([\s\S]*?)\s*-->$/.exec(lines[above].trim()) : null;
    i = end;
    if (marker?.[1] === 'not checked') {
      if (!marker[2]) throw new Error(`${file}:${start}: "not checked" needs a reason`);
      skipped++;
      continue;
    }
    samples.push({ file, line: start + 1, code: lines.slice(start, end).join('\n'), setup: marker?.[1] === 'sample setup' ? marker[2] : '' });
  }
}

// Relative links between the pages (README.md, docs/, bench/...) and their #anchors must resolve: the
// front page and docs/ link to each other, and a moved section breaks links silently otherwise.
const slug = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const anchorsOf = (file) => new Set(readFileSync(file, 'utf8').split('\n').filter((line) => /^#{1,6} /.test(line)).map((line) => slug(line.replace(/^#+ /, ''))));
const brokenLinks = [];
for (const file of markdownFiles) {
  const text = readFileSync(join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    const [path, anchor] = target.split('#');
    const resolved = path ? join(root, dirname(file), path) : join(root, file);
    if (!existsSync(resolved)) brokenLinks.push(`${file}: ${target} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) brokenLinks.push(`${file}: ${target} (no such heading)`);
  }
}
if (brokenLinks.length) {
  console.error(`samples: broken links:\n  ${brokenLinks.join('\n  ')}`);
  process.exitCode = 1;
}

// A module per sample: the imports it leaves out, its setup, its code.
const identifierNames = (code) => new Set(code.replace(/(^|\s)\/\/.*$/gm, '$1').match(/[A-Za-z_$][\w$]*/g) ?? []);
const importedOrDeclared = (code) => {
  const names = new Set();
  for (const [, list] of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)) for (const item of list.split(',')) names.add(item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim());
  for (const [, name] of code.matchAll(/import\s+(?:\*\s+as\s+)?([\w$]+)\s+from/g)) names.add(name);
  for (const [, name] of code.matchAll(/\b(?:const|let|var|function|class|interface|type|enum)\s+([\w$]+)/g)) names.add(name);
  return names;
};
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
for (const [index, sample] of samples.entries()) {
  const code = `${sample.setup}\n${sample.code}`;
  const own = importedOrDeclared(code);
  const missing = new Map();
  for (const name of identifierNames(code.replace(/^\s*import\b.*$/gm, ''))) {
    const from = providers.get(name);
    if (from && !own.has(name)) missing.set(from, [...(missing.get(from) ?? []), name]);
  }
  const header = [...missing].map(([from, names]) => `import { ${names.join(', ')} } from '${from}';`);
  header.push('export {};', sample.setup);
  sample.offset = header.length;
  sample.module = `${sample.file.replace(/[^\w]+/g, '-')}-${String(index).padStart(2, '0')}-L${sample.line}.ts`;
  writeFileSync(join(out, sample.module), `${header.join('\n')}\n${sample.code}\n`);
  files.push(sample.module);
}
copyFileSync(join(root, 'build/samples-prelude.d.ts'), join(out, 'prelude.d.ts'));

const toRoot = relative(out, root);
const paths = Object.fromEntries(
  entries.map(({ specifier, source }) => [
    specifier,
    [join(toRoot, fromDist ? `dist/${specifier === pkg.name ? 'index' : specifier.slice(pkg.name.length + 1)}.d.ts` : source)],
  ]),
);
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      typeRoots: [join(toRoot, 'node_modules/@types')],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      paths,
    },
    files: ['prelude.d.ts', ...files],
  }, null, 2),
);

const require = createRequire(join(root, 'package.json'));
const tsc = require.resolve(`${compiler}/bin/tsc`);
const { version } = require(`${compiler}/package.json`);
try {
  execFileSync(process.execPath, [tsc, '-p', join(out, 'tsconfig.json'), '--pretty', 'false'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  if (!brokenLinks.length) console.log(`samples: ${samples.length} samples of ${markdownFiles.length} markdown files compile with TypeScript ${version} against ${fromDist ? 'the build (dist/)' : 'src/'}${skipped ? ` (${skipped} marked "not checked")` : ''}`);
} catch (error) {
  // Point each error at the markdown line it comes from.
  const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  const byModule = new Map(samples.map((sample) => [sample.module, sample]));
  const mapped = text.replace(/^(?:\.samples\/(?:src|dist)\/)?([\w.-]+\.ts)\((\d+),(\d+)\)/gm, (whole, module, line, column) => {
    const sample = byModule.get(module);
    return sample ? `${sample.file}:${sample.line + Number(line) - 1 - sample.offset}:${column}` : whole;
  });
  console.error(`samples: TypeScript ${version} (${fromDist ? 'dist/' : 'src/'}) finds errors in the samples:\n${mapped}`);
  process.exitCode = 1;
}
