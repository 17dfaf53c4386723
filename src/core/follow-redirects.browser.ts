import type { Observable, ObservableInput } from 'rxjs';
import type { RedirectOptions } from './follow-redirects.js';
import type { SendableRequest } from './prepare.js';
import type { AttemptContext } from './context.js';
import { RedirectError } from './errors.js';
import { fetchTransport, type Transport } from './transport.js';

/*
 * The browser's side of ./follow-redirects.ts, which `#follow-redirects` (package.json "imports") resolves
 * to under the `browser` condition: the package's browser builds, and any app bundled for the browser.
 * A browser's fetch follows redirects itself and shows none of them (`redirect: 'manual'` answers with
 * an opaque response), so there is nothing to follow here: the request goes to the transport
 * as it is, and browser bundles carry none of the redirect code.
 *
 * A runtime whose fetch shows redirects (Node, Deno, Bun: jsdom under Jest runs on Node's fetch) can
 * still load this build. Its fetch would forward every header but Authorization to another origin, so
 * there the redirect is not followed at all: the attempt ends with a RedirectError, and nothing more is sent.
 */

/** Whether fetch here shows a redirect (status and `Location`) when asked with `redirect: 'manual'`. */
export function runtimeShowsRedirects(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
}

/** The request through `transport`; the browser follows its redirects, and this build follows none where fetch shows them. */
export function fetchFollowingRedirects<T>(
  request: SendableRequest,
  context: AttemptContext,
  options: RedirectOptions,
  select: (response: Response) => ObservableInput<T>,
  transport: Transport = fetchTransport,
): Observable<T> {
  options.onSend?.(request);
  return transport(
    request.url.href,
    Object.assign(
      {},
      request.init,
      options.manual
        ? {
            redirect: 'manual' as const,
            selector: (response: Response) => {
              if (options.maxRedirects === 0 || !REDIRECTS.includes(response.status)) return select(response);
              response.body?.cancel().catch(() => undefined);
              throw new RedirectError(
                process.env.NODE_ENV !== 'production'
                  ? `was redirected (${response.status}), and the package's browser build follows no redirect where fetch shows them (this runtime): use its Node build`
                  : 'redirect',
                context.target,
                context.attempt,
              );
            },
          }
        : { selector: select },
    ),
  );
}

const REDIRECTS = [301, 302, 303, 307, 308];

export type { RedirectHop, RedirectOptions } from './follow-redirects.js';
