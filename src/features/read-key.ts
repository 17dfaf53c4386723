import type { RequestContext } from '../core/feature.js';
import type { PreparedRequest } from '../core/prepare.js';
import { RESPONSE_READER } from '../core/response.js';

/**
 * What makes two reads the same read, for `withSharing()` and `withCache()`:
 * a GET of the same URL (query included) with the same `Accept`. The
 * credential scope is the client: each keeps its own table. `undefined` for
 * what must not be shared: other methods, streams, `request()`, whose
 * `Response` can be read only once, and reads that send their own validators.
 *
 * @returns the key, or `undefined` when the request is not such a read
 * @example
 * ```ts
 * readKey(prepared, context); // '1 GET https://api.example.com/v1/items?page=2 application/json'
 * ```
 */
export function readKey(request: PreparedRequest, context: RequestContext): string | undefined {
  if (request.init.method !== 'GET' || context.stream || context.reader === RESPONSE_READER) return undefined;
  // A read with validators of its own (a poll) asks its own question: a 304 to one is no answer to another.
  const { ownHeaders } = request;
  if (ownHeaders['if-none-match'] !== undefined || ownHeaders['if-modified-since'] !== undefined) return undefined;
  // The reader is part of the question: two readers of one URL (getJson's and a custom one, or paginate's,
  // whose reader keeps the response beside the body) make different values, and neither may get the other's.
  return `${readerId(context.reader)} GET ${request.url.href} ${request.ownHeaders.accept ?? request.init.headers.accept ?? ''}`;
}

const READER_IDS = new WeakMap<object, number>();
let lastReaderId = 0;

/** A number per reader object, for the key: readers are values (JSON_READER is one for every getJson). */
function readerId(reader: object): number {
  let id = READER_IDS.get(reader);
  if (id === undefined) READER_IDS.set(reader, (id = ++lastReaderId));
  return id;
}
