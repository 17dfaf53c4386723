// The undici run only (spec/support/undici-default.ts makes undiciTransport() the default): a form with a file
// goes as one Blob of its encoding, its file read only as it is sent (src/core/multipart.ts). fetch encodes a
// form itself, reading each file through its stream() as it sends it, so this holds on undici only.
import { lastValueFrom } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient } from '../../src/index.js';
import { serverPerTest } from '../support/server.js';

describe('a form with a file on the undici transport', () => {
  const servers = serverPerTest();

  it('is encoded without reading the file, and sent with its length', async () => {
    let received: { bytes: number; contentLength: string | undefined } | undefined;
    const server = await servers.start((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
      req.on('end', () => {
        received = { bytes, contentLength: req.headers['content-length'] };
        res.writeHead(200).end('{}');
      });
    });
    const file = new File([new Uint8Array(100_000)], 'watched.bin');
    const stream = vi.spyOn(file, 'stream');
    const form = new FormData();
    form.append('file', file);
    await lastValueFrom(new AsyncAPIClient(server.origin).request('POST', '/upload', { body: form }));
    expect(stream).not.toHaveBeenCalled();
    expect(received!.bytes).toBeGreaterThan(100_000);
    expect(received!.contentLength).toBe(String(received!.bytes));
  });
});
