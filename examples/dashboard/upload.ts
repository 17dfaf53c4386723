/**
 * The dashboard's file upload: a file input, an Upload and a Cancel button, a
 * progress bar and a status line, driven by one subscription to `upload()` on
 * the XHR transport (a browser's fetch cannot report an upload's progress).
 * Cancel unsubscribes, which aborts the request; a retry shows "retrying (2/3)".
 * Self-contained: mount it on any element,
 *
 *   mountUpload(document.querySelector('#upload')!, { apiBase: `${location.origin}/api` });
 *
 * and serve `POST /api/upload` with ./upload-route.ts.
 */
import type { Subscription } from 'rxjs';
import { AsyncAPIClient, upload, withUploadProgress, type TransferEvent } from '../../src/index.js';
import { xhrTransport } from '../../src/xhr/index.js';

/** What the server answers to an upload. */
export interface Stored {
  readonly stored: number;
}

export interface UploadWidgetOptions {
  /** Where the API is, e.g. `${location.origin}/api`. */
  readonly apiBase: string;
  /** The retry policy's attempts, for "retrying (2/3)". @default 3 */
  readonly maxAttempts?: number;
}

const MiB = 1024 * 1024;

/** The status line for an event of the upload. */
export function uploadStatus(event: TransferEvent<Stored>, maxAttempts = 3): string {
  if (event.type === 'result') return `stored ${event.value.stored} bytes`;
  const retrying = event.attempt > 1 ? `retrying (${event.attempt}/${maxAttempts}): ` : '';
  const of = event.total === undefined ? '' : ` of ${(event.total / MiB).toFixed(1)} MiB`;
  const percent = event.total ? `${Math.floor((event.loaded / event.total) * 100)}% ` : '';
  return `${retrying}${percent}(${(event.loaded / MiB).toFixed(1)}${of})`;
}

/**
 * Builds the widget inside `root` and wires it.
 *
 * @returns a function that cancels an upload in flight and removes the widget
 */
export function mountUpload(root: HTMLElement, options: UploadWidgetOptions): () => void {
  const client = new AsyncAPIClient({ baseUrl: options.apiBase, transport: xhrTransport(), retry: { maxAttempts: options.maxAttempts ?? 3 } }, withUploadProgress());
  root.innerHTML = `
    <input type="file" id="upload-file">
    <button id="upload-start" disabled>Upload</button>
    <button id="upload-cancel" disabled>Cancel</button>
    <progress id="upload-bar" max="1" value="0"></progress>
    <span id="upload-status"></span>`;
  const element = <E extends HTMLElement>(id: string) => root.querySelector<E>(`#${id}`)!;
  const input = element<HTMLInputElement>('upload-file');
  const start = element<HTMLButtonElement>('upload-start');
  const cancel = element<HTMLButtonElement>('upload-cancel');
  const bar = element<HTMLProgressElement>('upload-bar');
  const status = element<HTMLSpanElement>('upload-status');
  let running: Subscription | undefined;
  const idle = (text: string) => {
    running = undefined;
    status.textContent = text;
    start.disabled = !input.files?.length;
    cancel.disabled = true;
  };
  input.onchange = () => (start.disabled = running !== undefined || !input.files?.length);
  start.onclick = () => {
    const file = input.files?.[0];
    if (!file) return;
    start.disabled = true;
    cancel.disabled = false;
    bar.value = 0;
    status.textContent = 'starting';
    running = upload<Stored>(client, '/upload', file, { headers: { 'content-type': file.type || 'application/octet-stream' } }).subscribe({
      next: (event) => {
        if (event.type !== 'result') bar.value = event.total ? event.loaded / event.total : 0;
        status.textContent = uploadStatus(event, options.maxAttempts);
      },
      error: (error: unknown) => idle(`failed: ${error instanceof Error ? error.message : String(error)}`),
      complete: () => idle(status.textContent ?? ''),
    });
  };
  cancel.onclick = () => {
    running?.unsubscribe();
    idle('cancelled');
  };
  return () => {
    running?.unsubscribe();
    root.replaceChildren();
  };
}
