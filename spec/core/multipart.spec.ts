// A form with a file, encoded for the undici transport and for upload progress without reading its files
// into memory: the same bytes as the platform's own encoding (src/core/multipart.ts). The client test runs on
// both transports (the undici project makes undiciTransport() the default).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { formWithFile, multipartBlob } from '../../src/core/multipart.js';
import { AsyncAPIClient, upload, withUploadProgress } from '../../src/index.js';
import { serverPerTest } from '../support/server.js';

const bytesOf = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256);

/** The encoding's text with its boundary (random per encoding) replaced, to compare two encodings of one form. */
async function normalised(blob: Blob): Promise<string> {
  const boundary = /boundary=(.+)$/.exec(blob.type)?.[1];
  expect(boundary).toBeDefined();
  return new TextDecoder('latin1').decode(await blob.arrayBuffer()).replaceAll(boundary!, 'BOUNDARY');
}

const FORMS: readonly (readonly [string, () => FormData])[] = [
  [
    'one file',
    () => {
      const form = new FormData();
      form.append('file', new Blob([bytesOf(1000)], { type: 'application/octet-stream' }), 'a.bin');
      return form;
    },
  ],
  [
    'strings, two files, a file without a type or a name, bytes of every value, line breaks and non-ASCII names',
    () => {
      const form = new FormData();
      form.append('title', 'line one\nline two\r\nthree\r');
      form.append('naïve "quoted" name', 'värde');
      form.append('first', new Blob([bytesOf(70_000, 1)], { type: 'image/png' }), 'pic "1".png');
      form.append('second', new Blob([bytesOf(3, 2)]));
      form.append('empty', new Blob([]), 'empty.txt');
      form.append('tail', 'after the files');
      return form;
    },
  ],
  [
    'a File subclass with a type of its own',
    () => {
      class Typed extends File {
        override get type(): string {
          return 'Image/PNG';
        }
      }
      const form = new FormData();
      form.append('file', new Typed([bytesOf(10)], 'typed.png'));
      return form;
    },
  ],
  [
    'a file whose bytes look like a multipart boundary',
    () => {
      const form = new FormData();
      form.append('file', new Blob(['\r\n------formdata-undici-0123456789\r\nContent-Disposition: form-data; name="x"\r\n\r\n']), 'tricky.txt');
      return form;
    },
  ],
];

describe('multipartBlob', () => {
  it.each(FORMS)('encodes %s as the platform does, with its exact length and type', async (_name, make) => {
    const ours = await multipartBlob(make());
    const platforms = await new Response(make()).blob();
    expect(ours.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(ours.size).toBe(platforms.size);
    expect(await normalised(ours)).toBe(await normalised(platforms));
  });

  it('encodes a Blob-like object of a library (not a Blob) as the platform does, where FormData takes one', async () => {
    const bytes = new TextEncoder().encode('from a library');
    const like = {
      size: bytes.byteLength,
      type: 'text/plain',
      name: 'like.txt',
      lastModified: 0,
      [Symbol.toStringTag]: 'File',
      stream: () => new Blob([bytes]).stream(),
      arrayBuffer: () => new Blob([bytes]).arrayBuffer(),
      text: () => new Blob([bytes]).text(),
      slice: (...args: [number?, number?, string?]) => new Blob([bytes]).slice(...args),
    };
    const make = () => {
      const form = new FormData();
      form.append('file', like as unknown as Blob, 'like.txt');
      return form;
    };
    let form: FormData;
    try {
      form = make();
    } catch (error) {
      // Node 24 takes only a Blob: there the case cannot arise.
      expect(error).toBeInstanceOf(TypeError);
      return;
    }
    // Node 20 and 22 keep it as it is: the platform reads it through its stream(), and so must the encoding.
    const ours = await multipartBlob(form);
    expect(ours.size).toBe((await new Response(make()).blob()).size);
    expect(await normalised(ours)).toBe(await normalised(await new Response(make()).blob()));
    expect(await normalised(ours)).toContain('from a library');
  });

  it('reads no file while it encodes: a file is read only as the Blob is', async () => {
    const file = new File([bytesOf(10)], 'watched.bin');
    const stream = vi.spyOn(file, 'stream');
    const arrayBuffer = vi.spyOn(file, 'arrayBuffer');
    const form = new FormData();
    form.append('file', file);
    // The form holds the File it was given: the spies are on what the encoding would read.
    expect(form.get('file')).toBe(file);
    await multipartBlob(form);
    expect(stream).not.toHaveBeenCalled();
    expect(arrayBuffer).not.toHaveBeenCalled();
  });

  it('leaves a file on disk until the Blob is read: one changed in between fails the read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rx-multipart-'));
    try {
      const path = join(dir, 'f.bin');
      await writeFile(path, bytesOf(4096));
      const form = new FormData();
      form.append('file', await openAsBlob(path), 'f.bin');
      const encoded = await multipartBlob(form);
      // Read from disk when the Blob is read, not before: a file changed since is refused by Node (NotReadableError).
      await writeFile(path, bytesOf(10));
      await expect(encoded.arrayBuffer()).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a form with a file', () => ((form) => (form.append('f', new Blob(['x'])), form))(new FormData()), true],
    ['a form of strings', () => ((form) => (form.append('a', 'b'), form))(new FormData()), false],
    ['a Blob', () => new Blob(['x']), false],
    ['a string', () => 'x', false],
  ])('formWithFile: %s is %s', (_name, make, expected) => {
    expect(formWithFile(make())).toBe(expected);
  });
});

describe('a form with a file, sent by the client', () => {
  const servers = serverPerTest();

  it('with upload progress, on either transport, has its file read only as it is sent', async () => {
    const server = await servers.start((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
    const file = new File([bytesOf(100_000)], 'watched.bin');
    const stream = vi.spyOn(file, 'stream');
    const form = new FormData();
    form.append('file', file);
    const client = new AsyncAPIClient({ baseUrl: server.origin }, withUploadProgress());
    const events = await lastValueFrom(upload(client, '/files', form, { progressInterval: 0 }).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'result' });
    // The encoding the platform makes of a form reads each file through its stream(): this one was not.
    expect(stream).not.toHaveBeenCalled();
  });

  it('arrives whole, with a Content-Length of what arrives, its parts as they were', async () => {
    const received: { body?: Buffer; contentLength?: string; contentType?: string } = {};
    const server = await servers.start((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        Object.assign(received, { body: Buffer.concat(chunks), contentLength: req.headers['content-length'], contentType: req.headers['content-type'] });
        res.writeHead(200).end('{}');
      });
    });
    const file = bytesOf(300_000, 3);
    const form = new FormData();
    form.append('name', 'report');
    form.append('file', new Blob([file], { type: 'application/pdf' }), 'report.pdf');
    await lastValueFrom(new AsyncAPIClient(server.origin).request('POST', '/upload', { body: form }));
    expect(received.contentLength).toBe(String(received.body!.byteLength));
    const parsed = await new Response(new Uint8Array(received.body!), { headers: { 'content-type': received.contentType! } }).formData();
    expect(parsed.get('name')).toBe('report');
    const sent = parsed.get('file') as File;
    expect([sent.name, sent.type]).toEqual(['report.pdf', 'application/pdf']);
    expect(new Uint8Array(await sent.arrayBuffer())).toEqual(file);
  });
});
