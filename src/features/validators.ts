/**
 * The validators of a conditional request from a 200's headers: `If-None-Match`
 * from its `ETag`, `If-Modified-Since` from its `Last-Modified`; what
 * `poll()` and `withCache()` send to be answered 304 when nothing changed.
 *
 * @param headers the headers of the last 200 (none: no validators)
 * @returns the request headers, lower-case, empty when the response had neither
 * @example
 * ```ts
 * validatorsOf(new Headers({ etag: '"v2"' })); // { 'if-none-match': '"v2"' }
 * ```
 */
export function validatorsOf(headers: Headers | undefined): Record<string, string> {
  // Keys set one by one, not spread in: a spread that adds keys costs microseconds in Node 20 (core/constants.ts).
  const validators: Record<string, string> = {};
  const etag = headers?.get('etag');
  const modified = headers?.get('last-modified');
  if (etag) validators['if-none-match'] = etag;
  if (modified) validators['if-modified-since'] = modified;
  return validators;
}
