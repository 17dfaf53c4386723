// Server-side rendering: rx-api-client/angular imported and used in Node where touching `document` or
// `window` throws (and is recorded), as on a server without a DOM. Angular itself is loaded first: its own
// guarded probe at import (`typeof document`, skipped in Angular's server builds, where ngServerMode is set)
// is not this entry's.
import { Injector } from '@angular/core';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';

const touched: string[] = [];

afterEach(() => {
  for (const name of ['document', 'window']) delete (globalThis as Record<string, unknown>)[name];
});

describe('rx-api-client/angular on the server', () => {
  it('imports, provides a client and sends a request without touching document or window', async () => {
    for (const name of ['document', 'window']) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          throw new Error(`${name} was touched on the server`);
        },
      });
    }
    // Imported only now, under the traps: evaluating the module is part of what is checked.
    const { provideApiClient, provideApiClientTesting, API_TEST_TRANSPORT } = await import('../../src/angular/index.js');
    const { AsyncAPIClient } = await import('../../src/index.js');
    const injector = Injector.create({ providers: [provideApiClient({ baseUrl: 'https://api.test' }), provideApiClientTesting()] });
    injector.get(API_TEST_TRANSPORT).on('GET', '/items', { body: [1] });
    expect(await lastValueFrom(injector.get(AsyncAPIClient).getJson('/items'))).toEqual([1]);
    expect(touched).toEqual([]);
  });
});
