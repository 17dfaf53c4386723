/// <reference types="jasmine" />
// parseRetryAfter in headless Chromium: it reads HTTP-dates back through Date, whose parsing is the engine's own.
import { parseRetryAfter } from '../../src/retry/retry-after';
import { NOW, RETRY_AFTER_CASES, RFC_850_YEAR_CASES } from './retry-after.cases';

describe('parseRetryAfter in the browser', () => {
  for (const [name, value, expected] of [...RETRY_AFTER_CASES, ...RFC_850_YEAR_CASES]) {
    it(`${name}: ${JSON.stringify(value)}`, () => {
      expect(parseRetryAfter(value, NOW)).toBe(expected);
    });
  }
});
