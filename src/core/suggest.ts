/**
 * The checks of option names, and "did you mean" for the names the client does
 * not know: development builds only (every caller stands in a
 * `process.env.NODE_ENV !== 'production'` branch, so production bundles drop
 * this module).
 */
import { ConfigurationError } from './errors.js';

/** What a name from another library (or a slip) means here, given the value it was set to. */
export type Aliases = Readonly<Record<string, (value: unknown) => string>>;

/** `maxAttempts` for a count of retries (ky's and got's `limit`, axios-retry's `retries`): it counts the first attempt too. */
const attemptsFor = (retries: unknown): string =>
  typeof retries === 'number' && Number.isInteger(retries) && retries >= 0 ? String(retries + 1) : 'n + 1';

/**
 * The names other HTTP clients use for the client's options, and what to write instead.
 *
 * @example
 * ```ts
 * CLIENT_ALIASES.retries!(5); // 'retry: { maxAttempts: 6 } (maxAttempts counts the first attempt too)'
 * ```
 */
export const CLIENT_ALIASES: Aliases = {
  retries: (value) => `retry: { maxAttempts: ${attemptsFor(value)} } (maxAttempts counts the first attempt too)`,
  maxRetries: (value) => `retry: { maxAttempts: ${attemptsFor(value)} } (maxAttempts counts the first attempt too)`,
  prefixUrl: () => 'baseUrl',
  url: () => 'baseUrl',
  auth: () => 'authHeaders: bearerTokenAuth(token)',
  timeoutMs: () => 'timeout (in ms)',
  fetch: () => 'transport',
};

/**
 * The names other HTTP clients use for a request's options, and what to write instead.
 *
 * @example
 * ```ts
 * REQUEST_ALIASES.data!({}); // 'json (a value sent as JSON) or body (a raw body)'
 * ```
 */
export const REQUEST_ALIASES: Aliases = {
  ...CLIENT_ALIASES,
  query: () => 'params',
  searchParams: () => 'params',
  qs: () => 'params',
  data: () => 'json (a value sent as JSON) or body (a raw body)',
  signal: () => 'unsubscribing (it cancels the request), or toPromise(source$, { signal })',
  method: () => "request(method, endpoint, options): the method is request()'s first argument",
  idleTimeout: () => 'a stream function (chunks, lines, ndjson, sse): idleTimeout is theirs',
  responseType: () => 'getJson() or postJson() for JSON, or client.read() with a reader',
  onUploadProgress: () => 'upload(client, endpoint, body), with the withUploadProgress() feature passed to the client',
  onDownloadProgress: () => 'download(client, endpoint, reader), which emits the progress and then the result',
};

/**
 * The names other retry settings use (ky, got, rxjs `retry`, axios-retry), and what to write instead.
 *
 * @example
 * ```ts
 * RETRY_ALIASES.limit!(5); // 'maxAttempts: 6 (it counts the first attempt too; ky\'s and got\'s limit counts retries)'
 * ```
 */
export const RETRY_ALIASES: Aliases = {
  limit: (value) => `maxAttempts: ${attemptsFor(value)} (it counts the first attempt too; ky's and got's limit counts retries)`,
  retries: (value) => `maxAttempts: ${attemptsFor(value)} (it counts the first attempt too)`,
  count: (value) => `maxAttempts: ${attemptsFor(value)} (it counts the first attempt too; rxjs retry's count counts retries)`,
  attempts: () => 'maxAttempts',
  delay: () => 'baseDelay (ms; each wait is factor times the one before)',
  backoffLimit: () => 'maxDelay',
  statusCodes: () => 'statuses',
  afterStatusCodes: () => 'statuses (a server-requested wait is honoured for every retried status, up to maxRetryAfter)',
  shouldRetry: () => 'retryOn',
};

/**
 * The end of an "unknown option" message: `: did you mean <suggestion>?`,
 * from `aliases` first, then from a known name spelt alike (case aside, or
 * within two edits); `''` when nothing is close.
 *
 * @param value what the unknown option was set to, for an alias that turns it into ours
 * @example
 * ```ts
 * didYouMean('baseURL', undefined, ['baseUrl', 'timeout']);           // ': did you mean baseUrl?'
 * didYouMean('retries', 5, ['retry'], CLIENT_ALIASES);                // ': did you mean retry: { maxAttempts: 6 } (...)?'
 * didYouMean('colour', undefined, ['baseUrl']);                        // ''
 * ```
 */
