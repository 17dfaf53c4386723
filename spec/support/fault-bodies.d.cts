import type { ServerResponse } from 'node:http';

/** `bytes` of zeros streamed through gzip: about a thousandth of that on the wire. Built once per size and process. */
export function gzipBomb(bytes: number): Promise<Buffer>;
/** Streams `bytes` of a JSON array that never closes, as fast as the client reads, until done or closed. */
export function streamHugeBody(res: ServerResponse, bytes: number): void;
