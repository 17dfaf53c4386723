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

/**
 * Marks an error that no retry rule may retry, `retryOn` included: a
 * misconfiguration, an open circuit. A symbol of the global registry, so
 * that the ESM and CommonJS copies of the package agree.
 */
export const NEVER_RETRIED = Symbol.for('rx-api-client.never-retried');

/**
 * `true` on a Response whose body nobody has asked for or read yet, where
 * asking would cost: the undici transport's, which builds a web stream for
 * `body` on first use. Such a body cannot be locked, so a check for a locked
 * body (withInterceptors') reads this first. Registered, as
 * {@link NEVER_RETRIED}.
 */
export const BODY_UNTOUCHED = Symbol.for('rx-api-client.body-untouched');

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
  /** The retry policy: 3 attempts, waits of 2 s then 4 s, on 429, 5xx, network errors and timeouts. */
  retry: Object.freeze({
    /** Attempts in all, the first included. */
    maxAttempts: 3,
    /** The first computed wait, in ms. */
    baseDelay: 2_000,
    /** Each computed wait is this times the previous one. */
    factor: 2,
    /** The longest computed wait, in ms: no cap. */
    maxDelay: Infinity,
    /** Waits exactly the computed time. */
    jitter: 'none' as 'none' | 'full' | 'equal',
    /** The random source of `jitter`, from 0 to 1. */
    random: Math.random,
    /** The statuses retried: 429 and every status from 500. */
    statuses: (status: number): boolean => status === 429 || status >= 500,
    /** Every method is retried. */
    methods: 'all' as readonly string[] | 'all',
    /** No predicate asked before the rules. */
    retryOn: undefined as ((error: unknown, attempt: number) => boolean | undefined) | undefined,
    /** The longest server-requested wait honoured, in ms. */
    maxRetryAfter: 60_000,
  }),
});
