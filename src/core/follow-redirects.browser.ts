import type { Observable, ObservableInput } from 'rxjs';
import type { RedirectOptions } from './follow-redirects.js';
import type { SendableRequest } from './prepare.js';
import type { AttemptContext } from './context.js';
import { fetchTransport, type Transport } from './transport.js';

/*
 * The browser's side of ./follow-redirects.ts, chosen by package.json's "browser" field. A browser's
 * fetch follows redirects itself and shows none of them (`redirect: 'manual'` answers with an opaque
 * response), so there is nothing to follow here: the request goes to the transport as it is, and
 * browser bundles carry none of the redirect code.
 */

/** Browsers never show redirects to fetch's caller. */
export const runtimeShowsRedirects = (): boolean => false;

/** The request through `transport`; the browser follows its redirects. */
export function fetchFollowingRedirects<T>(
  request: SendableRequest,
  _context: AttemptContext,
  options: RedirectOptions,
  select: (response: Response) => ObservableInput<T>,
  transport: Transport = fetchTransport,
): Observable<T> {
  options.onSend?.(request);
  return transport(request.url.href, { ...request.init, selector: select });
}

export type { RedirectHop, RedirectOptions } from './follow-redirects.js';
