import nock from 'nock';
import { afterEach, beforeEach } from 'vitest';

/**
 * nock around each test of the calling file or describe block: no real
 * network during a test but what it allows itself (`nock.enableNetConnect('127.0.0.1')`),
 * and every interceptor cleared after it.
 */
export function useOfflineNock(): void {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}
