/*
 * Node's side only (upload progress, the undici transport), with no `node:` import: the Node build also
 * loads where only web APIs are (an edge runtime, through the `import` condition).
 *
 * A form with a file, encoded by `new Response(form).blob()` or `.arrayBuffer()`, is read into memory
 * whole: 300 MiB of file, 300 MiB of heap. The platform still writes the multipart encoding here (its boundary, the escaping of names
 * and file names, the line breaks of string values): of a copy of the form whose files are short
 * markers, which is small. The markers are then swapped for the files, as parts of one Blob: a Blob
 * made of Blobs shares their bytes (a file from `fs.openAsBlob` stays on disk), so the form is sent
 * as it is read, with its exact length.
 */

/**
 * The multipart/form-data encoding of `form`, as fetch makes it, as a Blob
 * whose type carries the boundary and whose files are not read until it
 * is: the same bytes as `new Response(form).blob()`, without reading them
 * into memory.
 *
 * @example
 * ```ts
 * const form = new FormData();
 * form.append('file', await openAsBlob('video.mp4'), 'video.mp4');
 * const body = await multipartBlob(form); // body.size is the exact Content-Length; nothing of the file was read
 * ```
 */
export async function multipartBlob(form: FormData): Promise<Blob> {
  const files: Blob[] = [];
  const markers: string[] = [];
  const shadow = new FormData();
  const run = crypto.randomUUID();
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      shadow.append(name, value);
    } else {
      const marker = `rx-api-client-file-${files.length}-${run}`;
      files.push(value);
      markers.push(marker);
      // The file's name and type stay: they are written in its part's headers.
      shadow.append(name, new File([marker], value.name, { type: value.type }));
    }
  }
  const encoded = new Response(shadow);
  const type = encoded.headers.get('content-type') ?? '';
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  // One character per byte (windows-1252 maps every byte to one): an index in the text is one in the bytes.
  const text = new TextDecoder('latin1').decode(bytes);
  const parts: BlobPart[] = [];
  let start = 0;
  for (const [index, marker] of markers.entries()) {
    const at = text.indexOf(marker, start);
    // The platform wrote each file's bytes as they are, so each marker is there, in order.
    if (at === -1) throw new Error(`multipartBlob: the encoding of file ${index} was not found`);
    parts.push(bytes.subarray(start, at), files[index]!);
    start = at + marker.length;
  }
  parts.push(bytes.subarray(start));
  return new Blob(parts, { type });
}

/**
 * Whether `body` is a form with at least one file in it: what
 * {@link multipartBlob} spares from being read into memory.
 *
 * @example
 * ```ts
 * formWithFile(form) ? await multipartBlob(form) : form;
 * ```
 */
export function formWithFile(body: unknown): body is FormData {
  if (typeof FormData === 'undefined' || !(body instanceof FormData)) return false;
  for (const value of body.values()) if (typeof value !== 'string') return true;
  return false;
}
