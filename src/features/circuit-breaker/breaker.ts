import { defer, finalize, tap, throwError, type Observable } from 'rxjs';
import { MAX_TIMER_MS } from '../../core/constants.js';
import { ConfigurationError, type RequestTarget } from '../../core/errors.js';
import { isRetryableError } from '../../retry/decide.js';
import { CircuitOpenError } from './error.js';

/**
 * The breaker's settings when none are given.
 *
 * @example
 * ```ts
 * CIRCUIT_BREAKER_DEFAULTS.failureThreshold; // 5
 * ```
 */
export const CIRCUIT_BREAKER_DEFAULTS = Object.freeze({ failureThreshold: 5, resetTimeout: 30_000 });

/**
 * `closed`: attempts go through; `open`: they fail fast; `halfOpen`: one probe may go.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 3 });
 * if (breaker.state === 'open') console.log('the service is failing: requests fail fast');
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'halfOpen';

/**
 * Settings of a {@link CircuitBreaker}; what is left out takes its default (`failureThreshold: 5`, `resetTimeout: 30000`).
 *
 * @example
 * ```ts
 * const circuitBreaker: CircuitBreakerOptions = { failureThreshold: 3, resetTimeout: 10_000, isFailure: isNetworkError };
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withCircuitBreaker(circuitBreaker));
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * How many failed attempts in a row open the circuit.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * How long the circuit stays open before one probe may go, in milliseconds.
   * @default 30000
   */
  resetTimeout?: number;
  /**
   * Which errors of an attempt count as failures; any other outcome (a
   * response, a 404, a body that is not JSON) shows the server is up.
   * @default the errors the default retry policy retries: 429, 5xx, network errors, timeouts
   */
  isFailure?: (error: unknown) => boolean;
}

/**
 * A change of a breaker's state.
 *
 * @example
 * ```ts
 * breaker.enter(Date.now(), (change: CircuitChange) => console.log(`circuit ${change.previous} -> ${change.state}`));
 * ```
 */
export interface CircuitChange {
  readonly state: CircuitState;
  readonly previous: CircuitState;
}

/**
 * Whether an attempt may go, and if it is the half-open circuit's probe.
 *
 * @example
 * ```ts
 * const entry: CircuitEntry = breaker.enter(Date.now());
 * if (!entry.admitted) console.log(`open: a probe may go in ${entry.retryAfterMs} ms`);
 * else if (entry.probe) console.log('this attempt is the probe');
 * ```
 */
export type CircuitEntry = { readonly admitted: true; readonly probe: boolean } | { readonly admitted: false; readonly retryAfterMs: number };

/**
 * How an admitted attempt ended: `abandon` when it was cancelled before an outcome.
 *
 * @example
 * ```ts
 * const outcome: CircuitOutcome = breaker.isFailure(error) ? 'failure' : 'success';
 * breaker.settle(entry, outcome, Date.now());
 * ```
 */
export type CircuitOutcome = 'success' | 'failure' | 'abandon';

/**
 * Where a breaker reports its state changes.
 *
 * @example
 * ```ts
 * const onChange: CircuitListener = ({ state, previous }) => console.log(`circuit ${previous} -> ${state}`);
 * breaker.guard(attempt$, { now: () => Date.now(), target, attempts: () => 1, onChange });
 * ```
 */
export type CircuitListener = (change: CircuitChange) => void;

/**
 * What {@link CircuitBreaker.guard} needs to know about the attempt it runs.
 *
 * @example
 * ```ts
 * let responded: ((status: number) => void) | undefined;
 * const context: CircuitGuardContext = { now: () => scheduler.now(), target, attempts: () => made, onAdmit: (respond) => (responded = respond) };
 * breaker.guard(attempt$, context); // and, when the attempt's response arrives: responded?.(response.status)
 * ```
 */
export interface CircuitGuardContext {
  /** The clock: the client's `scheduler.now()`. */
  readonly now: () => number;
  /** The request, for the `CircuitOpenError`. */
  readonly target: RequestTarget;
  /** The attempts made so far, for the `CircuitOpenError`. */
  readonly attempts: () => number;
  /** Where state changes go. */
  readonly onChange?: CircuitListener;
  /**
   * Called when the attempt is let through, with `responded(status)` to call
   * when its response arrives. A status below 400 settles the half-open
   * circuit's probe as a success at once: a stream that stays quiet after its
   * response would otherwise hold the probe, and keep the circuit from
   * closing, until its first value. Other statuses, and attempts that are not
   * the probe, are settled by their first value or error as usual; a call
   * after the attempt was settled changes nothing.
   */
  readonly onAdmit?: (responded: (status: number) => void) => void;
}

/**
 * A circuit breaker shared by the requests of a client (or of several
 * clients, when the same instance is passed to each). After
 * `failureThreshold` failed attempts in a row it opens: attempts fail fast
 * with `CircuitOpenError` without touching the network. Once `resetTimeout`
 * has passed, the next attempt is let through as a probe (half-open) while
 * the others still fail fast; the probe's success closes the circuit, its
 * failure opens it again for another `resetTimeout`. The state moves only
 * when attempts arrive: no timer runs.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeout: 10_000 });
 * const a = new AsyncAPIClient({ baseUrl: 'https://api.example.com/a' }, withCircuitBreaker(breaker));
 * const b = new AsyncAPIClient({ baseUrl: 'https://api.example.com/b' }, withCircuitBreaker(breaker));
 * ```
 */
