/**
 * Turns the measurements into what people read: Markdown tables, an SVG chart
 * and the results section of bench/README.md.
 */
import type { LeakResult } from './leak.js';
import { sizeTable, type ScenarioSize } from './size.js';
import type { StormRow } from './retry-storm.js';
import { signedMib, type StreamResult } from './stream.js';
import type { Cell } from './throughput.js';

export interface Target {
  readonly what: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface Results {
  readonly date: string;
  readonly versions: Record<string, string>;
  readonly machine: string;
  readonly settings: string;
  readonly cells: readonly Cell[];
  readonly leaks: readonly LeakResult[];
  readonly storm: readonly StormRow[];
  readonly stream: StreamResult;
  /** Bytes per import scenario (bench/size.ts, .size-limit.cjs). */
  readonly sizes: readonly ScenarioSize[];
  readonly targets: readonly Target[];
  readonly seconds: number;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

/** One table per body: a row per contender, a column per concurrency. */
export function throughputTables(cells: readonly Cell[]): string {
  const bodies = [...new Set(cells.map((c) => c.body))];
  const concurrencies = [...new Set(cells.map((c) => c.concurrency))];
  const contenders = [...new Set(cells.map((c) => c.contender))];
  return bodies
    .map((body) => {
      const head = `| ${body} body | ${concurrencies.map((c) => `c=${c}: req/s (× fetch), CPU µs/req (× fetch), p50 / p99 ms`).join(' | ')} |`;
      const rule = `|---|${concurrencies.map(() => '---:').join('|')}|`;
      const rows = contenders.map((contender) => {
        const row = concurrencies.map((concurrency) => {
          const cell = cells.find((c) => c.body === body && c.concurrency === concurrency && c.contender === contender)!;
          return `${int(cell.reqPerSec)} (${cell.ratio.toFixed(2)}×), ${int(cell.cpuMicros)} (${cell.cpuRatio.toFixed(2)}×), ${ms(cell.p50)} / ${ms(cell.p99)}`;
        });
        return `| ${contender} | ${row.join(' | ')} |`;
      });
      return [head, rule, ...rows].join('\n');
    })
    .join('\n\n');
}

export function leakTable(leaks: readonly LeakResult[]): string {
  const describe = (counts: Record<string, number>) =>
    Object.keys(counts).length === 0 ? 'none' : Object.entries(counts).map(([type, n]) => `${type} ${n}`).join(', ');
  const rows = leaks.map(
    (l) =>
      `| ${l.transport} | ${int(l.requestsPerPoint * 4)} (${Object.values(l.seconds).map((s) => s.toFixed(1)).join(' / ')} s) | ${describe(l.resourcesBefore)} → ${describe(l.resourcesAfter)} | ${(l.heapGrowthBytes / 1e6).toFixed(2)} MB | ${l.warnings.length === 0 ? 'none' : l.warnings.join('; ')} | ${l.notCancelled} |`,
  );
  return [
    '| transport | requests cancelled (s per point: before headers / after headers / mid-body / during backoff) | active resources before → after | heap growth after GC | warnings | not cancelled |',
    '|---|---|---|---:|---|---:|',
    ...rows,
  ].join('\n');
}

export function stormTable(rows: readonly StormRow[]): string {
  return [
    '| failure rate | logical requests | server hits | hits per request | 1 + p + p² | succeeded | with withRetryBudget(): hits per request (succeeded) |',
    '|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${(r.failureRate * 100).toFixed(0)}% | ${int(r.logicalRequests)} | ${int(r.serverHits)} | ${r.hitsPerRequest.toFixed(2)} | ${r.expected.toFixed(2)} | ${int(r.succeeded)} | ${
          r.withBudget ? `${r.withBudget.hitsPerRequest.toFixed(2)} (${int(r.withBudget.succeeded)})` : 'no withRetryBudget() in this build'
        } |`,
    ),
  ].join('\n');
}

/** A row per contender: MiB/s and CPU per MiB against raw fetch's (medians of the rounds' ratios), peak RSS over the contender's own baseline. */
export function streamTable(result: StreamResult): string {
  return [
    `| ${result.bodyMib} MiB body | MiB/s (× fetch) | CPU ms per MiB (× fetch) | peak RSS over baseline | baseline RSS | MiB/s per round, in order |`,
    '|---|---:|---:|---:|---:|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.contender} | ${int(r.mibPerSec)} (${r.ratio.toFixed(2)}×) | ${r.cpuMsPerMib.toFixed(2)} (${r.cpuRatio.toFixed(2)}×) | ${signedMib(r.peakOverBaselineMib)} | ${r.baselineMib.toFixed(0)} MiB | ${r.rounds.map((round) => int(round.mibPerSec)).join(' / ')} |`,
    ),
  ].join('\n');
}

