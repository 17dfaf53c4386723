import { defer, filter, from, mergeMap, of, tap, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, withCircuitBreaker } from '../../src/features/circuit-breaker/index.js';
import type { CircuitChange, CircuitEntry } from '../../src/features/circuit-breaker/breaker.js';
import { ConfigurationError, HttpError, NetworkError } from '../../src/core/errors.js';
import { AsyncAPIClient } from '../../src/core/client.js';
import type { Feature } from '../../src/core/feature.js';
import type { Transport } from '../../src/core/transport.js';

const target = { method: 'GET', url: 'https://h/x' };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * One step at time `t`: `enter` expects admission (`'go'`, `'probe'`) or a
 * refusal with the ms until a probe may go; `ok`, `fail` and `drop` settle
 * the entry made by the step numbered `of`.
 */
type Step =
  | { t: number; enter: 'go' | 'probe' | number }
  | { t: number; settle: 'success' | 'failure' | 'abandon'; of: number };

function run(steps: Step[], options = { failureThreshold: 3, resetTimeout: 1000 }) {
  const breaker = new CircuitBreaker(options);
  const changes: string[] = [];
  const onChange = ({ previous, state }: CircuitChange) => changes.push(`${previous}→${state}`);
  const entries: CircuitEntry[] = [];
  steps.forEach((step, i) => {
    if ('enter' in step) {
      const entry = breaker.enter(step.t, onChange);
      entries[i] = entry;
      const seen = entry.admitted ? (entry.probe ? 'probe' : 'go') : entry.retryAfterMs;
      expect(seen, `step ${i}`).toBe(step.enter);
    } else {
      breaker.settle(entries[step.of] as CircuitEntry & { admitted: true }, step.settle, step.t, onChange);
    }
  });
  return { state: breaker.state, changes };
}

/** Three failures at time 0 (steps 0 to 5): the circuit opens with a threshold of 3. */
const tripped: Step[] = [
  { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 0 },
  { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 2 },
  { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 4 },
];

