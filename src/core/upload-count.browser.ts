/*
 * The browser's side of ./upload-count.ts: a browser's fetch cannot report upload progress (the XHR
 * transport of rx-api-client/xhr can), so fetch is left as it is and browser bundles carry none of it.
 */

/**
 * The transport as it is: a browser's fetch cannot count an upload's bytes.
 *
 * @example
 * ```ts
 * countingUploads(fetchLike) === fetchLike; // true
 * ```
 */
export const countingUploads = <F>(transport: F): F => transport;
