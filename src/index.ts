export { AsyncAPIClient } from './client.js';
export { apiKeyAuth, bearerTokenAuth, oauthTokenAuth } from './auth.js';
export {
  BodyNotReplayableError,
  CircuitOpenError,
  ConfigurationError,
  HttpError,
  NetworkError,
  ParseError,
  RequestError,
  TimeoutError,
  isBodyNotReplayableError,
  isCircuitOpenError,
  isConfigurationError,
  isHttpError,
  isNetworkError,
  isParseError,
  isTimeoutError,
  type RequestTarget,
} from './errors.js';
export type { CancelEvent, CircuitEvent, ClientEvent, GiveUpEvent, RequestEvent, ResponseEvent, RetryEvent } from './events.js';
export type { HeadersLike } from './headers.js';
export {
  DEFAULTS,
  type ClientOptions,
  type QueryParams,
  type QueryValue,
  type RequestOptions,
  type RetryJitter,
  type RetryOptions,
  type RetryPolicy,
  type RetryPredicate,
} from './options.js';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitChange, type CircuitEntry, type CircuitListener, type CircuitOutcome, type CircuitState } from './circuit-breaker.js';
export { backoffDelay } from './retry/backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './retry/budget.js';
export { decideRetry, isRetryableError, isRetryableStatus, type RetryDecision } from './retry/decide.js';
export { IDEMPOTENT_METHODS } from './retry/idempotency.js';
export { retryWithPolicy, type RetryGuards, type RetryInfo } from './retry/operator.js';
export { parseRetryAfter, serverRetryDelay } from './retry/retry-after.js';
export { joinUrl, parseBaseUrl } from './url.js';
