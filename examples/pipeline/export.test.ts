import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, type Transport } from '../../src/index.js';
import { undiciTransport } from '../../src/undici/index.js';
import { copyExport } from './export.js';
import { startExportServer, type ExportServer } from './export-server.js';

let server: ExportServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The export's smallest line: record 0, and its newline.
const SMALLEST_RECORD_BYTES = JSON.stringify({ id: 0, name: 'record 0', note: 'n'.repeat(150) }).length + 1;

/** The most a loopback connection's kernel buffers hold: the receive and send maxima (Linux's defaults elsewhere). */
function kernelSocketBuffers(): number {
  const maximum = (name: string, fallback: number) => {
    try {
      return Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]) || fallback;
    } catch {
      return fallback;
    }
  };
  return maximum('tcp_rmem', 6 * 2 ** 20) + maximum('tcp_wmem', 4 * 2 ** 20);
}

// Node 20's own fetch (undici 6.24 in Node 20.20; not Node 22's 6.29) lets a body read slowly and steadily run ahead of the reader, by
// some 30,000 records more every 10 s here (docs/streams.md): the pull form cannot hold back a transport that
// reads ahead. So on Node 20 memory is checked on the undici transport only; from Node 22 on both.
const TRANSPORTS: [string, (() => Transport) | undefined][] = [
  ['undici', () => undiciTransport()],
  ...(Number(process.versions.node.split('.')[0]) >= 22 ? [['fetch', undefined] as [string, undefined]] : []),
];

describe.each(TRANSPORTS)('the export copied into a slow sink (pull form), on the %s transport', (_name, transport) => {
  it('memory stays flat: the server stays a bounded lead ahead of the sink, however long the export', async () => {
    // 3 million records, about 500 MB: far more than any buffer on the way.
    server = await startExportServer({ lines: 3_000_000 });
    const controller = new AbortController();
    const leads: number[] = [];
    const rss: number[] = [];
    let taken = 0;
    const sink = async () => {
      if ((taken += 1) % 50 === 0) await sleep(1);
    };
    const copy = copyExport(new AsyncAPIClient({ baseUrl: server.url, transport: transport?.() }), '/export', sink, {
      signal: controller.signal,
      everyMs: 250,
      onProgress: ({ records }) => {
        leads.push(server!.written() - records);
        rss.push(process.memoryUsage.rss());
      },
    });
    while (leads.length < 12) await sleep(50);
    controller.abort();
    await expect(copy).rejects.toMatchObject({ name: 'AbortError' });
    // The lead is what the buffers hold: the kernel's socket buffers (the server's send buffer and the
    // client's receive buffer, which Linux grows up to their maxima while the reader keeps up), then Node's
    // and the client's (one chunk's records). With Linux's default maxima (6 MiB and 4 MiB) that is some
    // 10 MB; a machine tuned for larger buffers holds more in its kernel, none of it in this process.
    expect(Math.max(...leads)).toBeLessThan(Math.ceil(kernelSocketBuffers() / SMALLEST_RECORD_BYTES) + 5_000);
    expect(Math.max(...leads.slice(6))).toBeLessThan(2 * Math.max(...leads.slice(0, 6)) + 10_000);
    // Flat: once the JIT and the heap have settled (the first half of the samples, which also hold this
    // worker's other allocations), the process grows by less than the 32 MiB the issue allows, while the
    // export goes on at full speed; a body kept in memory would add some 100 MiB in that time.
    expect(Math.max(...rss.slice(6)) - rss[5]!).toBeLessThan(32 * 2 ** 20);
    expect(taken).toBeGreaterThan(0);
    await until(() => server!.closedByClient());
  });

  it('copies every record when the export ends', async () => {
    server = await startExportServer({ lines: 5_000 });
    const ids: number[] = [];
    expect(await copyExport(new AsyncAPIClient({ baseUrl: server.url, transport: transport?.() }), '/export', (record) => void ids.push(record.id))).toBe(5_000);
    expect(ids[0]).toBe(1);
    expect(ids[4_999]).toBe(5_000);
  });
});

describe('the export program', () => {
  it('runs as a program, and SIGTERM stops it and closes the connection: npm run example:export', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const program = spawn(process.execPath, ['--import', 'tsx', 'examples/pipeline/export-main.ts'], { cwd: root, env: { ...process.env, EXPORT_LINES: '2000000' } });
    let stdout = '';
    program.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    const exited = new Promise((resolve) => program.once('exit', resolve));
    await until(() => stdout.includes('progress'), 15_000);
    program.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/progress {2}[\d,]+ records {2}[\d,]+ records\/s {2}RSS \d+ MiB/);
    expect(stdout).toMatch(/stopped {3}after [\d,]+ records/);
    expect(stdout).toContain('connection closed by the client: true');
    const written = Number(/server {4}wrote ([\d,]+) records/.exec(stdout)![1]!.replaceAll(',', ''));
    expect(written).toBeLessThan(2_000_000);
  });
});

async function until(predicate: () => boolean, limitMs = 5_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await sleep(10);
  }
}
