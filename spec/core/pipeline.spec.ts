// runRequest on its own, in virtual time: the test transport (rx-api-client/testing) answers after
// 10 ms with the statuses it is given, and the client's core is built as AsyncAPIClient builds it (its one
// feature, withEvents(), set up with the client's context).
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, withEvents, type ClientEvent } from '../../src/index.js';
import { resolveClientOptions, type ClientOptions } from '../../src/core/options.js';
import type { Feature, FeatureHooks } from '../../src/core/feature.js';
import { sendHeld } from '../../src/core/held-attempt.js';
import { clientCore, runRequest } from '../../src/core/pipeline.js';
import { RESPONSE_READER } from '../../src/core/response.js';
import { testTransport } from '../../src/testing/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** The core of a client whose transport answers each call with the next status, 10 ms later; `calls` counts them. */
function coreOf(scheduler: TestScheduler, statuses: number[], options: Partial<ClientOptions> = {}) {
  // The statuses in turn, then 200s.
  const transport = testTransport({ scheduler }).on('*', '*', ...[...statuses, 200].map((status) => ({ status, delay: 10 })));
  const calls = transport.requests;
  const events = withEvents();
  const seen: string[] = [];
  events.events$.subscribe((event: ClientEvent) => seen.push(`${event.type} ${'attempt' in event ? event.attempt : event.type === 'circuit' ? '' : event.attempts}`));
  const core = clientCore(resolveClientOptions({ baseUrl: 'https://api.test/v1', transport, scheduler, ...options }), [events]);
  return { core, calls, seen };
}

const get = (endpoint = '/items') => ({ method: 'GET', endpoint, options: {}, reader: RESPONSE_READER });

describe('runRequest', () => {
  it('retries a 503 by the policy, 2 s then 4 s, and emits the response of the third attempt', () => {
    const scheduler = newScheduler();
    const { core, calls, seen } = coreOf(scheduler, [503, 503, 200]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(runRequest(core, get()).pipe(map((response) => response.status))).toBe('6030ms (a|)', { a: 200 });
    });
    expect(calls.map((request) => request.url)).toEqual(['https://api.test/v1/items', 'https://api.test/v1/items', 'https://api.test/v1/items']);
    expect(seen).toEqual(['request 1', 'response 1', 'retry 1', 'request 2', 'response 2', 'retry 2', 'request 3', 'response 3']);
  });

  it('gives up after the policy’s attempts with the last HttpError, and says so in a giveUp event', () => {
    const scheduler = newScheduler();
    const { core, seen } = coreOf(scheduler, [500, 500, 500]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(runRequest(core, get()).pipe(map((response) => response.status))).toBe('6030ms #', undefined, expect.objectContaining({ status: 500, attempts: 3 }));
    });
    expect(seen.at(-1)).toBe('giveUp 3');
  });

  it('is cold, and a bad call errors on subscription with a ConfigurationError, sending nothing and never retried', () => {
    const scheduler = newScheduler();
    const { core, calls, seen } = coreOf(scheduler, []);
    const climb$ = runRequest(core, get('../admin'));
    expect(calls).toEqual([]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(climb$).toBe('#', undefined, expect.any(ConfigurationError));
    });
    // Nothing was sent: no request event, but the request failed, and giveUp says so (issue 13, item 7).
    expect(calls).toEqual([]);
    expect(seen).toEqual(['giveUp 0']);
  });

  it('unsubscribing during the backoff cancels the wait: no second attempt, and a cancel event', () => {
    const scheduler = newScheduler();
    const { core, calls, seen } = coreOf(scheduler, [503, 200]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(runRequest(core, get()), '1000ms !').toBe('');
    });
    scheduler.flush();
    expect(calls).toHaveLength(1);
    expect(seen).toEqual(['request 1', 'response 1', 'retry 1', 'cancel 1']);
  });
});

describe('runRequest and a per-request deadline without withDeadline()', () => {
  it('refuses a number (nothing would enforce it) before sending, and takes false (no deadline) as it is', () => {
    const scheduler = newScheduler();
    const { core, calls } = coreOf(scheduler, [200]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(runRequest(core, { ...get(), options: { deadline: 100 } })).toBe('#', undefined, expect.any(ConfigurationError));
      expectObservable(runRequest(core, { ...get(), options: { deadline: false } }).pipe(map((response) => response.status))).toBe('10ms (a|)', { a: 200 });
    });
    expect(calls).toHaveLength(1);
  });
});

describe('runRequest and a feature that intercepts', () => {
  it('intercepts a one-value call through the sender it brings; intercept without send does not type-check', () => {
    const scheduler = newScheduler();
    const transport = testTransport({ scheduler }).on('GET', '*', { status: 200, delay: 10 });
    const intercepted: string[] = [];
    const intercepting: Feature = {
      order: 0,
      setup: () => ({
        send: sendHeld,
        intercept: (request, fetch) => {
          intercepted.push(request.url.pathname);
          return fetch(request);
        },
      }),
    };
    // @ts-expect-error: a feature that intercepts brings its sender, or a one-value call would go round it.
    const withoutSender: Feature = { order: 0, setup: () => ({ intercept: (request, fetch) => fetch(request) }) };
    expect(withoutSender.order).toBe(0);
    // FeatureHooks stays an interface that others may extend (the rule is on a feature's setup).
    interface LoggingHooks extends FeatureHooks {
      readonly label: string;
    }
    const logging: LoggingHooks = { label: 'log', start: () => undefined };
    expect(logging.label).toBe('log');
    const core = clientCore(resolveClientOptions({ baseUrl: 'https://api.test/v1', transport, scheduler }), [intercepting]);
    scheduler.run(({ expectObservable }) => {
      expectObservable(runRequest(core, get()).pipe(map((response) => response.status))).toBe('10ms (a|)', { a: 200 });
    });
    expect(intercepted).toEqual(['/v1/items']);
  });
});
