/**
 * Server hints: how long a server asks the client to wait before trying
 * again. Pure functions of a header value and the current time.
 */

// RFC 9110 says delay-seconds is a whole number; some servers send "1.5", which is still clear.
const DELAY = /^\s*(\d+(?:\.\d+)?)\s*$/;
// The three HTTP-date forms a recipient must accept (RFC 9110, section 5.6.7), in one pattern:
// IMF-fixdate (day, month, year, time), RFC 850 (day, month, two-digit year, time), asctime (month, day, time, year).
const HTTP_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d:\d\d:\d\d) GMT|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d:\d\d:\d\d) GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) (\d{4}))$/;
const EPOCH_SECONDS_FROM = 1_000_000_000;

/**
 * The wait a `Retry-After` header value asks for, in milliseconds: a number
 * of seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, or the
 * two obsolete forms), counted from `now`. A date in the past means no wait.
 * `undefined` when the value is absent or not understood.
 *
 * @param now the current time in ms since the epoch (the scheduler's `now()`)
 * @example
 * ```ts
 * parseRetryAfter('120', Date.now()); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:30Z')); // 30000
 * parseRetryAfter('soon', Date.now()); // undefined
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = parseDelay(value);
  if (seconds !== undefined) return seconds * 1000;
  const date = parseHttpDate(value.trim(), now);
  return date === undefined ? undefined : Math.max(0, date - now);
}

/**
 * The wait a failed response asks for, in milliseconds, from its headers, in
 * this order: `retry-after-ms` (milliseconds), `Retry-After` (seconds or an
 * HTTP-date), and, for a 429 only, `RateLimit-Reset` then `X-RateLimit-Reset`
 * (seconds to wait, or a Unix time in seconds when the number is that large).
 * The rate-limit headers are read on a 429 only: on other statuses they
 * describe a quota, not the failure. `undefined` when none applies.
 *
 * @example
 * ```ts
 * serverRetryDelay(new Headers({ 'retry-after-ms': '250' }), 503, Date.now()); // 250
 * serverRetryDelay(new Headers({ 'x-ratelimit-reset': '30' }), 429, Date.now()); // 30000
 * serverRetryDelay(new Headers({ 'x-ratelimit-reset': '30' }), 503, Date.now()); // undefined
 * ```
 */
export function serverRetryDelay(headers: Headers, status: number, now: number): number | undefined {
  const ms = parseDelay(headers.get('retry-after-ms') ?? '');
  if (ms !== undefined) return ms;
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined || status !== 429) return retryAfter;
  return parseRateLimitReset(headers.get('ratelimit-reset'), now) ?? parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}

function parseRateLimitReset(value: string | null, now: number): number | undefined {
  const seconds = parseDelay(value ?? '');
  if (seconds === undefined) return undefined;
  return seconds >= EPOCH_SECONDS_FROM ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
}

function parseDelay(value: string): number | undefined {
  const match = DELAY.exec(value);
  return match ? Number(match[1]) : undefined;
}

function parseHttpDate(value: string, now: number): number | undefined {
  const match = HTTP_DATE.exec(value);
  if (match === null) return undefined;
  const [, day1, month1, year1, time1, day2, month2, year2, time2, month3, day3, time3, year3] = match;
  const year = year1 ?? year3 ?? fullYear(Number(year2), now);
  // The date as an IMF-fixdate without its weekday, which Date parses; one that does not read back the same
  // (31 Feb rolls over to March, 25:00 to the next day) was not a date.
  const date = `${(day1 ?? day2 ?? day3)!.replace(' ', '0')} ${month1 ?? month2 ?? month3} ${year} ${time1 ?? time2 ?? time3} GMT`;
  const at = Date.parse(date);
  return new Date(at).toUTCString().slice(5) === date ? at : undefined;
}

function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}
