// The cases of parseRetryAfter, shared by retry-after.spec.ts (Node) and retry-after.browser.spec.ts
// (Chromium): HTTP-dates are read back through Date, whose parsing each engine does its own way.

export const NOW = Date.parse('2026-03-10T12:00:00Z');

/** [what, header value, expected wait in ms]. */
export const RETRY_AFTER_CASES: readonly (readonly [string, string | null | undefined, number | undefined])[] = [
  ['seconds', '120', 120_000],
  ['zero seconds: retry at once', '0', 0],
  ['seconds with blanks around', ' 7 ', 7_000],
  ['fractional seconds (lenient)', '1.5', 1_500],
  ['an IMF-fixdate 30 s ahead', 'Tue, 10 Mar 2026 12:00:30 GMT', 30_000],
  ['an IMF-fixdate in the past: no wait', 'Tue, 10 Mar 2026 11:59:00 GMT', 0],
  ['an IMF-fixdate a day ahead', 'Wed, 11 Mar 2026 12:00:00 GMT', 86_400_000],
  ['an RFC 850 date', 'Tuesday, 10-Mar-26 12:01:00 GMT', 60_000],
  ['an asctime date, day padded with a space', 'Sun Mar  1 12:00:00 2026', 0],
  ['an asctime date ahead', 'Tue Mar 10 12:00:05 2026', 5_000],
  ['absent (null)', null, undefined],
  ['absent (undefined)', undefined, undefined],
  ['empty', '', undefined],
  ['negative seconds', '-5', undefined],
  ['an exponent', '1e3', undefined],
  ['a word', 'soon', undefined],
  ['a date that does not exist', 'Tue, 31 Feb 2026 12:00:00 GMT', undefined],
  ['an hour that does not exist', 'Tue, 10 Mar 2026 25:00:00 GMT', undefined],
  ['a date without GMT', 'Tue, 10 Mar 2026 12:00:30', undefined],
  ['an ISO date (not an HTTP-date)', '2026-03-10T12:00:30Z', undefined],
  ['a lower-case month', 'Tue, 10 mar 2026 12:00:30 GMT', undefined],
  ['a month that does not exist', 'Tue, 10 Mab 2026 12:00:30 GMT', undefined],
  ['29 February of a leap year', 'Tue, 29 Feb 2028 12:00:00 GMT', Date.parse('2028-02-29T12:00:00Z') - NOW],
  ['29 February of another year', 'Sun, 29 Feb 2026 12:00:00 GMT', undefined],
];

/** [what, RFC 850 date, expected wait in ms]: a two-digit year more than 50 years ahead is in the past century (RFC 9110). */
export const RFC_850_YEAR_CASES: readonly (readonly [string, string, number])[] = [
  ['76 is 2076 (50 years ahead, still this century)', 'Thursday, 10-Mar-76 12:00:00 GMT', Date.parse('2076-03-10T12:00:00Z') - NOW],
  ['77 is 1977 (51 years ahead would be too far)', 'Thursday, 10-Mar-77 12:00:00 GMT', 0],
];
