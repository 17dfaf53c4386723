/**
 * Where the time goes: runs one contender in a closed loop under the V8
 * profiler (the V8 CPU profiler that `node --cpu-prof` uses, started by `node:inspector`
 * for the measured window only) and prints the self time per function and per
 * package, so that optimisation starts from evidence.
 *
 *   npm run bench:profile -- "rx-api-client" [concurrency=64] [seconds=5] [path=/small]
 *   npm run bench:profile -- "rx-api-client" 1 10 /stream    (a streamed body, per MiB)
 *   npm run bench:profile -- "undici transport alone"        (also "undici.request + abort signal + accept":
 *                                                             the undici path's layers, as bench:layers has them)
 *
 * A `/ndjson?lines=N` path profiles a contender of items.ts, named by
 * transport, kind and contender, in µs per 1,000 items:
 *
 *   npm run bench:profile -- "fetch ndjson Observable" 1 5 "/ndjson?lines=100000"
 *
 * A `/stream` path (`/stream?bytes=N` for another size than 100 MiB) reads
 * the body as `stream.ts` does, counting the bytes (`chunks(client, path)` for
 * rx-api-client), and prints the time per MiB instead of per request.
 */
import { Session } from 'node:inspector';
import { CONTENDERS, UNDICI_LAYERS, useGlobalPool } from './contenders.js';
import { closedLoop } from './driver.js';
import { startLoopback } from './loopback.js';
import { itemContenders } from './items.js';
import { MIB, readerOf, STREAM_CONTENDERS, type ContenderName } from './stream.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = Number(process.env.TOP ?? 30);


/** Which package a script belongs to, from its URL. */
export function packageOf(url: string): string {
  if (url === '') return '(native / GC / idle)';
  if (url.startsWith('node:')) {
    return url.includes('undici') || url.includes('internal/deps/undici') ? 'node:undici (fetch)' : url.includes('webstreams') ? 'node:webstreams' : 'node:internals';
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length).split('/')[0]!;
  if (url.includes('/src/') || url.includes('/dist/')) return 'rx-api-client';
  return 'bench';
}

/** Self time in ms per function and per package, largest first. */
export function summarise(profile: CpuProfile): { byFunction: [string, number][]; byPackage: [string, number][]; totalMs: number } {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { byFunction: sorted(byFunction), byPackage: sorted(byPackage), totalMs };
}

async function profileWindow<T>(run: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  const result = await run();
  const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  return { result, profile };
}

const [name = 'rx-api-client', concurrency = '64', seconds = '5', path = '/small'] = process.argv.slice(2);
const streaming = path.startsWith('/stream');
const items = path.startsWith('/ndjson?lines=');
const [transport, kind, ...contender] = name.split(' ');
const names: readonly string[] = items
  ? ['fetch', 'undici'].flatMap((t) => ['lines', 'ndjson'].flatMap((k) => ['hand loop', 'Observable', 'pull', 'pull, batches'].map((c) => `${t} ${k} ${c}`)))
  : streaming
    ? STREAM_CONTENDERS
    : [...CONTENDERS.map((c) => c.name), ...UNDICI_LAYERS.map((c) => c.name)];
if (!names.includes(name)) throw new Error(`no contender ${name}${streaming ? ' for /stream' : items ? ' for /ndjson' : ''}: ${names.join(', ')}`);
const server = await startLoopback();
// A stream is read as stream.ts reads it: fetch on Node's own dispatcher, one connection.
if (!streaming) useGlobalPool(64);
let bytesRead = 0;
const send = items
  ? await itemContenders(server.origin, transport as 'fetch' | 'undici', kind as 'lines' | 'ndjson').then((all) => {
      const read = all.find(([n]) => n === contender.join(' '))![1];
      // An item is counted where a stream counts a byte: the unit below is 1,000 items.
      return async (itemsPath: string) => (bytesRead += await read(itemsPath));
    })
  : streaming
  ? await readerOf(name as ContenderName, server.origin).then((read) => async (streamPath: string) => (bytesRead += await read(streamPath)))
  : [...CONTENDERS, ...UNDICI_LAYERS].find((c) => c.name === name)!.create(server.origin, 64);
await closedLoop(() => send(path), Number(concurrency), streaming || items ? 3000 : 1000);
bytesRead = 0;
const started = performance.now();
// Only the measured window is profiled: no start-up, no module loading, no warm-up.
const { result: m, profile } = await profileWindow(() => closedLoop(() => send(path), Number(concurrency), Number(seconds) * 1000));
const elapsedSeconds = (performance.now() - started) / 1000;
await server.close();
const { byFunction, byPackage, totalMs } = summarise(profile);
// A stream's unit is the MiB, all that was read in the profiled window (the last stream ends after the window).
const [units, unit] = streaming ? [bytesRead / MIB, 'MiB'] : items ? [bytesRead / 1000, '1k items'] : [m.requests, 'req'];
const perRequest = (ms: number) => `${((1000 * ms) / units).toFixed(1).padStart(6)} µs/${unit}`;
const pct = (ms: number) => `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%`;
console.log(
  `${name} ${path} c=${concurrency}: ${Math.round(m.reqPerSec)} req/s${streaming ? ` (${Math.round(units / elapsedSeconds)} MiB/s)` : ''}, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms`,
);
console.log(`\nself time by package (${Math.round(totalMs)} ms sampled, ${m.requests} requests):`);
for (const [pkg, ms] of byPackage.slice(0, 12)) console.log(`  ${pct(ms)} ${perRequest(ms)}  ${pkg}`);
console.log(`\nself time by function (top ${TOP}):`);
for (const [fn, ms] of byFunction.slice(0, TOP)) console.log(`  ${pct(ms)} ${perRequest(ms)}  ${fn}`);