describe('CircuitBreaker (state machine)', () => {
  it.each<[string, Step[], string, string[]]>([
    [
      'stays closed below the threshold',
      [{ t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 0 }, { t: 1, enter: 'go' }, { t: 1, settle: 'failure', of: 2 }, { t: 2, enter: 'go' }],
      'closed',
      [],
    ],
    [
      'opens at the threshold of failures in a row, then fails fast with the time left',
      [
        { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 0 },
        { t: 1, enter: 'go' }, { t: 1, settle: 'failure', of: 2 },
        { t: 2, enter: 'go' }, { t: 2, settle: 'failure', of: 4 },
        { t: 2, enter: 1000 },
        { t: 502, enter: 500 },
      ],
      'open',
      ['closed→open'],
    ],
    [
      'a success in between resets the count',
      [
        { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 0 },
        { t: 1, enter: 'go' }, { t: 1, settle: 'failure', of: 2 },
        { t: 2, enter: 'go' }, { t: 2, settle: 'success', of: 4 },
        { t: 3, enter: 'go' }, { t: 3, settle: 'failure', of: 6 },
        { t: 4, enter: 'go' },
      ],
      'closed',
      [],
    ],
    [
      'after resetTimeout one probe goes (half-open) and the others still fail fast',
      [
        ...tripped,
        { t: 1000, enter: 'probe' },
        { t: 1001, enter: 0 },
      ],
      'halfOpen',
      ['closed→open', 'open→halfOpen'],
    ],
    [
      'the probe succeeds: closed, and attempts go again',
      [
        ...tripped,
        { t: 1500, enter: 'probe' }, { t: 1600, settle: 'success', of: 6 },
        { t: 1601, enter: 'go' },
      ],
      'closed',
      ['closed→open', 'open→halfOpen', 'halfOpen→closed'],
    ],
    [
      'the probe fails: open again for a whole resetTimeout from then',
      [
        ...tripped,
        { t: 1000, enter: 'probe' }, { t: 1200, settle: 'failure', of: 6 },
        { t: 1300, enter: 900 },
        { t: 2200, enter: 'probe' },
      ],
      'halfOpen',
      ['closed→open', 'open→halfOpen', 'halfOpen→open', 'open→halfOpen'],
    ],
    [
      'a cancelled probe lets the next attempt probe',
      [
        ...tripped,
        { t: 1000, enter: 'probe' }, { t: 1001, enter: 0 }, { t: 1002, settle: 'abandon', of: 6 },
        { t: 1003, enter: 'probe' },
      ],
      'halfOpen',
      ['closed→open', 'open→halfOpen'],
    ],
    [
      'outcomes of attempts that started before it opened are ignored while open',
      [
        { t: 0, enter: 'go' }, { t: 0, enter: 'go' }, { t: 0, enter: 'go' }, { t: 0, enter: 'go' },
        { t: 1, settle: 'failure', of: 0 }, { t: 1, settle: 'failure', of: 1 }, { t: 1, settle: 'failure', of: 2 },
        { t: 5, settle: 'success', of: 3 },
        { t: 6, enter: 995 },
      ],
      'open',
      ['closed→open'],
    ],
    [
      'a cancelled attempt is no outcome',
      [
        { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 0 },
        { t: 0, enter: 'go' }, { t: 0, settle: 'failure', of: 2 },
        { t: 0, enter: 'go' }, { t: 0, settle: 'abandon', of: 4 },
        { t: 0, enter: 'go' },
      ],
      'closed',
      [],
    ],
  ])('%s', (_name, steps, state, changes) => {
    expect(run(steps)).toEqual({ state, changes });
  });

  it.each([
    [{ failureThreshold: 0 }, /failureThreshold must be a whole number of 1 or more, not 0/],
    [{ failureThreshold: 2.5 }, /failureThreshold/],
    [{ resetTimeout: -1 }, /resetTimeout must be a number of milliseconds from 0/],
    [{ resetTimeout: Number.NaN }, /resetTimeout/],
    [{ isFailure: 'yes' }, /isFailure must be a function/],
  ])('refuses %j', (options, message) => {
    expect(() => new CircuitBreaker(options as never)).toThrow(ConfigurationError);
    expect(() => new CircuitBreaker(options as never)).toThrow(message);
  });

  it('is off unless asked for; withCircuitBreaker() gives the defaults, settings fill in the defaults; an instance is kept', () => {
    const scheduler = newScheduler();
    const down = new TypeError('down');
    /** Sends `count` GETs one after the other (each fails at once, not retried) on a client with `features`; what each ended with, and how many were sent. */
    const failures = (count: number, ...features: Feature[]) => {
      let sent = 0;
      const transport: Transport = (_url, init) => {
        sent += 1;
        return scheduler.createColdObservable<Response>('#', undefined, down).pipe(mergeMap((response) => from(init.selector(response))));
      };
      const client = new AsyncAPIClient({ baseUrl: 'https://h/', transport, scheduler, retry: false }, ...features);
      const errors: unknown[] = [];
      for (let i = 0; i < count; i += 1) {
        client.request('GET', 'x').subscribe({ error: (error: unknown) => errors.push(error) });
        scheduler.flush();
      }
      return { errors, sent: () => sent, client };
    };
    const failed = new NetworkError(down, target, 1);
    // Off unless asked for: ten failures in a row, ten requests sent.
    const off = failures(10);
    expect(off.sent()).toBe(10);
    expect(off.errors).toEqual(Array.from({ length: 10 }, () => failed));
    // The old option is refused, saying where it went.
    expect(() => new AsyncAPIClient({ baseUrl: 'https://h/', circuitBreaker: true } as never)).toThrow(ConfigurationError);
    expect(() => new AsyncAPIClient({ baseUrl: 'https://h/', circuitBreaker: false } as never)).toThrow(/withCircuitBreaker/);
    // The defaults: open after 5 failures in a row, a probe after 30 s. (Refused before its first attempt: 0 attempts.)
    const defaults = failures(6, withCircuitBreaker());
    expect(defaults.sent()).toBe(5);
    expect(defaults.errors).toEqual([...Array.from({ length: 5 }, () => failed), new CircuitOpenError(target, 0, 30_000)]);
    // Settings: what they leave out is the default.
    const settings = failures(6, withCircuitBreaker({ resetTimeout: 5 }));
    expect(settings.sent()).toBe(5);
    expect(settings.errors.at(-1)).toEqual(new CircuitOpenError(target, 0, 5));
    // An instance is kept: the clients it is given to share it.
    const shared = new CircuitBreaker({ failureThreshold: 2, resetTimeout: 1000 });
    const first = failures(2, withCircuitBreaker(shared));
    expect(first.sent()).toBe(2);
    expect(shared.state).toBe('open');
    const second = failures(1, withCircuitBreaker(shared));
    expect(second.sent()).toBe(0);
    expect(second.errors).toEqual([new CircuitOpenError(target, 0, 1000)]);
    // Settings make one breaker per client, even from one feature value.
    const perClient = withCircuitBreaker({ failureThreshold: 1 });
    expect(failures(1, perClient).sent()).toBe(1);
    expect(failures(1, perClient).sent()).toBe(1);
  });

  it('counts by default the failures the default retry policy retries (429, 5xx, network, timeout), not a 404', () => {
    const breaker = new CircuitBreaker();
    const http = (status: number) => new HttpError(new Response(null, { status }), target, 1);
    expect([http(503), http(429), http(404), new NetworkError(new TypeError('x'), target, 1)].map(breaker.isFailure)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });
});

describe('CircuitBreaker.guard (marbles)', () => {
  const failure = new NetworkError(new TypeError('down'), target, 1);

  it('fails fast with CircuitOpenError once open, without subscribing to the attempt', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 100 });
      const context = { now: () => scheduler.now(), target, attempts: () => 1 };
      const down = cold('-#', undefined, failure);
      expectObservable(breaker.guard(down, context)).toBe('-#', undefined, failure);
      const untouched = cold('-a|');
      const refused = new CircuitOpenError(target, 1, 96); // opened at 1 ms, 100 ms reset
      expectObservable(defer(() => breaker.guard(untouched, context)), '5ms ^').toBe('5ms #', undefined, refused);
      expectSubscriptions(untouched.subscriptions).toBe([]);
    });
  });

  it('lets the probe through after resetTimeout and closes on its value', () => {
    const scheduler = newScheduler();
    const changes: CircuitChange[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 100 });
      const context = { now: () => scheduler.now(), target, attempts: () => 1, onChange: (c: CircuitChange) => changes.push(c) };
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      expectObservable(breaker.guard(cold('--a|'), context), '100ms ^').toBe('102ms a|');
      expectObservable(breaker.guard(of('b'), context), '103ms ^').toBe('103ms (b|)');
    });
    expect(changes.map((c) => c.state)).toEqual(['open', 'halfOpen', 'closed']);
  });

  it('an answer that is not a failure (a 404) counts as a success', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 2, resetTimeout: 100 });
      const context = { now: () => scheduler.now(), target, attempts: () => 1 };
      const notFound = new HttpError(new Response(null, { status: 404 }), target, 1);
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      expectObservable(breaker.guard(cold('#', undefined, notFound), context)).toBe('#', undefined, notFound);
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      expect(breaker.state).toBe('closed');
    });
  });

  it('unsubscribing from the probe frees the half-open slot for the next attempt', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 0 });
      const context = { now: () => scheduler.now(), target, attempts: () => 1 };
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      expectObservable(breaker.guard(cold('-----a|'), context), '^ 2ms !').toBe('');
      expectObservable(breaker.guard(cold('a|'), context), '5ms ^').toBe('5ms a|');
    });
  });
});

