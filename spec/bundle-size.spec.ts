import { describe, expect, it } from 'vitest';
import { bundleSizes } from '../bench/size.js';

/**
 * Budgets in bytes of gzip: a ratchet just above the size measured on this
 * code (14,735 and 22,571 bytes; moving the request pipeline out of the
 * client class into src/pipeline.ts cost 190 of them, for state the stages
 * share by property name, and keeping the query out of HttpError.response
 * about 110), so that growth fails the suite and a change that shrinks the
 * bundle should lower them. Issue 6 aims at 3 KB and 10 KB (SIZE_TARGETS in
 * bench/size.ts): that target is not met, by far (bench/README.md).
 */
const BUDGETS = { ownCode: 14.5 * 1024, withRxjs: 22.25 * 1024 } as const;

describe('bundle size of an app using AsyncAPIClient, getJson and bearerTokenAuth (esbuild, minified, gzip)', () => {
  it(`our own code (rxjs external) is at most ${BUDGETS.ownCode} bytes and with the rxjs parts at most ${BUDGETS.withRxjs}`, async () => {
    const sizes = await bundleSizes();
    expect(sizes.ownCode).toBeLessThanOrEqual(BUDGETS.ownCode);
    expect(sizes.withRxjs).toBeLessThanOrEqual(BUDGETS.withRxjs);
  });
});
