/*
 * The `Link` header (RFC 8288) as paginate() follows it: its links by relation type, and a link turned into
 * an endpoint under the client's base URL, never elsewhere (the client's credentials go to its base URL only).
 */
import { ConfigurationError } from '../core/errors.js';

/**
 * The links of a `Link` header (RFC 8288) by relation type, lower case: the
 * first link of each type wins; a link with several types (`rel="next last"`)
 * counts for each.
 *
 * @example
 * ```ts
 * parseLinkHeader('<https://h/x?page=2>; rel="next", <https://h/x?page=9>; rel=last');
 * // Map { 'next' => 'https://h/x?page=2', 'last' => 'https://h/x?page=9' }
 * ```
 */
export function parseLinkHeader(header: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!header) return links;
  for (const [, target, params] of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params!);
    const types = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    for (const type of types) if (type !== '' && !links.has(type)) links.set(type, target!.trim());
  }
  return links;
}

/**
 * Turns a link into an endpoint under the base URL. A link elsewhere (another
 * origin, or above the base path) throws {@link ConfigurationError}: the
 * client's credentials go to the base URL only.
 *
 * @param pageUrl the URL of the page the link came from, for relative links
 * @example
 * ```ts
 * linkToEndpoint('https://h/v1/items?page=2', 'https://h/v1/items', new URL('https://h/v1/')); // 'items?page=2'
 * ```
 */
export function linkToEndpoint(link: string, pageUrl: string, baseUrl: URL): string {
  const url = new URL(link, pageUrl);
  if (url.origin !== baseUrl.origin || !url.pathname.startsWith(baseUrl.pathname)) {
    throw new ConfigurationError(
      `the next page's link leads outside the base URL ${baseUrl.origin}${baseUrl.pathname} (to ${url.origin}${url.pathname}): ` +
        'pass options.next to choose the next page, or a base URL that covers it',
    );
  }
  return url.pathname.slice(baseUrl.pathname.length) + url.search;
}
