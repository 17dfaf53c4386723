/**
 * Progress on large transfers (issue 15): 256 MiB (`BENCH_PROGRESS_MIB`; 1024 for the 1 GiB)
 * downloaded and uploaded on fetch and on the undici transport, with progress and without, each in
 * its own child process so that its peak RSS is its own. What it shows: a transfer with progress
 * holds no more of the body than one without (peak RSS over the baseline, against the same transfer
 * without progress in the same run), and what the counting costs in throughput (a ratio).
 *
 * The download is read by a reader that counts the bytes and keeps none; the upload is a file, sent
 * as a Blob (`fs.openAsBlob`: its bytes stay on disk), which must go out with its Content-Length,
 * and as a web stream of `fs.createReadStream`, which goes chunked: each is checked to. A body held
 * as it is sent shows as a peak that grows with `BENCH_PROGRESS_MIB`. The server runs in this
 * (parent) process. Each child warms up on a 16 MiB transfer of its own kind, takes its baseline
 * RSS, then runs the large one while sampling `process.memoryUsage.rss()` every 10 ms.
 *
 * Run: `npm run bench:progress` (a minute or two at 256 MiB on a 2-core machine). It measures the
 * source (through tsx), not dist/.
 */
import { fork } from 'node:child_process';
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { AsyncAPIClient, download, fetchTransport, upload, withUploadProgress, type Reader, type Transport } from '../src/index.js';
import { undiciTransport } from '../src/undici/index.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_PROGRESS_MIB ?? 256) * MiB;
const WARM_UP = 16 * MiB;
const PIECE = Buffer.alloc(64 * 1024, 0x61);

interface Scenario {
  readonly transport: 'fetch' | 'undici';
  /** An upload sends the file as a Blob (with its length) or as a stream (chunked). */
  readonly direction: 'download' | 'upload, Blob' | 'upload, stream';
  readonly progress: boolean;
}

interface Measured extends Scenario {
  readonly mibPerSecond: number;
  readonly peakRssMiB: number;
  readonly events: number;
}

/** Counts a body's bytes and keeps none. */
const counting: Reader<number> = {
  read: async (response) => {
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
    return bytes;
  },
};

/** One transfer of `bytes`, as the scenario says: the events it emitted. */
async function transfer({ transport, direction, progress }: Scenario, origin: string, bytes: number, file: string): Promise<number> {
  const use: Transport = transport === 'fetch' ? fetchTransport : undiciTransport();
  const client = new AsyncAPIClient({ baseUrl: origin, transport: use, timeout: false }, withUploadProgress());
  let events = 0;
  if (direction === 'download') {
    const got = (read: number) => {
      if (read !== bytes) throw new Error(`read ${read} bytes, not ${bytes}`);
    };
    if (!progress) return got(await lastValueFrom(client.read(`/down?bytes=${bytes}`, counting, { maxBodySize: false }))), 0;
    await new Promise<void>((resolve, reject) =>
      download(client, `/down?bytes=${bytes}`, counting, { maxBodySize: false }).subscribe({
        next: (event) => (event.type === 'result' ? got(event.value) : (events += 1)),
        error: reject,
        complete: resolve,
      }),
    );
    return events;
  }
  const stream = direction === 'upload, stream';
  const body = stream ? (Readable.toWeb(createReadStream(`${file}.${bytes}`)) as ReadableStream<Uint8Array>) : await openAsBlob(`${file}.${bytes}`);
  if (!progress) {
    const response = await lastValueFrom(client.request('POST', '/up', { body }));
    check(await response.json(), bytes, stream);
    return 0;
  }
  await new Promise<void>((resolve, reject) =>
    upload<Received>(client, '/up', body).subscribe({
      next: (event) => (event.type === 'result' ? check(event.value, bytes, stream) : (events += 1)),
      error: reject,
      complete: resolve,
    }),
  );
  return events;
}