export function targetTable(targets: readonly Target[]): string {
  return [
    '| target | goal | measured | met |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.what} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
  ].join('\n');
}

const COLOURS = ['#6b7280', '#9ca3af', '#111827', '#f59e0b', '#8b5cf6', '#10b981', '#ec4899', '#2563eb', '#0ea5e9'];

/** Throughput over raw fetch's, per body (one panel each), concurrency (groups) and contender (bars). */
export function throughputSvg(cells: readonly Cell[], title: string): string {
  const bodies = [...new Set(cells.map((c) => c.body))];
  const concurrencies = [...new Set(cells.map((c) => c.concurrency))];
  const contenders = [...new Set(cells.map((c) => c.contender))];
  const bar = 9;
  const groupWidth = contenders.length * bar + 18;
  const panelWidth = 50 + concurrencies.length * groupWidth;
  const panelHeight = 260;
  const top = 50;
  const width = bodies.length * panelWidth + 240;
  const height = top + panelHeight + 50;
  const max = Math.max(1, Math.ceil(Math.max(...cells.map((c) => c.ratio)) * 2) / 2);
  const y = (ratio: number) => top + panelHeight - (ratio / max) * panelHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  bodies.forEach((body, b) => {
    const x0 = b * panelWidth + 40;
    parts.push(`<text x="${x0}" y="${top - 10}" font-weight="bold">${escape(body)} body: req/s ÷ raw fetch</text>`);
    for (let tick = 0; tick <= max; tick += 0.5) {
      parts.push(
        `<line x1="${x0}" x2="${x0 + panelWidth - 50}" y1="${y(tick)}" y2="${y(tick)}" stroke="${tick === 1 ? '#111' : '#e5e7eb'}" stroke-dasharray="${tick === 1 ? '4 3' : ''}"/>`,
        `<text x="${x0 - 6}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(1)}</text>`,
      );
    }
    concurrencies.forEach((concurrency, g) => {
      const gx = x0 + 10 + g * groupWidth;
      contenders.forEach((contender, i) => {
        const cell = cells.find((c) => c.body === body && c.concurrency === concurrency && c.contender === contender)!;
        parts.push(
          `<rect x="${gx + i * bar}" y="${y(cell.ratio)}" width="${bar - 1}" height="${y(0) - y(cell.ratio)}" fill="${COLOURS[i % COLOURS.length]}"><title>${escape(contender)} c=${concurrency}: ${cell.ratio.toFixed(2)}× (${int(cell.reqPerSec)} req/s)</title></rect>`,
        );
      });
      parts.push(`<text x="${gx + (contenders.length * bar) / 2}" y="${y(0) + 16}" text-anchor="middle">c=${concurrency}</text>`);
    });
  });
  contenders.forEach((contender, i) => {
    const lx = bodies.length * panelWidth + 10;
    const ly = top + i * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`, `<text x="${lx + 18}" y="${ly + 10}">${escape(contender)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The results section of bench/README.md. */
export function resultsMarkdown(results: Results): string {
  const versions = Object.entries(results.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    `Run of ${results.date}, ${results.seconds.toFixed(0)} s in all. ${results.machine}.`,
    `Versions: ${versions}.`,
    `Settings: ${results.settings}.`,
    '',
    '### Targets',
    '',
    targetTable(results.targets),
    '',
    '### Throughput and latency',
    '',
    'Medians over the rounds. × fetch is req/s divided by raw `fetch`\'s in the same run; for CPU time per request',
    '(of the client process, all threads, GC included) it is raw fetch\'s CPU time divided by the contender\'s, so above 1 is',
    'better in both. The CPU ratio is steadier than req/s when other work shares the machine.',
    '',
    '![throughput over raw fetch](results/throughput.svg)',
    '',
    throughputTables(results.cells),
    '',
    '### Cancellation and leaks',
    '',
    leakTable(results.leaks),
    '',
    '### Retry storm',
    '',
    stormTable(results.storm),
    '',
    '### Streaming',
    '',
    `A ${results.stream.bodyMib} MiB body per run, every contender in its own process, ${results.stream.rounds} rounds in rotated order, one contender streaming at a time.`,
    "MiB/s and CPU time per MiB (of the contender's process, GC included) are medians over the rounds; × fetch is the median of each",
    "round's ratio to raw fetch's run in the same round (above 1 is better for both). Peak RSS is the highest from the baseline (after a",
    `warm-up on 1 MiB bodies) through the large warm-up bodies and the rounds; ${results.stream.peakMethod}.`,
    '',
    streamTable(results.stream),
    '',
    '### Bundle size',
    '',
    'Each import scenario bundled by esbuild for the browser, minified, `process.env.NODE_ENV` "production", gzip -9 (size-limit;',
    'rxjs external unless the scenario says otherwise):',
    '',
    sizeTable(results.sizes),
  ].join('\n');
}

/** `Node 24.22.3 (its fetch: undici 7.30.2)`: what a run's numbers belong to. */
const nodeOf = (run: Results) => `Node ${run.versions.node} (its fetch: undici ${run.versions["undici in Node's fetch"] ?? 'unknown'})`;
const major = (run: Results) => Number(run.versions.node?.split('.')[0]);

/**
 * The per-version section of bench/README.md: the main throughput table and the targets of each
 * Node version's latest run (bench/results/node-<major>.json), side by side. Every cell is a ratio
 * taken within its own run, so runs on different days or under different load still compare.
 */
export function versionsMarkdown(runs: readonly Results[]): string {
  const sorted = [...runs].sort((a, b) => major(a) - major(b));
  const bodies = [...new Set(sorted.flatMap((r) => r.cells.map((c) => c.body)))];
  const concurrencies = [...new Set(sorted.flatMap((r) => r.cells.map((c) => c.concurrency)))];
  const contenders = [...new Set(sorted.flatMap((r) => r.cells.map((c) => c.contender)))];
  // Each concurrency's versions next to each other: the comparison the section is for.
  const columns = concurrencies.flatMap((concurrency) => sorted.map((run) => ({ run, concurrency })));
  const head = (first: string) =>
    [`| ${first} | ${columns.map(({ run, concurrency }) => `c=${concurrency}, Node ${major(run)}`).join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
  const throughput = bodies.map((body) => {
    const rows = contenders.map((contender) => {
      const cells = columns.map(({ run, concurrency }) => {
        const cell = run.cells.find((c) => c.body === body && c.concurrency === concurrency && c.contender === contender);
        if (!cell) return '–';
        // Raw fetch is what the others are divided by: its own row gives its req/s and CPU time instead.
        return contender === 'fetch' ? `${int(cell.reqPerSec)} req/s, ${int(cell.cpuMicros)} µs` : `${cell.ratio.toFixed(2)}× (${cell.cpuRatio.toFixed(2)}×)`;
      });
      return `| ${contender} | ${cells.join(' | ')} |`;
    });
    return [...head(`${body} body`), ...rows].join('\n');
  });
  // The bundle targets are left out: esbuild makes the same bundle whichever Node runs it.
  const goals = [
    ...new Map(sorted.flatMap((r) => r.targets.filter((t) => !t.what.startsWith('bundle')).map((t) => [`${t.what} | ${t.goal}`, t] as const))).values(),
  ];
  // The ratios issue 18 quotes, from the same rounds: what the client costs over what it is built on.
  const PAIRS = [
    ['rx-api-client', 'fetch'],
    ['rx-api-client', 'card pipeline'],
    ['rx-api-client + undici', 'undici.request'],
    ['rx-api-client + undici', 'fetch'],
  ] as const;
  const pairRows = bodies.flatMap((body) =>
    PAIRS.map(([ours, base]) => {
      const cells = sorted.map((run) => {
        const a = run.cells.find((c) => c.body === body && c.concurrency === 64 && c.contender === ours);
        const b = run.cells.find((c) => c.body === body && c.concurrency === 64 && c.contender === base);
        return a && b ? `${(a.reqPerSec / b.reqPerSec).toFixed(2)}× (${(b.cpuMicros / a.cpuMicros).toFixed(2)}×)` : '–';
      });
      return `| ${ours} ÷ ${base}, ${body} | ${cells.join(' | ')} |`;
    }),
  );
  const pairs = [`| c=64 | ${sorted.map(nodeOf).join(' | ')} |`, `|---|${sorted.map(() => '---:').join('|')}|`, ...pairRows];
  const targets = [
    `| target | goal | ${sorted.map(nodeOf).join(' | ')} |`,
    `|---|---|${sorted.map(() => '---').join('|')}|`,
    ...goals.map((goal) => {
      const cells = sorted.map((run) => {
        const t = run.targets.find((x) => x.what === goal.what && x.goal === goal.goal);
        return t ? `${t.measured}${t.met ? '' : ' (**not met**)'}` : '–';
      });
      return `| ${goal.what} | ${goal.goal} | ${cells.join(' | ')} |`;
    }),
  ];
  return [
    ...sorted.map((run) => `- **${nodeOf(run)}**: run of ${run.date}, ${run.seconds.toFixed(0)} s in all, ${run.machine}; undici (npm) ${run.versions.undici}, rxjs ${run.versions.rxjs}.`),
    '',
    "The client against what it is built on, at c=64: req/s divided by the other's in the same run (in brackets: the other's CPU",
    'time per request divided by the client\'s). Above 1 is better.',
    '',
    pairs.join('\n'),
    '',
    "Throughput per body: × raw fetch in req/s (in brackets: CPU time per request, raw fetch's divided by the contender's), medians",
    "over the rounds of that version's run; the fetch row gives raw fetch's own req/s and CPU µs per request. Above 1 is better.",
    '',
    throughput.join('\n\n'),
    '',
    'Targets, as the run on each version measured them:',
    '',
    targets.join('\n'),
  ].join('\n');
}

export const RESULTS_START = '<!-- results:start (written by npm run bench) -->';
export const RESULTS_END = '<!-- results:end -->';
export const VERSIONS_START = '<!-- versions:start (written by npm run bench) -->';
export const VERSIONS_END = '<!-- versions:end -->';

function replaceBetween(readme: string, startMarker: string, endMarker: string, section: string, what: string): string {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`bench/README.md has lost its ${what} markers`);
  return `${readme.slice(0, start + startMarker.length)}\n${section}\n${readme.slice(end)}`;
}

/** `readme` with its results section replaced by `section`. */
export function replaceResults(readme: string, section: string): string {
  return replaceBetween(readme, RESULTS_START, RESULTS_END, section, 'results');
}

/** `readme` with its per-version section replaced by `section`. */
export function replaceVersions(readme: string, section: string): string {
  return replaceBetween(readme, VERSIONS_START, VERSIONS_END, section, 'per-version');
}