describe('CircuitBreaker.guard: a response settles the probe (marbles)', () => {
  const failure = new NetworkError(new TypeError('down'), target, 1);

  /** An attempt that emits nothing: it reports a response with `status` at the `r` of `marbles` (as the client's response hook does). */
  const quietAttempt = (attempt$: Observable<string>, status: number, responded: () => ((status: number) => void) | undefined) =>
    attempt$.pipe(
      tap(() => responded()?.(status)),
      filter(() => false),
    );

  it('a quiet stream that is the probe closes the circuit when its response (status < 400) arrives, before any value', () => {
    const scheduler = newScheduler();
    const changes: CircuitChange[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 100 });
      let responded: ((status: number) => void) | undefined;
      const context = {
        now: () => scheduler.now(),
        target,
        attempts: () => 1,
        onChange: (c: CircuitChange) => changes.push(c),
        onAdmit: (respond: (status: number) => void) => (responded = respond),
      };
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      // The probe at 100 ms: its 200 at 102 ms, then nothing for as long as the test runs.
      const stream = quietAttempt(cold('--r'), 200, () => responded);
      expectObservable(breaker.guard(stream, context), '100ms ^').toBe('');
      const next = cold('a|');
      expectObservable(defer(() => breaker.guard(next, context)), '110ms ^').toBe('110ms a|');
      expectSubscriptions(next.subscriptions).toBe('110ms ^!');
    });
    expect(changes.map((c) => c.state)).toEqual(['open', 'halfOpen', 'closed']);
  });

  it('a response of 400 or more does not settle the probe: its error does', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 100 });
      let responded: ((status: number) => void) | undefined;
      const context = { now: () => scheduler.now(), target, attempts: () => 1, onAdmit: (respond: (status: number) => void) => (responded = respond) };
      const unavailable = new HttpError(new Response(null, { status: 503 }), target, 1);
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      const probe = quietAttempt(cold('--r--#', undefined, unavailable), 503, () => responded);
      expectObservable(breaker.guard(probe, context), '100ms ^').toBe('105ms #', undefined, unavailable);
      // Still the probe's at 103 ms; open again from 105 ms.
      expectObservable(defer(() => breaker.guard(cold('a|'), context)), '103ms ^').toBe('103ms #', undefined, new CircuitOpenError(target, 1, 0));
      expectObservable(defer(() => breaker.guard(cold('a|'), context)), '106ms ^').toBe('106ms #', undefined, new CircuitOpenError(target, 1, 99));
    });
  });

  it('an attempt that is not the probe is still settled by its value or error, not by its response', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 2, resetTimeout: 100 });
      let responded: ((status: number) => void) | undefined;
      const context = { now: () => scheduler.now(), target, attempts: () => 1, onAdmit: (respond: (status: number) => void) => (responded = respond) };
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      // A 200 whose body then dies: a failed attempt, the second in a row.
      const reset = quietAttempt(cold('-r#', undefined, failure), 200, () => responded);
      expectObservable(breaker.guard(reset, context), '1ms ^').toBe('3ms #', undefined, failure);
      expect(breaker.state).toBe('closed');
      scheduler.flush();
      expect(breaker.state).toBe('open');
    });
  });

  it('a late call of responded, after its attempt was settled, changes nothing', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 100 });
      let responded: ((status: number) => void) | undefined;
      const context = { now: () => scheduler.now(), target, attempts: () => 1, onAdmit: (respond: (status: number) => void) => (responded = respond) };
      expectObservable(breaker.guard(cold('#', undefined, failure), context)).toBe('#', undefined, failure);
      expectObservable(breaker.guard(cold('#', undefined, failure), context), '100ms ^').toBe('100ms #', undefined, failure);
      scheduler.flush();
      responded?.(200);
      expect(breaker.state).toBe('open');
    });
  });
});
