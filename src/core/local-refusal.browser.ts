/*
 * The browser's side of ./local-refusal.ts: browsers refuse none of the headers that undici refuses (they
 * drop the ones that are theirs to set), so the transport is left as it is.
 */

/**
 * The transport as it is: a browser's fetch refuses none of what undici refuses locally.
 *
 * @example
 * ```ts
 * refusingLocally(fetchLike) === fetchLike; // true
 * ```
 */
export const refusingLocally = <F>(transport: F): F => transport;
