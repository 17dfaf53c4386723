export { AsyncAPIClient } from './client.js';
export { apiKeyAuth, basicAuth, bearerTokenAuth, oauthTokenAuth, type ApiKeyOptions } from './auth.js';
export type { AuthHeaders, AuthProvider, AuthRecord, QueryCredential } from './auth-provider.js';
export {
  BodyNotReplayableError,
  BodyTooLargeError,
  CircuitOpenError,
  ConfigurationError,
  HttpError,
  NetworkError,
  ParseError,
  RedirectError,
  RequestError,
  TimeoutError,
  isBodyNotReplayableError,
  isCircuitOpenError,
  TokenRefreshError,
  isConfigurationError,
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isParseError,
  isRedirectError,
  isTimeoutError,
  isTokenRefreshError,
  type RequestTarget,
} from './errors.js';
export type { CancelEvent, CircuitEvent, ClientEvent, GiveUpEvent, RedirectEvent, RequestEvent, ResponseEvent, RetryEvent } from './events.js';
export type { HeadersLike } from './headers.js';
export { fetchTransport, type Transport } from './fetch-transport.js';
export type { HttpHandler, Interceptor } from './interceptors.js';
export {
  DEFAULTS,
  type BodyReadOptions,
  type ClientOptions,
  type QueryParams,
  type QueryValue,
  type RequestOptions,
  type RetryJitter,
  type RetryOptions,
  type RetryPolicy,
  type RetryPredicate,
} from './options.js';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitChange, type CircuitGuardContext, type CircuitEntry, type CircuitListener, type CircuitOutcome, type CircuitState } from './circuit-breaker.js';
export { parseLinkHeader, type PaginateOptions } from './paginate.js';
export { backoffDelay } from './retry/backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './retry/budget.js';
export { decideRetry, isRetryableError, isRetryableStatus, type RetryDecision } from './retry/decide.js';
export { IDEMPOTENT_METHODS } from './retry/idempotency.js';
export { retryWithPolicy, type RetryGuards, type RetryInfo } from './retry/operator.js';
export { parseRetryAfter, serverRetryDelay } from './retry/retry-after.js';
export { REDACTED, SENSITIVE_HEADERS, isSensitiveHeader, redactHeaders } from './redact.js';
export { REDIRECT_STATUSES, headersAfterRedirect, redirectDecision, type RedirectDecision } from './redirect.js';
export type { ServerSentEvent } from './streams/sse.js';
export { toPromise, type ToPromiseOptions } from './to-promise.js';
export { SharedTokenRefresh, replayAfterRefresh, type TokenRefresh } from './token-refresh.js';
export { joinUrl, parseAllowedOrigins, parseBaseUrl } from './url.js';
