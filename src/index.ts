export { AsyncAPIClient } from './client.js';
export { apiKeyAuth, bearerTokenAuth, oauthTokenAuth } from './auth.js';
export {
  BodyTooLargeError,
  ConfigurationError,
  HttpError,
  NetworkError,
  ParseError,
  RequestError,
  TimeoutError,
  isConfigurationError,
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isParseError,
  isTimeoutError,
  type RequestTarget,
} from './errors.js';
export type { CancelEvent, ClientEvent, GiveUpEvent, RequestEvent, ResponseEvent, RetryEvent } from './events.js';
export type { HeadersLike } from './headers.js';
export { DEFAULTS, type BodyReadOptions, type ClientOptions, type QueryParams, type QueryValue, type RequestOptions, type RetryOptions, type RetryPolicy } from './options.js';
export { backoffDelay } from './retry/backoff.js';
export { decideRetry, isRetryableError, isRetryableStatus, type RetryDecision } from './retry/decide.js';
export { retryWithPolicy, type RetryInfo } from './retry/operator.js';
export { joinUrl, parseBaseUrl } from './url.js';
