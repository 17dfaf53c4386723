// The public API: named re-exports only; nothing runs at import time. A bundler keeps what an app imports.

// The core: the client, its options and errors, the Promise bridge.
export { AsyncAPIClient } from './core/client.js';
export { DEFAULTS } from './core/constants.js';
export type { BodyReadOptions, CallOptions, ClientOptions, QueryParams, QueryValue, ReadOptions, RequestBody, RequestOptions } from './core/options.js';
export type { RetryJitter, RetryOptions, RetryPredicate } from './retry/policy.js';
export type { AttemptContext, ItemCheck, ItemPosition, ResponseReader } from './core/context.js';
export type { StandardSchemaV1, Validated } from './core/standard-schema.js';
export type { Reader, StreamReading } from './core/response.js';
export { fetchTransport, type Transport, type TransportInit } from './core/transport.js';
export type { HeadersLike } from './core/headers.js';
export { REDACTED } from './core/redact.js';
export { toPromise, type ToPromiseOptions } from './core/to-promise.js';
export {
  BodyNotReplayableError,
  ConfigurationError,
  HttpError,
  NetworkError,
  RedirectError,
  RequestError,
  TimeoutError,
  type RequestTarget,
} from './core/errors.js';
export { BodyTooLargeError, ParseError } from './core/body-errors.js';
export {
  isBodyNotReplayableError,
  isBodyTooLargeError,
  isConfigurationError,
  isHttpError,
  isNetworkError,
  isParseError,
  isRedirectError,
  isTimeoutError,
} from './core/guards.js';

// Auth: header helpers and the per-attempt provider's types.
export { apiKeyAuth, basicAuth, bearerTokenAuth, oauthTokenAuth, type ApiKeyOptions } from './auth/helpers.js';
export type { AsyncAuthResult, AuthHeaders, AuthProvider, AuthRecord, Credentials, QueryCredential } from './auth/provider.js';
// Opt-in: auth headers that come later (a Promise or an Observable of them).
export { asyncAuth, type AsyncAuthProvider } from './auth/async.js';

// Opt-in features, passed after the client's options, and the contract they follow.
export type { ClientContext, CommonFeatureHooks, Feature, FeatureEvent, FeatureHooks, InterceptingHooks, NonInterceptingHooks, RequestContext, RequestHooks } from './core/feature.js';
export type { FetchOne, Intercept, LaterRequest } from './core/attempt.js';
export type { PreparedRequest, SendableRequest } from './core/prepare.js';
export type { RedirectHop } from './core/follow-redirects.js';
export {
  CircuitBreaker,
  CircuitOpenError,
  isCircuitOpenError,
  withCircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitEvent,
  type CircuitState,
} from './features/circuit-breaker/index.js';
export { withDeadline } from './features/deadline.js';
export {
  withEvents,
  type CancelEvent,
  type ClientEvent,
  type ClientEvents,
  type GiveUpEvent,
  type RedirectEvent,
  type RequestEvent,
  type ResponseEvent,
  type RetryEvent,
} from './features/events.js';
export { IDEMPOTENT_METHODS, withIdempotencyKey } from './features/idempotency-key.js';
export { withInterceptors, type HttpHandler, type Interceptor } from './features/interceptors.js';
export { RetryBudget, withRetryBudget, type RetryBudgetOptions } from './features/retry-budget.js';
export { isValidationError, ValidationError, withValidation, type SchemaOptions, type ValidationIssue, type ValidationOptions } from './features/validation/index.js';
export { isTokenRefreshError, TokenRefreshError, withTokenRefresh, type TokenRefresh } from './features/token-refresh.js';

// Dashboards: a conditional, shared, cancellable poll of an endpoint's state.
export { poll, pollValues, type PollOptions, type PollSchemaOptions, type PollState } from './features/poll/poll.js';
export type { PollBackoff, PollPace } from './features/poll/pace.js';
export { withSharing } from './features/sharing.js';
export { withCache, type CacheOptions, type ClientCache } from './features/cache.js';

// JSON writes: functions that take the client, the reply read inside the attempt as getJson reads one.
export { patchJson, postJson, putJson, sendJson, type JsonWriteOptions, type ValidatedWriteOptions } from './writes/json.js';

// Streams: functions that take the client.
export { chunks, pullChunks } from './streams/chunks.js';
export type { StreamOptions } from './streams/mode.js';
export { lines, pullLines } from './streams/lines.js';
export { ndjson, pullNdjson } from './streams/ndjson.js';
export { paginate, pullPages, type PaginateOptions } from './streams/paginate.js';
export { parseLinkHeader } from './streams/link-header.js';
export type { PullOptions, PullStream } from './streams/pull.js';
export { pullSse, sse } from './streams/sse.js';
export type { ServerSentEvent } from './streams/sse-parser.js';

// Progress: transfers whose progress and result come in one stream, and the readers of a whole body.
export { download, upload, type TransferOptions, type UploadOptions } from './progress/transfer.js';
export type { TransferEvent, TransferProgress, TransferResult } from './progress/events.js';
export { withUploadProgress } from './progress/upload-feature.js';
export { asBlob, asBytes, asChunks } from './progress/readers.js';