export class CircuitBreaker {
  /** Failed attempts in a row that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before a probe may go, in ms. */
  readonly resetTimeout: number;
  /** Whether an attempt's error counts as a failure. */
  readonly isFailure: (error: unknown) => boolean;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;

  constructor(options: CircuitBreakerOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigurationError('withCircuitBreaker takes settings such as { failureThreshold: 5 }, a CircuitBreaker, or nothing');
    }
    const { failureThreshold, resetTimeout } = { ...CIRCUIT_BREAKER_DEFAULTS, ...options };
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
      throw new ConfigurationError(`withCircuitBreaker: failureThreshold must be a whole number of 1 or more, not ${String(failureThreshold)}`);
    }
    if (typeof resetTimeout !== 'number' || !(resetTimeout >= 0) || resetTimeout > MAX_TIMER_MS) {
      throw new ConfigurationError(`withCircuitBreaker: resetTimeout must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, not ${String(resetTimeout)}`);
    }
    const isFailure = options.isFailure ?? ((error: unknown) => isRetryableError(error));
    if (typeof isFailure !== 'function') throw new ConfigurationError('withCircuitBreaker: isFailure must be a function (error) => boolean');
    this.failureThreshold = failureThreshold;
    this.resetTimeout = resetTimeout;
    this.isFailure = isFailure;
  }

  /** The state as of the last attempt (an open circuit turns half-open when an attempt arrives after `resetTimeout`). */
  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Asks to send an attempt at time `now`.
   *
   * @returns whether it may go (and whether it is the probe), or how long until a probe may go
   * @example
   * ```ts
   * const entry = breaker.enter(scheduler.now());
   * if (!entry.admitted) console.log(`open: next probe in ${entry.retryAfterMs} ms`);
   * ```
   */
  enter(now: number, onChange?: CircuitListener): CircuitEntry {
    if (this.#state === 'closed') return { admitted: true, probe: false };
    if (this.#state === 'open') {
      const waited = now - this.#openedAt;
      if (waited < this.resetTimeout) return { admitted: false, retryAfterMs: this.resetTimeout - waited };
      this.#move('halfOpen', onChange);
    }
    if (this.#probing) return { admitted: false, retryAfterMs: 0 };
    this.#probing = true;
    return { admitted: true, probe: true };
  }

  /**
   * Records how an admitted attempt ended. Only the probe's outcome moves a
   * half-open circuit; outcomes of attempts that started before the circuit
   * opened are ignored while it is open.
   *
   * @example
   * ```ts
   * breaker.settle(entry, 'failure', scheduler.now());
   * ```
   */
  settle(entry: CircuitEntry & { admitted: true }, outcome: CircuitOutcome, now: number, onChange?: CircuitListener): void {
    if (entry.probe) {
      if (this.#state !== 'halfOpen') return;
      this.#probing = false;
      if (outcome === 'success') this.#close(onChange);
      else if (outcome === 'failure') this.#open(now, onChange);
      return;
    }
    if (this.#state !== 'closed' || outcome === 'abandon') return;
    if (outcome === 'success') this.#failures = 0;
    else if ((this.#failures += 1) >= this.failureThreshold) this.#open(now, onChange);
  }

  /**
   * Runs `attempt$` through the breaker: fails fast with
   * {@link CircuitOpenError} when it may not go, and records its outcome
   * (its first value or an error that `isFailure` does not count is a
   * success; for the probe, so is a response below 400 reported through
   * `context.onAdmit`; unsubscribing first is no outcome).
   *
   * @param context the clock, the request (for the error), the attempts made so far, where state changes go, and a hook for the response
   * @example
   * ```ts
   * breaker.guard(attempt$, { now: () => scheduler.now(), target, attempts: () => made });
   * ```
   */
  guard<T>(attempt$: Observable<T>, context: CircuitGuardContext): Observable<T> {
    return defer(() => {
      const entry = this.enter(context.now(), context.onChange);
      if (!entry.admitted) return throwError(() => new CircuitOpenError(context.target, context.attempts(), entry.retryAfterMs));
      let settled = false;
      const settle = (outcome: CircuitOutcome) => {
        if (settled) return;
        settled = true;
        this.settle(entry, outcome, context.now(), context.onChange);
      };
      // Only the probe: for other attempts a body that dies after a 200 is still a failed attempt.
      context.onAdmit?.((status) => {
        if (entry.probe && status < 400) settle('success');
      });
      return attempt$.pipe(
        tap({ next: () => settle('success'), error: (error: unknown) => settle(this.isFailure(error) ? 'failure' : 'success') }),
        finalize(() => settle('abandon')),
      );
    });
  }

  #open(now: number, onChange: CircuitListener | undefined): void {
    this.#openedAt = now;
    this.#move('open', onChange);
  }

  #close(onChange: CircuitListener | undefined): void {
    this.#failures = 0;
    this.#move('closed', onChange);
  }

  #move(state: CircuitState, onChange: CircuitListener | undefined): void {
    const previous = this.#state;
    this.#state = state;
    onChange?.({ state, previous });
  }
}
