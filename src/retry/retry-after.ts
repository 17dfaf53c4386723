/**
 * Server hints: how long a server asks the client to wait before trying
 * again. Pure functions of a header value and the current time.
 */

// RFC 9110 says delay-seconds is a whole number; some servers send "1.5", which is still clear.
const DELAY = /^\s*(\d+(?:\.\d+)?)\s*$/;
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three HTTP-date forms a recipient must accept (RFC 9110, section 5.6.7).
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Beyond this, a `X-RateLimit-Reset` number is a Unix time in seconds, not a number of seconds to wait. */
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
  let match = IMF_FIXDATE.exec(value);
  if (match) return utc(match[3]!, match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = RFC_850.exec(value);
  if (match) return utc(fullYear(Number(match[3]), now), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = ASCTIME.exec(value);
  if (match) return utc(match[6]!, match[1]!, match[2]!, match[3]!, match[4]!, match[5]!);
  return undefined;
}

/** RFC 9110: a two-digit year more than 50 years in the future is the most recent past year with those digits. */
function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}

function utc(year: string | number, month: string, day: string, hours: string, minutes: string, seconds: string): number | undefined {
  const parts = [Number(year), MONTHS.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds)] as const;
  const time = Date.UTC(...parts);
  const date = new Date(time);
  // Date.UTC rolls 31 Feb over to March: a date that does not read back the same was not a date.
  const readBack = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  return readBack.every((part, i) => part === parts[i]) ? time : undefined;
}
