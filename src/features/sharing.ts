import { defer, finalize, share, type Observable } from 'rxjs';
import type { Feature, RequestContext } from '../core/feature.js';
import { readKey } from './read-key.js';

/**
 * Identical reads in flight at the same time share one request: a GET of the
 * same URL with the same `Accept`, from the same client (two clients, and
 * so two sets of credentials, never share), read by `getJson`, `read()` or a
 * JSON write's reply reader (never `request()`, whose `Response` can be read
 * only once, nor a stream). A subscriber that comes while the request is in
 * flight gets the same answer; the request is cancelled only when its last
 * subscriber leaves. The first subscriber's options (timeout, retry) are the
 * shared request's. Events (`withEvents()`) tell of the one request sent.
 *
 * @returns the feature, to pass to the client after its options
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withSharing());
 * merge(client.getJson('/me'), client.getJson('/me')).subscribe(render); // one request
 * ```
 */
export function withSharing(): Feature {
  return {
    // Outside the events' whole (90): a request that joins another sends nothing, so tells nothing.
    order: 95,
    setup: () => {
      // Per client: the credential scope is the client's auth source.
      const inFlight = new Map<string, Observable<unknown>>();
      const keys = new WeakMap<RequestContext, string>();
      return {
        prepare: (request, context) => {
          const key = readKey(request, context);
          if (key !== undefined) keys.set(context, key);
          return request;
        },
        start: (context) => {
          const key = keys.get(context);
          if (key === undefined) return undefined;
          return {
            whole: <T>(request$: Observable<T>) =>
              defer(() => {
                let shared = inFlight.get(key) as Observable<T> | undefined;
                if (!shared) {
                  const started: Observable<T> = request$.pipe(
                    finalize(() => inFlight.get(key) === started && inFlight.delete(key)),
                    share(),
                  );
                  inFlight.set(key, (shared = started));
                }
                return shared;
              }),
          };
        },
      };
    },
  };
}
