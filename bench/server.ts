/**
 * The benchmark's loopback server, run in its own process (`fork`) so that its
 * work never shares a core's event loop with the clients under test. Plain
 * `node:http`, keep-alive, bodies built once.
 *
 *   GET /small          a small JSON object (about 100 bytes)
 *   GET /large          a JSON document of exactly 64 KiB
 *   GET /hang           never answers (cancel before the headers)
 *   GET /stall          headers and part of a body, never the rest (cancel after headers, mid-body)
 *   GET /flaky?p=0.1    503 for a share p of hits, spread evenly (low-discrepancy sequence), else /small
 *   GET /fail           always 503 with a small body (cancel during backoff)
 *   GET /stream?bytes=N  N bytes (default 100 MiB) of application/octet-stream, content-length
 *                       set, written from one reused 64 KiB buffer as fast as the client reads
 *                       (the next write waits for `drain`)
 *   GET /ndjson?lines=N  N lines of NDJSON, 200 bytes each (newline included), written 320 lines
 *                       (64,000 bytes) at a time as fast as the client reads (`drain`); the lines
 *                       written so far are counted (IPC `written`: lines the socket took)
 *
 * The parent talks to it over IPC: `{ type: 'listening', port }` once, then
 * `hits` answers `{ type: 'hits', count }` and resets the counter.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const LARGE_BYTES = 64 * 1024;
export const STREAM_BYTES = 100 * 1024 * 1024;

const small = Buffer.from(JSON.stringify({ id: 42, name: 'widget', tags: ['blue', 'round'], price: 9.99, inStock: true, updated: '2026-01-01' }));

function largeBody(): Buffer {
  const item = { id: 0, name: 'widget-00000', description: 'x'.repeat(180), price: 1.5 };
  const items: (typeof item)[] = [];
  const skeleton = () => JSON.stringify({ items, pad: '' });
  while (Buffer.byteLength(skeleton()) + Buffer.byteLength(JSON.stringify(item)) + 1 < LARGE_BYTES) {
    items.push({ ...item, id: items.length, name: `widget-${String(items.length).padStart(5, '0')}` });
  }
  const pad = 'p'.repeat(LARGE_BYTES - Buffer.byteLength(skeleton()));
  const body = Buffer.from(JSON.stringify({ items, pad }));
  if (body.length !== LARGE_BYTES) throw new Error(`large body is ${body.length} bytes`);
  return body;
}

const large = largeBody();
// Never written to after this: the socket may still hold it while the next write is queued.
const streamChunk = Buffer.alloc(64 * 1024, 'x');
const stalled: ServerResponse[] = [];
/** One NDJSON line of exactly 200 bytes, and a block of 320 of them. */
export const NDJSON_LINE = (() => {
  const line = JSON.stringify({ id: 123456, name: 'widget-00042', tags: ['blue', 'round'], price: 9.99, inStock: true, pad: '' });
  return `${line.slice(0, -2)}${'p'.repeat(200 - line.length - 1)}"}\n`;
})();
const NDJSON_BLOCK_LINES = 320;
const ndjsonBlock = Buffer.from(NDJSON_LINE.repeat(NDJSON_BLOCK_LINES));
let ndjsonWritten = 0;
let hits = 0;
// A low-discrepancy sequence (golden ratio): any window of hits fails close to a share p.
let sequence = 0;
const GOLDEN = 0.6180339887498949;

function json(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
}

/** `total` bytes of `streamChunk`, with backpressure: the server holds at most a chunk beyond the socket's buffer. */
function stream(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  let left = total;
  const write = (): void => {
    while (left > 0) {
      if (res.destroyed) return;
      const size = Math.min(left, streamChunk.length);
      left -= size;
      if (!res.write(size === streamChunk.length ? streamChunk : streamChunk.subarray(0, size))) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  write();
}

/** `lines` NDJSON lines with backpressure, counted in `ndjsonWritten` as the socket takes them. */
function ndjson(res: ServerResponse, lines: number): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': lines * NDJSON_LINE.length });
  let left = lines;
  const write = (): void => {
    while (left > 0) {
      if (res.destroyed) return;
      const count = Math.min(left, NDJSON_BLOCK_LINES);
      left -= count;
      ndjsonWritten += count;
      if (!res.write(count === NDJSON_BLOCK_LINES ? ndjsonBlock : ndjsonBlock.subarray(0, count * NDJSON_LINE.length))) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  write();
}

const server = createServer((req, res) => {
  hits += 1;
  const url = req.url ?? '/';
  if (url === '/small') return json(res, 200, small);
  if (url === '/large') return json(res, 200, large);
  if (url === '/fail') return json(res, 503, small);
  if (url === '/hang') return;
  if (url === '/stall') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': large.length });
    res.write(large.subarray(0, 1024));
    stalled.push(res);
    res.on('close', () => stalled.splice(stalled.indexOf(res), 1));
    return;
  }
  if (url === '/stream' || url.startsWith('/stream?bytes=')) {
    const bytes = url === '/stream' ? STREAM_BYTES : Number(url.slice('/stream?bytes='.length));
    if (!Number.isSafeInteger(bytes) || bytes < 0) return json(res, 400, Buffer.from('{"error":"bytes must be a whole number"}'));
    return stream(res, bytes);
  }
  if (url.startsWith('/ndjson?lines=')) {
    const lines = Number(url.slice('/ndjson?lines='.length));
    if (!Number.isSafeInteger(lines) || lines < 0) return json(res, 400, Buffer.from('{"error":"lines must be a whole number"}'));
    return ndjson(res, lines);
  }
  if (url.startsWith('/flaky?p=')) {
    const p = Number(url.slice('/flaky?p='.length));
    sequence = (sequence + GOLDEN) % 1;
    return json(res, sequence < p ? 503 : 200, small);
  }
  json(res, 404, Buffer.from('{"error":"not found"}'));
});
// Keep idle connections for the whole run: a closed socket between rounds would be measured as a connect.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'listening', port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'hits') {
    process.send!({ type: 'hits', count: hits });
    hits = 0;
    sequence = 0;
  }
  if (message.type === 'written') {
    process.send!({ type: 'written', count: ndjsonWritten });
    ndjsonWritten = 0;
  }
});
// The parent's end is ours: never outlive it.
process.on('disconnect', () => process.exit(0));
