import { inject, InjectionToken, type Provider } from '@angular/core';
import { testTransport, type TestTransport } from 'rx-api-client/testing';
import { CLIENT_OVERRIDES } from './provide.js';

/**
 * The test transport under the clients of a `TestBed` (or any injector) that
 * has {@link provideApiClientTesting}: inject it to answer and check requests.
 *
 * @example
 * ```ts
 * const api = TestBed.inject(API_TEST_TRANSPORT);
 * await api.expectOne('GET /v1/items').flush([{ id: 1 }]);
 * ```
 */
export const API_TEST_TRANSPORT = new InjectionToken<TestTransport>('rx-api-client test transport');

/**
 * Puts a test transport (rx-api-client/testing) under every client that
 * `provideApiClient()` provides in this injector and its children, whatever
 * their `transport` option says, and gives them its scheduler (a
 * `TestScheduler` for virtual time). Nothing is sent over the network.
 *
 * @param transport the test transport to use (made with `testTransport({ scheduler })`); a new one by default
 * @returns the providers, beside those of `provideApiClient()`
 * @example
 * ```ts
 * TestBed.configureTestingModule({ providers: [provideApiClient({ baseUrl: 'https://api.test/v1' }), provideApiClientTesting()] });
 * ```
 */
export function provideApiClientTesting(transport?: TestTransport): Provider[] {
  return [
    { provide: API_TEST_TRANSPORT, useFactory: () => transport ?? testTransport() },
    {
      provide: CLIENT_OVERRIDES,
      useFactory: () => {
        const api = inject(API_TEST_TRANSPORT);
        return { transport: api, scheduler: api.scheduler };
      },
    },
  ];
}