/** What the server got of an upload. */
interface Received {
  readonly received: number;
  readonly contentLength: string | undefined;
  readonly transferEncoding: string | undefined;
}

/** The whole body arrived, a Blob with its Content-Length, a stream chunked. */
function check(answer: Received, bytes: number, stream: boolean): void {
  const { received, contentLength, transferEncoding } = answer;
  const framed = stream ? contentLength === undefined && transferEncoding === 'chunked' : contentLength === String(bytes);
  if (received !== bytes || !framed) throw new Error(`the server got ${received} bytes with content-length ${contentLength} (${transferEncoding}), not ${bytes}`);
}

/** In a child: warm up, take the baseline, then the large transfer with RSS sampled. */
async function child(scenario: Scenario, origin: string, file: string): Promise<Measured> {
  await transfer(scenario, origin, WARM_UP, file);
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const started = performance.now();
  const events = await transfer(scenario, origin, SIZE, file);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  return { ...scenario, mibPerSecond: SIZE / MiB / seconds, peakRssMiB: (Math.max(peak, process.memoryUsage.rss()) - baseline) / MiB, events };
}

function startBenchServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/down') {
      let left = Number(url.searchParams.get('bytes'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) });
      const write = (): void => {
        while (left > 0) {
          const piece = left >= PIECE.length ? PIECE : PIECE.subarray(0, left);
          left -= piece.length;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
      return;
    }
    let received = 0;
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => {
      const answer = { received, contentLength: req.headers['content-length'], transferEncoding: req.headers['transfer-encoding'] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function writeFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= PIECE.length) {
    if (!out.write(left >= PIECE.length ? PIECE : PIECE.subarray(0, left))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function parent(): Promise<void> {
  const server = await startBenchServer();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = join(tmpdir(), `rx-api-client-progress-${process.pid}`);
  await writeFile(`${file}.${WARM_UP}`, WARM_UP);
  await writeFile(`${file}.${SIZE}`, SIZE);
  const rows: Measured[] = [];
  try {
    for (const transport of ['fetch', 'undici'] as const) {
      for (const direction of ['download', 'upload, Blob', 'upload, stream'] as const) {
        for (const progress of [false, true]) {
          rows.push(
            await new Promise<Measured>((resolve, reject) => {
              const worker = fork(fileURLToPath(import.meta.url), [JSON.stringify({ transport, direction, progress }), origin, file], {
                execArgv: ['--expose-gc', '--import', 'tsx'],
              });
              worker.once('message', (measured) => resolve(measured as Measured));
              worker.once('exit', (code) => code !== 0 && reject(new Error(`${transport} ${direction} exited with ${code}`)));
            }),
          );
        }
      }
    }
  } finally {
    server.close();
    await Promise.all([rm(`${file}.${WARM_UP}`, { force: true }), rm(`${file}.${SIZE}`, { force: true })]);
  }
  console.log(`\n${SIZE / MiB} MiB per transfer; peak RSS over each child's baseline; × plain: the same transfer without progress, same run\n`);
  console.log('| transport | direction | progress | MiB/s | × plain | peak RSS (MiB) | events |');
  console.log('|---|---|---|--:|--:|--:|--:|');
  for (const row of rows) {
    const plain = rows.find((other) => other.transport === row.transport && other.direction === row.direction && !other.progress)!;
    console.log(
      `| ${row.transport} | ${row.direction} | ${row.progress ? 'yes' : 'no'} | ${row.mibPerSecond.toFixed(0)} | ${(row.mibPerSecond / plain.mibPerSecond).toFixed(2)} | ${row.peakRssMiB.toFixed(1)} | ${row.progress ? row.events : ''} |`,
    );
  }
}

if (process.argv[2] === undefined) await parent();
else {
  const measured = await child(JSON.parse(process.argv[2]) as Scenario, process.argv[3]!, process.argv[4]!);
  process.send!(measured, () => process.exit(0));
}
