import { neverRetried, RequestError, type RequestTarget } from '../../core/errors.js';
import { attemptsSuffix } from '../../core/messages.js';
import { isErrorOf } from '../../core/guards.js';

/**
 * The client's circuit breaker is open (or half-open with its one probe in
 * flight), so the attempt was not sent: the request fails fast without
 * touching the network. Never retried.
 *
 * @example
 * ```ts
 * client.getJson('/items').subscribe({
 *   error: (e) => isCircuitOpenError(e) && showBanner(`service down, next try in ${e.retryAfterMs / 1000} s`),
 * });
 * ```
 */
export class CircuitOpenError extends RequestError {
  /** `'CircuitOpenError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'CircuitOpenError';
  }

  /** How long until the breaker lets a probe through, in ms (0 when a probe is already in flight). */
  declare readonly retryAfterMs: number;

  constructor(target: RequestTarget, attempts: number, retryAfterMs: number) {
    super(
      process.env.NODE_ENV !== 'production'
        ? `${target.method} ${target.url} was not sent: the circuit breaker is open (${
            retryAfterMs > 0 ? `a probe may go in ${retryAfterMs} ms` : 'a probe is in flight'
          })${attemptsSuffix(attempts)}`
        : 'circuit-open',
      target,
      attempts,
    );
    this.retryAfterMs = retryAfterMs;
    // An open circuit is an answer, not a failure: no retry, whatever retryOn says.
    neverRetried(this);
  }
}

/**
 * Whether `error` is a {@link CircuitOpenError}.
 * @example
 * ```ts
 * if (isCircuitOpenError(e)) console.log(`circuit open, retry in ${e.retryAfterMs} ms`);
 * ```
 */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError => isErrorOf(error, 'CircuitOpenError');
