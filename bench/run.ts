/**
 * `npm run bench`: throughput and latency against raw fetch, undici and the
 * peer clients, the design card's pipeline and undici.request (issue 12's
 * ratios); what each feature costs when on (features.ts) and the client's own
 * cost without sockets (overhead.ts); cancellation and leaks; the retry
 * storm; streaming a large body; the bundle size.
 * Prints everything, and writes bench/results/latest.json,
 * bench/results/throughput.svg and the results section of bench/README.md.
 *
 * Environment: BENCH_ROUNDS (4), BENCH_WINDOW_MS (600), BENCH_WARMUP_MS (400), BENCH_JIT_WARMUP_MS (2000),
 * BENCH_CONCURRENCY (1,16,64,256), BENCH_POOL (64), BENCH_LEAK_REQUESTS (25000
 * per cancel point, fetch transport; a fifth of that on undici's), BENCH_STORM_REQUESTS (2000),
 * BENCH_STREAM_MIB (100: the streamed body's size), BENCH_STREAM_ROUNDS (7),
 * BENCH_FEATURES=0 to leave out the feature and overhead runs, BENCH_WRITE=0 to print without writing files.
 *
 * A Node version as argument (`npm run bench -- 24`, or `-- --node 24`; 24.22.3 for an exact one)
 * runs the whole benchmark on that Node, installed on demand by scripts/node-binary.mjs (the newest
 * 24.x the npm registry serves); without one it runs on the machine's. Every run writes
 * bench/results/node-<major>.json and the per-version section of bench/README.md (all the
 * node-*.json side by side); only a run without a version argument also writes latest.json,
 * throughput.svg and the results section, which stay the machine's Node's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SKIPPED } from './contenders.js';
import { measureLeaks, type LeakResult } from './leak.js';
import { startLoopback } from './loopback.js';
import { measureRetryStorm } from './retry-storm.js';
import { CORE_SCENARIO, ISSUE_BUDGETS, measureScenarios, sizeTable } from './size.js';
import { measureStreaming, MIB, signedMib, type StreamResult } from './stream.js';
import { measureThroughput, type Cell } from './throughput.js';
import {
  leakTable,
  replaceResults,
  replaceVersions,
  resultsMarkdown,
  stormTable,
  streamTable,
  targetTable,
  throughputSvg,
  throughputTables,
  type Results,
  type Target,
  versionsMarkdown,
} from './report.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const started = performance.now();
const here = (path: string) => new URL(path, import.meta.url);

/** The Node version asked for: `--node 24`, `--node=24` or a bare `24` (undefined: the machine's, this process's). */
function nodeArgument(args: readonly string[]): string | undefined {
  const at = args.findIndex((a) => a === '--node' || a.startsWith('--node='));
  const value = at < 0 ? args.find((a) => /^v?\d+(\.\d+){0,2}$/.test(a)) : args[at]!.includes('=') ? args[at]!.slice('--node='.length) : args[at + 1];
  if (at >= 0 && !value) throw new Error('--node needs a version: npm run bench -- --node 24');
  return value?.replace(/^v/, '');
}
const askedNode = nodeArgument(process.argv.slice(2));
const onAskedNode = askedNode === undefined || process.versions.node === askedNode || process.versions.node.startsWith(`${askedNode}.`);
if (!onAskedNode) {
  // The whole run, its server and child processes included (fork takes process.execPath), on that Node.
  const node = execFileSync(process.execPath, [fileURLToPath(here('../scripts/node-binary.mjs')), askedNode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const run = spawnSync(node, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--node', askedNode], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const versionOf = (name: string) => (JSON.parse(readFileSync(here(`../node_modules/${name}/package.json`), 'utf8')) as { version: string }).version;

const versions: Record<string, string> = {
  node: process.versions.node,
  "undici in Node's fetch": process.versions.undici ?? 'unknown',
  undici: versionOf('undici'),
  rxjs: versionOf('rxjs'),
  'rx-api-client': versionOf('../'),
  ky: versionOf('ky'),
  axios: versionOf('axios'),
  got: versionOf('got'),
  ofetch: versionOf('ofetch'),
};
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${process.platform} ${process.arch}`;
const pool = env('BENCH_POOL', 64);
const rounds = env('BENCH_ROUNDS', 4);
const windowMs = env('BENCH_WINDOW_MS', 600);
const warmupMs = env('BENCH_WARMUP_MS', 400);
const jitWarmupMs = env('BENCH_JIT_WARMUP_MS', 2000);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64,256').split(',').map(Number);
const leakRequests = env('BENCH_LEAK_REQUESTS', 25_000);
const streamMib = env('BENCH_STREAM_MIB', 100);
const streamRounds = env('BENCH_STREAM_ROUNDS', 7);
const settings = `loopback server in its own process (node:http, keep-alive); pool of ${pool} sockets per client; closed loop; a ${jitWarmupMs} ms warm-up of each contender on each body at c=64, then per body and concurrency a ${warmupMs} ms warm-up of each contender, then ${rounds} rounds of ${windowMs} ms with the contenders in rotated order; every body read and parsed as JSON`;

console.log(`rx-api-client benchmark, ${new Date().toISOString()}`);
console.log(`${machine}\n${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}\n${settings}\n`);
for (const skipped of SKIPPED) console.log(`NOTE: ${skipped}\n`);

const server = await startLoopback();
let cells: Cell[];
let leaks: LeakResult[];
let storm: Awaited<ReturnType<typeof measureRetryStorm>>;
let stream: StreamResult;
try {
  console.log('throughput and latency (req/s and × raw fetch)');
  cells = await measureThroughput({
    origin: server.origin,
    pool,
    bodies: [
      { name: 'small JSON', path: '/small' },
      { name: '64 KiB JSON', path: '/large' },
    ],
    concurrencies,
    rounds,
    windowMs,
    warmupMs,
    jitWarmupMs,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`\n${throughputTables(cells)}\n`);

  console.log('cancellation and leaks');
  leaks = [await measureLeaks(server.origin, 'fetch', leakRequests)];
  if (SKIPPED.length === 0) leaks.push(await measureLeaks(server.origin, 'undici', Math.round(leakRequests / 5)));
  console.log(`${leakTable(leaks)}\n`);

  console.log('retry storm');
  storm = await measureRetryStorm(server, env('BENCH_STORM_REQUESTS', 2000));
  console.log(`${stormTable(storm)}\n`);

  console.log(`streaming a ${streamMib} MiB body (chunks(client, path) against raw fetch's body)`);
  stream = await measureStreaming({ origin: server.origin, bytes: Math.round(streamMib * MIB), rounds: streamRounds, log: (line) => console.log(`  ${line}`) });
  console.log(`\n${streamTable(stream)}\n`);
} finally {
  await server.close();
}

// What a feature costs when it is on (issue 12), on each transport, and the client's own cost without sockets: their own scripts, printed here.
if (process.env.BENCH_FEATURES !== '0') {
  for (const [script, transport] of [['features.ts', 'fetch'], ['features.ts', 'undici'], ['features.ts', 'stub'], ['overhead.ts', 'stub']] as const) {
    console.log(`${script === 'overhead.ts' ? "the client's own cost, stub transport" : `price of each feature when on, ${transport} transport`}`);
    spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(here(script))], { stdio: 'inherit', env: { ...process.env, BENCH_TRANSPORT: transport } });
    console.log('');
  }
}

const sizes = measureScenarios();
console.log(`bundle sizes (gzip) per import scenario\n${sizeTable(sizes)}\n`);

const at = (body: string, concurrency: number, contender: string) =>
  cells.find((c) => c.body === body && c.concurrency === concurrency && c.contender === contender);
const PEERS = ['ky', 'axios', 'got', 'ofetch'];
const targets: Target[] = [];
for (const body of ['small JSON', '64 KiB JSON']) {
  const ours = at(body, 64, 'rx-api-client');
  const undici = at(body, 64, 'rx-api-client + undici');
  if (!ours) continue;
  const bestPeer = PEERS.map((p) => at(body, 64, p)!).sort((a, b) => b.reqPerSec - a.reqPerSec)[0]!;
  targets.push(
    { what: `fetch path, ${body}, c=64`, goal: '≥ 0.85× raw fetch', measured: `${ours.ratio.toFixed(2)}× (CPU ${ours.cpuRatio.toFixed(2)}×)`, met: ours.ratio >= 0.85 },
    {
      what: `fetch path, ${body}, c=64`,
      goal: 'faster than every peer',
      measured: `${ours.ratio.toFixed(2)}× vs best peer ${bestPeer.contender} ${bestPeer.ratio.toFixed(2)}× (CPU ${ours.cpuRatio.toFixed(2)}× vs ${bestPeer.cpuRatio.toFixed(2)}×)`,
      met: ours.reqPerSec > bestPeer.reqPerSec,
    },
    undici
      ? { what: `undici transport, ${body}, c=64`, goal: '≥ 2.5× raw fetch', measured: `${undici.ratio.toFixed(2)}× (CPU ${undici.cpuRatio.toFixed(2)}×)`, met: undici.ratio >= 2.5 }
      : { what: `undici transport, ${body}, c=64`, goal: '≥ 2.5× raw fetch', measured: 'not measured: this build has no undici transport', met: false },
  );
  // Issue 12: the design card's own pipeline, and undici.request, in the same rounds.
  const card = at(body, 64, 'card pipeline');
  if (card) {
    const ratio = ours.reqPerSec / card.reqPerSec;
    targets.push({ what: `fetch path ÷ card pipeline, ${body}, c=64`, goal: '≥ 0.95×', measured: `${ratio.toFixed(2)}× (CPU ${(card.cpuMicros / ours.cpuMicros).toFixed(2)}×)`, met: ratio >= 0.95 });
  }
  const undiciRequest = at(body, 64, 'undici.request');
  if (undici && undiciRequest) {
    const ratio = undici.reqPerSec / undiciRequest.reqPerSec;
    targets.push({
      what: `undici transport ÷ undici.request, ${body}, c=64`,
      goal: '≥ 0.75×, ahead of every peer',
      measured: `${ratio.toFixed(2)}× (CPU ${(undiciRequest.cpuMicros / undici.cpuMicros).toFixed(2)}×); best peer ${bestPeer.contender} ${(bestPeer.reqPerSec / undiciRequest.reqPerSec).toFixed(2)}×`,
      met: ratio >= 0.75 && undici.reqPerSec > bestPeer.reqPerSec,
    });
  }
}
const streamed = stream.rows.find((r) => r.contender === 'rx-api-client')!;
const rawFetch = stream.rows.find((r) => r.contender === 'fetch')!;
targets.push(
  {
    what: `streaming ${stream.bodyMib} MiB, fetch path`,
    goal: '≥ 0.9× raw fetch',
    measured: `${streamed.ratio.toFixed(2)}× by round (medians ${Math.round(streamed.mibPerSec)} vs ${Math.round(rawFetch.mibPerSec)} MiB/s), CPU ${streamed.cpuRatio.toFixed(2)}×`,
    met: streamed.ratio >= 0.9,
  },
  {
    what: `streaming ${stream.bodyMib} MiB, fetch path`,
    goal: 'peak RSS < baseline + 32 MiB',
    measured: `${signedMib(streamed.peakOverBaselineMib)} (raw fetch ${signedMib(rawFetch.peakOverBaselineMib)})`,
    met: streamed.peakOverBaselineMib < 32,
  },
);
for (const [scenario, budget] of Object.entries(ISSUE_BUDGETS)) {
  const measured = sizes.find((s) => s.name === scenario)?.size ?? NaN;
  targets.push({ what: `bundle, ${scenario === CORE_SCENARIO ? 'our code' : scenario}`, goal: `≤ ${budget} bytes gzip`, measured: `${measured} bytes`, met: measured <= budget });
}
for (const leak of leaks) {
  const grown = Object.entries(leak.resourcesAfter).filter(([type, n]) => n > (leak.resourcesBefore[type] ?? 0));
  targets.push({
    what: `cancellation, ${leak.transport} transport, ${leak.requestsPerPoint * 4} requests`,
    goal: 'active resources at baseline, heap growth < 5 MB, no MaxListenersExceededWarning',
    measured: `${grown.length === 0 ? 'resources at baseline' : `more ${grown.map(([t]) => t).join(', ')}`}, heap ${leak.heapGrowthBytes < 0 ? '' : '+'}${(leak.heapGrowthBytes / 1e6).toFixed(2)} MB, ${leak.warnings.length} warnings`,
    met: grown.length === 0 && leak.heapGrowthBytes < 5e6 && !leak.warnings.some((w) => w.startsWith('MaxListenersExceededWarning')),
  });
}
console.log(`${targetTable(targets)}\n`);

const results: Results = {
  date: new Date().toISOString().slice(0, 10),
  versions,
  machine,
  settings,
  cells,
  leaks,
  storm,
  stream,
  sizes,
  targets,
  seconds: (performance.now() - started) / 1000,
};
if (process.env.BENCH_WRITE !== '0') {
  mkdirSync(here('results/'), { recursive: true });
  const perVersion = `results/node-${process.versions.node.split('.')[0]}.json`;
  writeFileSync(here(perVersion), `${JSON.stringify(results, null, 2)}\n`);
  const runs = readdirSync(here('results/'))
    .filter((name) => /^node-\d+\.json$/.test(name))
    .map((name) => JSON.parse(readFileSync(here(`results/${name}`), 'utf8')) as Results);
  const readme = here('README.md');
  let text = replaceVersions(readFileSync(readme, 'utf8'), versionsMarkdown(runs));
  if (askedNode === undefined) {
    writeFileSync(here('results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(here('results/throughput.svg'), throughputSvg(cells, `rx-api-client vs raw fetch, undici and peers (${results.date}, Node ${versions.node})`));
    text = replaceResults(text, resultsMarkdown(results));
  }
  writeFileSync(readme, text);
  console.log(
    askedNode === undefined
      ? `wrote bench/${perVersion}, bench/results/latest.json, bench/results/throughput.svg and bench/README.md`
      : `wrote bench/${perVersion} and the per-version section of bench/README.md`,
  );
}
console.log(`done in ${results.seconds.toFixed(0)} s`);
