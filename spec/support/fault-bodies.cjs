'use strict';
/**
 * The bodies of the fault servers that cost something to make, shared by the
 * Node one (fault-server.ts) and the browser one (browser-faults.cjs).
 */
const { createGzip } = require('node:zlib');

const MIB = 1024 * 1024;
const bombs = new Map(); // bytes -> Promise<Buffer>

/**
 * `bytes` of zeros streamed through gzip a chunk at a time, so that never more
 * than a chunk of the inflated size is in memory: about a thousandth of
 * `bytes` on the wire. Built once per size and process.
 */
function gzipBomb(bytes) {
  if (!bombs.has(bytes)) {
    bombs.set(
      bytes,
      new Promise((resolve, reject) => {
        const gzip = createGzip({ level: 9 });
        const parts = [];
        gzip.on('data', (part) => parts.push(part));
        gzip.on('end', () => resolve(Buffer.concat(parts)));
        gzip.on('error', reject);
        const zeros = Buffer.alloc(Math.min(MIB, bytes));
        let written = 0;
        const pump = () => {
          while (written < bytes) {
            const piece = zeros.subarray(0, Math.min(zeros.length, bytes - written));
            written += piece.length;
            if (!gzip.write(piece)) return void gzip.once('drain', pump);
          }
          gzip.end();
        };
        pump();
      }),
    );
  }
  return bombs.get(bytes);
}

/** Streams `bytes` of a JSON array that never closes ("[0,0,0,..."), as fast as the client reads, until done or closed. */
function streamHugeBody(res, bytes) {
  const chunk = Buffer.from('0,'.repeat(32 * 1024));
  let sent = 0;
  const pump = () => {
    while (sent < bytes && !res.destroyed) {
      const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      if (sent === 0) piece[0] = 0x5b; // '['
      sent += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

module.exports = { gzipBomb, streamHugeBody };
