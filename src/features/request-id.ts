import type { RequestContext } from '../core/feature.js';

// One id per logical request, whichever feature asks: the events feature and the circuit breaker both
// tell of a request, and their events must name the same one. Given on the first ask, so a client whose
// events nobody reads numbers nothing.
const ids = new WeakMap<RequestContext, number>();
let last = 0;

/**
 * The id of a logical request in events: a number, unique in this process,
 * the same in every event about that request.
 *
 * @example
 * ```ts
 * start: (request) => ({ retrying: () => client.emit(() => ({ type: 'mine', method: 'GET', url: '', requestId: requestId(request) })) })
 * ```
 */
export function requestId(request: RequestContext): number {
  let id = ids.get(request);
  if (id === undefined) ids.set(request, (id = ++last));
  return id;
}
