/**
 * The client's defaults and limits, in one place. This module imports
 * nothing, so every other module may import it without a cycle.
 *
 * Development-only code is written `process.env.NODE_ENV !== 'production' ? … : …`
 * (or `if (…)`) where it stands, never behind a shared constant: an app's
 * bundler replaces the expression where it reads it and drops the dead
 * branch, and only then can it drop the functions that branch alone calls.
 * Production errors keep their class, method, URL and a short code (README,
 * "Production builds").
 *
 * On the request path, objects are copied with `Object.assign({}, a, b)`,
 * never `{ ...a, key }` or `{ ...a, ...b }`: in Node 20's V8, adding a key to
 * an object made by a spread costs about 4 µs (a new hidden class each time),
 * which was most of the client's own time per request (bench/README.md,
 * "Where the time goes"). A spread that only overrides keys the source has
 * (`{ ...init, headers }`) keeps its hidden class and is fine.
 */

/** The longest timer browsers and Node keep: a longer one overflows and fires after about 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The defaults of the core, in one place. Each opt-in feature keeps its own
 * defaults beside its code (`withCircuitBreaker`, `withRetryBudget`...).
 *
 * @example
 * ```ts
 * DEFAULTS.retry.baseDelay; // 2000
 * ```
 */
export const DEFAULTS = Object.freeze({
  /** 50 MiB: the largest body `getJson` reads. */
  maxBodySize: 50 * 1024 * 1024,
  /** The limit of one attempt, in ms. */
  timeout: 30_000,
  /** How many redirects one attempt follows (where the client follows them itself). */
  maxRedirects: 20,
  // Frozen: every client shares these objects, and a change to one would change their policy.
  retry: Object.freeze({
    maxAttempts: 3,
    baseDelay: 2_000,
    factor: 2,
    maxDelay: Infinity,
    jitter: 'none' as 'none' | 'full' | 'equal',
    random: Math.random,
    statuses: (status: number): boolean => status === 429 || status >= 500,
    methods: 'all' as readonly string[] | 'all',
    retryOn: undefined as ((error: unknown, attempt: number) => boolean | undefined) | undefined,
    maxRetryAfter: 60_000,
  }),
});
