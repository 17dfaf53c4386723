export { AsyncAPIClient } from './client.js';
export { apiKeyAuth, bearerTokenAuth, oauthTokenAuth } from './auth.js';
export {
  ConfigurationError,
  HttpError,
  NetworkError,
  ParseError,
  RequestError,
  TimeoutError,
  isConfigurationError,
  isHttpError,
  isNetworkError,
  isParseError,
  isTimeoutError,
  type RequestTarget,
} from './errors.js';
export type { CancelEvent, ClientEvent, GiveUpEvent, RequestEvent, ResponseEvent, RetryEvent } from './events.js';
export type { HeadersLike } from './headers.js';
export type { HttpHandler, Interceptor } from './interceptors.js';
export { DEFAULTS, type ClientOptions, type QueryParams, type QueryValue, type RequestOptions, type RetryOptions, type RetryPolicy } from './options.js';
export { parseLinkHeader, type PaginateOptions } from './paginate.js';
export { backoffDelay } from './retry/backoff.js';
export { decideRetry, isRetryableError, isRetryableStatus, type RetryDecision } from './retry/decide.js';
export { retryWithPolicy, type RetryInfo } from './retry/operator.js';
export type { ServerSentEvent } from './streams/sse.js';
export { toPromise, type ToPromiseOptions } from './to-promise.js';
export { joinUrl, parseBaseUrl } from './url.js';
