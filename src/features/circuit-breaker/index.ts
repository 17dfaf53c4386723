import type { Feature, FeatureEvent } from '../../core/feature.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitChange, type CircuitState } from './breaker.js';
import { requestId } from '../request-id.js';

export { CircuitBreaker, CIRCUIT_BREAKER_DEFAULTS, type CircuitBreakerOptions, type CircuitState } from './breaker.js';
export { CircuitOpenError, isCircuitOpenError } from './error.js';

/**
 * The client's circuit breaker changed state; `method` and `url` are those of
 * the request whose attempt caused the change.
 *
 * @example
 * ```ts
 * events.events$
 *   .pipe(filter((e): e is CircuitEvent => e.type === 'circuit'))
 *   .subscribe((e) => console.warn(`circuit ${e.previous} -> ${e.state} (at ${e.method} ${e.url})`));
 * ```
 */
export interface CircuitEvent extends FeatureEvent {
  /** `'circuit'`: emitted each time the breaker changes state. */
  readonly type: 'circuit';
  /** The id of that request, as in its other events. */
  readonly requestId: number;
  /** When the state changed: the client's `scheduler.now()`, in ms. */
  readonly time: number;
  /** The new state: `open` (failing fast), `halfOpen` (a probe may go) or `closed`. */
  readonly state: CircuitState;
  /** The state it left: `closed`, `open` or `halfOpen`. */
  readonly previous: CircuitState;
}

/**
 * A circuit breaker for the client: after `failureThreshold` failed attempts
 * in a row it fails fast with `CircuitOpenError` (never retried), lets one
 * probe through after `resetTimeout`, and closes when the probe succeeds. It
 * sees every attempt, replays after a token refresh included; its state
 * changes are `circuit` events (with `withEvents()`).
 *
 * @param options settings (each client gets its own breaker), or a
 *   `CircuitBreaker` instance to share between clients
 * @default { failureThreshold: 5, resetTimeout: 30000 }
 * @example
 * ```ts
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withCircuitBreaker({ failureThreshold: 3 }));
 * ```
 */
export function withCircuitBreaker(options: CircuitBreakerOptions | CircuitBreaker = {}): Feature {
  // Checked now, when the feature is named, not when the first client is made.
  const checked = options instanceof CircuitBreaker ? options : new CircuitBreaker(options);
  let given: CircuitBreaker | undefined = checked;
  return {
    order: 10,
    setup: (client) => {
      // Settings make one breaker per client; an instance is shared by every client it is given to.
      const breaker = options instanceof CircuitBreaker ? options : (given ?? new CircuitBreaker(options));
      given = undefined;
      const now = () => client.scheduler.now();
      return {
        start: (request) => {
          const { target } = request;
          let responded: ((status: number) => void) | undefined;
          const onChange = ({ state, previous }: CircuitChange) =>
            client.emit((): CircuitEvent => ({ type: 'circuit', method: target.method, url: target.url, requestId: requestId(request), time: now(), state, previous }));
          return {
            attempts: (attempt$) => breaker.guard(attempt$, { now, target, attempts: () => request.attempts, onChange, onAdmit: (respond) => (responded = respond) }),
            received: (response) => responded?.(response.status),
          };
        },
      };
    },
  };
}
