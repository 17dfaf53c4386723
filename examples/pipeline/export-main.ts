/**
 * Copies a long NDJSON export into a deliberately slow sink with the pull form:
 *
 *   npm run example:export
 *
 * 2 million records (about 340 MB) from a local server, into a sink that
 * takes about 20,000 records/s; a progress line shows records/s and the RSS,
 * which stays flat. Ctrl-C (SIGINT) or SIGTERM stops the copy and closes the
 * connection. EXPORT_LINES sets the number of records. It runs on the
 * undici transport: Node 20's own fetch lets a body that is read slowly and
 * steadily run ahead of the reader (docs/streams.md).
 */
import { AsyncAPIClient } from '../../src/index.js';
import { undiciTransport } from '../../src/undici/index.js';
import { copyExport } from './export.js';
import { startExportServer } from './export-server.js';

const server = await startExportServer({ lines: Number(process.env.EXPORT_LINES ?? 2_000_000) });
const client = new AsyncAPIClient({ baseUrl: server.url, transport: undiciTransport() });
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let taken = 0;
// The slow sink: a 5 ms wait every 100 records, about 20,000 records/s.
const sink = async () => {
  if ((taken += 1) % 100 === 0) await sleep(5);
};
const fmt = (n: number) => Math.round(n).toLocaleString('en');

try {
  const copied = await copyExport(client, '/export', sink, {
    signal: controller.signal,
    onProgress: ({ records, perSecond, rssMib }) =>
      console.log(`progress  ${fmt(records)} records  ${fmt(perSecond)} records/s  RSS ${rssMib.toFixed(0)} MiB  server ahead by ${fmt(server.written() - records)}`),
  });
  console.log(`done      ${fmt(copied)} records`);
} catch (error) {
  if (!(error instanceof DOMException && error.name === 'AbortError')) throw error;
  console.log(`stopped   after ${fmt(taken)} records`);
} finally {
  // Let the close reach the server before asking it.
  await sleep(50);
  console.log(`server    wrote ${fmt(server.written())} records; connection closed by the client: ${server.closedByClient()}`);
  await server.close();
}
