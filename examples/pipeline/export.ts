/**
 * A pull pipeline: a long NDJSON export read into a slow sink. The pull form
 * reads the body only as the loop takes records, so the sink's pace reaches
 * the server through TCP and memory stays flat however long the export is;
 * aborting the signal closes the connection at once.
 */
import { pullNdjson, type AsyncAPIClient } from '../../src/index.js';
import type { ExportRecord } from './export-server.js';

/** Where the records go: a database, a file... Its promise is its pace. */
export type Sink = (record: ExportRecord) => Promise<void> | void;

export interface Progress {
  readonly records: number;
  readonly perSecond: number;
  readonly rssMib: number;
}

export interface CopyOptions {
  /** Aborting it stops the copy and closes the connection. */
  readonly signal?: AbortSignal;
  /** Told every `everyMs` (1,000 by default). */
  readonly onProgress?: (progress: Progress) => void;
  readonly everyMs?: number;
}

/** Copies `GET path` (NDJSON) into `sink`, one record at a time; resolves with the number copied. */
export async function copyExport(client: AsyncAPIClient, path: string, sink: Sink, options: CopyOptions = {}): Promise<number> {
  const { signal, onProgress, everyMs = 1_000 } = options;
  let records = 0;
  let last = { at: performance.now(), records: 0 };
  const report = () => {
    const now = performance.now();
    onProgress?.({ records, perSecond: ((records - last.records) * 1000) / (now - last.at), rssMib: process.memoryUsage.rss() / 2 ** 20 });
    last = { at: now, records };
  };
  const timer = setInterval(report, everyMs);
  try {
    for await (const record of pullNdjson<ExportRecord>(client, path, undefined, { signal, idleTimeout: 30_000 })) {
      await sink(record);
      records += 1;
    }
    return records;
  } finally {
    clearInterval(timer);
  }
}
