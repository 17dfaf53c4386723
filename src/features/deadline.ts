import { map, takeUntil, timer } from 'rxjs';
import { TimeoutError } from '../core/errors.js';
import type { Feature } from '../core/feature.js';
import { resolveTimeout } from '../core/options.js';

/**
 * A deadline for whole requests: the whole life of one, from its
 * subscription to its end, all its attempts and the waits between them, and
 * for a stream every value it emits. An attempt in flight when it passes is
 * aborted (a stream still open is closed), a retry whose wait would pass it
 * is not started, and the request ends with a `TimeoutError` whose `scope` is
 * `'deadline'` (the failed attempt's error as its `cause` when a retry was
 * stopped). So a client-wide deadline ends long-lived streams too: give those
 * `deadline: false` (and an `idleTimeout`, to end one that goes quiet). A
 * request's own `deadline` option overrides it (`false` for none); without
 * this feature that option is a `ConfigurationError`.
 *
 * @param deadline the limit in ms for every request, or nothing (or `false`)
 *   for none but the requests' own
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withDeadline(10_000));
 * client.getJson('/report', undefined, { deadline: 60_000 }); // this one may take a minute
 * sse(client, '/prices', undefined, { deadline: false, idleTimeout: 60_000 }); // lives for hours, ends when quiet
 * ```
 */
export function withDeadline(deadline?: number | false): Feature {
  const clientDeadline = resolveTimeout(deadline, Infinity, 'withDeadline: the deadline');
  return {
    order: 5,
    setup: ({ scheduler }) => ({
      options: ['deadline'],
      start: (request) => {
        const limit = resolveTimeout(request.options.deadline, clientDeadline, 'deadline');
        if (limit === Infinity) return undefined;
        const { target } = request;
        const deadlineAt = scheduler.now() + limit;
        return {
          retry: (error, delayMs) =>
            scheduler.now() + delayMs >= deadlineAt ? new TimeoutError(limit, target, request.attempts, { scope: 'deadline', cause: error }) : undefined,
          // Until the request ends, whatever it emits on the way: a stream's values do not put the deadline off.
          whole: (request$) =>
            request$.pipe(
              takeUntil(
                timer(limit, scheduler).pipe(
                  map(() => {
                    throw new TimeoutError(limit, target, request.attempts, { scope: 'deadline' });
                  }),
                ),
              ),
            ),
        };
      },
    }),
  };
}
