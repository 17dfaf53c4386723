/*
 * Node's side only (upload progress, the undici transport), with no `node:` import: the Node build also
 * loads where only web APIs are (an edge runtime, through the `import` condition).
 *
 * A form with a file, encoded by `new Response(form).blob()` or `.arrayBuffer()`, is read into memory
 * whole: 300 MiB of file, 300 MiB of heap. The platform still writes the multipart encoding here (its
 * boundary, the escaping of names and file names, the line breaks of string values): of a copy of the
 * form whose files are short markers, which is small. The markers are then swapped for the files, as parts of one Blob: a Blob
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
    } else if (Object.getPrototypeOf(value) !== File.prototype) {
      // Not a File of this realm as it is (a Blob-like object of a library, a subclass with its own type or
      // stream()): the platform reads it through its own methods, so the platform encodes the form, whole.
      return encodedWhole(form);
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
  const parts: BlobPart[] = [];
  let start = 0;
  for (const [index, marker] of markers.entries()) {
    const at = indexOfAscii(bytes, marker, start);
    // The platform wrote each file's bytes as they are, so each marker is there, in order.
    if (at === -1) throw new Error(`multipartBlob: the encoding of file ${index} was not found`);
    parts.push(bytes.subarray(start, at), files[index]!);
    start = at + marker.length;
  }
  parts.push(bytes.subarray(start));
  return new Blob(parts, { type });
}

/** The platform's encoding of `form`, read whole; typed with the Content-Type that fetch sends for it. */
async function encodedWhole(form: FormData): Promise<Blob> {
  const encoded = new Response(form);
  return new Blob([await encoded.blob()], { type: encoded.headers.get('content-type') ?? '' });
}

/** Where the ASCII text `needle` starts in `bytes`, from `from` on; -1 when it is not there. */
function indexOfAscii(bytes: Uint8Array, needle: string, from: number): number {
  const first = needle.charCodeAt(0);
  for (let at = bytes.indexOf(first, from); at !== -1 && at + needle.length <= bytes.length; at = bytes.indexOf(first, at + 1)) {
    let i = 1;
    while (i < needle.length && bytes[at + i] === needle.charCodeAt(i)) i += 1;
    if (i === needle.length) return at;
  }
  return -1;
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
