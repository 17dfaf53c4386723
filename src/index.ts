export { AsyncAPIClient } from './client.js';
export { apiKeyAuth, basicAuth, bearerTokenAuth, oauthTokenAuth, type ApiKeyOptions } from './auth.js';
export type { AuthHeaders, AuthProvider, AuthRecord, QueryCredential } from './auth-provider.js';
export {
  ConfigurationError,
  HttpError,
  NetworkError,
  ParseError,
  RedirectError,
  RequestError,
  TimeoutError,
  TokenRefreshError,
  isConfigurationError,
  isHttpError,
  isNetworkError,
  isParseError,
  isRedirectError,
  isTimeoutError,
  isTokenRefreshError,
  type RequestTarget,
} from './errors.js';
export type { CancelEvent, ClientEvent, GiveUpEvent, RedirectEvent, RequestEvent, ResponseEvent, RetryEvent } from './events.js';
export type { HeadersLike } from './headers.js';
export type { HttpHandler, Interceptor } from './interceptors.js';
export { DEFAULTS, type ClientOptions, type QueryParams, type QueryValue, type RequestOptions, type RetryOptions, type RetryPolicy } from './options.js';
export { parseLinkHeader, type PaginateOptions } from './paginate.js';
export { backoffDelay } from './retry/backoff.js';
export { decideRetry, isRetryableError, isRetryableStatus, type RetryDecision } from './retry/decide.js';
export { retryWithPolicy, type RetryInfo } from './retry/operator.js';
export { REDACTED, SENSITIVE_HEADERS, isSensitiveHeader, redactHeaders } from './redact.js';
export { REDIRECT_STATUSES, headersAfterRedirect, redirectDecision, type RedirectDecision } from './redirect.js';
export type { ServerSentEvent } from './streams/sse.js';
export { toPromise, type ToPromiseOptions } from './to-promise.js';
export { SharedTokenRefresh, replayAfterRefresh, type TokenRefresh } from './token-refresh.js';
export { joinUrl, parseAllowedOrigins, parseBaseUrl } from './url.js';
