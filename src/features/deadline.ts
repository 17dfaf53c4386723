import { throwError, timeout } from 'rxjs';
import { TimeoutError } from '../core/errors.js';
import type { Feature } from '../core/feature.js';
import { resolveTimeout } from '../core/options.js';

/**
 * A deadline for whole requests: all the attempts of one and the waits
 * between them. An attempt in flight when it passes is aborted, a retry whose
 * wait would pass it is not started, and the request ends with a
 * `TimeoutError` whose `scope` is `'deadline'` (the failed attempt's error as
 * its `cause` when a retry was stopped). For a stream it bounds the time to
 * its first value. A request's own `deadline` option overrides it (`false`
 * for none); without this feature that option is a `ConfigurationError`.
 *
 * @param deadline the limit in ms for every request, or nothing (or `false`)
 *   for none but the requests' own
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withDeadline(10_000));
 * client.getJson('/report', undefined, { deadline: 60_000 }); // this one may take a minute
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
          whole: (request$) =>
            request$.pipe(timeout({ first: limit, scheduler, with: () => throwError(() => new TimeoutError(limit, target, request.attempts, { scope: 'deadline' })) })),
        };
      },
    }),
  };
}