export function didYouMean(name: string, value: unknown, known: readonly string[], aliases: Aliases = {}): string {
  const alias = Object.hasOwn(aliases, name) ? aliases[name] : undefined;
  if (alias !== undefined) return `: did you mean ${alias(value)}?`;
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(lower.length / 3));
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : `: did you mean ${best}?`;
}

/** Levenshtein distance: insertions, deletions and substitutions, each 1. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The client's option names (docs/options.md lists each). */
export const CLIENT_OPTIONS = ['baseUrl', 'authHeaders', 'headers', 'allowedOrigins', 'maxRedirects', 'timeout', 'retry', 'maxBodySize', 'scheduler', 'transport'];
// Options of the client before the features moved out of it: each says where it went.
const MOVED: Readonly<Record<string, string>> = {
  circuitBreaker: 'withCircuitBreaker',
  retryBudget: 'withRetryBudget',
  tokenRefresh: 'withTokenRefresh',
  interceptors: 'withInterceptors',
  deadline: 'withDeadline',
};

/** An unknown option is ignored in production; in development it is an error that says what to write. */
export function checkOptionNames(options: object): void {
  for (const name of Object.keys(options)) {
    if (CLIENT_OPTIONS.includes(name)) continue;
    const feature = MOVED[name];
    throw new ConfigurationError(
      feature
        ? `${name} is a feature now: pass ${feature}(...) after the options, as in new AsyncAPIClient({ baseUrl }, ${feature}(...))`
        : `unknown option ${JSON.stringify(name)}${didYouMean(name, (options as Record<string, unknown>)[name], CLIENT_OPTIONS, CLIENT_ALIASES)}`,
    );
  }
}

/** A request's option names (docs/options.md lists each). */
export const REQUEST_OPTIONS = ['params', 'json', 'body', 'headers', 'retry', 'timeout', 'deadline', 'maxBodySize'];
// Request options that a feature reads, and that feature: without it on the client, the option would be ignored.
export const FEATURE_OPTIONS: Readonly<Record<string, string>> = { schema: 'withValidation()', onInvalid: 'withValidation()' };

/**
 * Checks a request's options, in development builds (in production an
 * unknown option is ignored): options that are not an object, or one the client does not know, are
 * a {@link ConfigurationError} that says what to write; one that a feature
 * reads (`deadline`) needs that feature on the client.
 *
 * @param featureOptions the per-request options the client's features read
 * @param method the call's method: `method` among the options must be it (`client.read()` takes it there)
 * @example
 * ```ts
 * checkRequestOptions({ query: { page: 2 } }, [], 'GET'); // throws: unknown request option "query": did you mean params?
 * ```
 */
export function checkRequestOptions(options: unknown, featureOptions: readonly string[], method: string): void {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(`the options of a request must be an object such as { params: { page: 2 } }, or left out, not ${String(options)}`);
  }
  for (const name of Object.keys(options)) {
    // client.read() takes the method among its options; request() takes it as its first argument.
    if (name === 'method' && (options as { method?: unknown }).method === method) continue;
    // A number without withDeadline() is refused in every build (pipeline.ts); `false` (none) needs no feature.
    if (name === 'deadline' && !featureOptions.includes(name)) continue;
    if (!REQUEST_OPTIONS.includes(name) && !featureOptions.includes(name)) {
      const feature = Object.hasOwn(FEATURE_OPTIONS, name) ? FEATURE_OPTIONS[name] : undefined;
      if (feature !== undefined) throw new ConfigurationError(`${name} needs the ${feature} feature: new AsyncAPIClient(options, ${feature})`);
      const value = (options as Record<string, unknown>)[name];
      throw new ConfigurationError(`unknown request option ${JSON.stringify(name)}${didYouMean(name, value, REQUEST_OPTIONS, REQUEST_ALIASES)}`);
    }
  }
}
