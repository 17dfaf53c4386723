import { catchError, concatMap, defer, EMPTY, type Observable } from 'rxjs';
import type { ItemPosition } from '../../core/context.js';
import { ConfigurationError } from '../../core/errors.js';
import type { Feature } from '../../core/feature.js';
import type { StandardSchemaV1 } from '../../core/standard-schema.js';
import { ValidationError } from './validation-error.js';

export { isValidationError, ValidationError, type ValidationIssue } from './validation-error.js';

/**
 * The per-request options that `withValidation()` reads.
 *
 * @example
 * ```ts
 * const options: ValidationOptions<typeof Job> = { schema: Job, onInvalid: (error) => console.warn(error.message) };
 * ndjson(client, '/jobs', undefined, options);
 * ```
 */
export interface ValidationOptions<S extends StandardSchemaV1 = StandardSchemaV1> {
  /** The Standard Schema v1 validator (zod, valibot, arktype...) that the data must pass; what is emitted is its output. */
  schema?: S;
  /**
   * Streams only (`ndjson`, `sse`): an invalid item is skipped and given to
   * this function, and the stream goes on. Without it, the first invalid item
   * ends the stream with its `ValidationError`.
   */
  onInvalid?: (error: ValidationError) => void;
}

/**
 * The options of a read that may take a schema, as the stream functions
 * type them: `S` is inferred from `schema`, `undefined` without one.
 *
 * @example
 * ```ts
 * const options: SchemaOptions<typeof Job> = { schema: Job };
 * ```
 */
export type SchemaOptions<S extends StandardSchemaV1 | undefined> = Omit<ValidationOptions, 'schema'> & {
  /** The Standard Schema v1 validator each item (or value) must pass; what is emitted is its output. Needs `withValidation()`. */
  schema?: S;
};

/**
 * Checks `value` with `schema`: emits the schema's output, or errors with
 * what `fail` makes of the issues. Nothing runs until subscribed; a
 * synchronous schema answers at once, an async one when its Promise settles
 * (unsubscribing before then drops its answer).
 *
 * @param fail makes the error for the issues
 * @example
 * ```ts
 * validate(Item, JSON.parse(text), (issues) => new ValidationError(issues, target, 1)).subscribe(show);
 * ```
 */
export function validate<Output>(schema: StandardSchemaV1<unknown, Output>, value: unknown, fail: (issues: readonly StandardSchemaV1.Issue[]) => unknown): Observable<Output> {
  const settle = (result: StandardSchemaV1.Result<Output>): Output => {
    if (result.issues) throw fail(result.issues);
    return result.value;
  };
  return defer(() => {
    const result = schema['~standard'].validate(value);
    return 'then' in result ? result.then(settle) : [settle(result)];
  });
}

/**
 * Validated data: every JSON read given a `schema` (`getJson`, the JSON
 * writes, each page of `paginate`, each item of `ndjson`, the data of each
 * `sse` event, each new value of `poll()` once parsed: a failed poll) emits
 * the schema's output, typed from it, or fails with a
 * `ValidationError` that lists the issues. A check runs once the attempt has
 * its body, after the retries (a bad payload is not retried, and a slow
 * validator is not a slow server: the per-attempt timeout does not cover it),
 * within the request's `deadline`; async schemas work, and unsubscribing
 * during one drops it. A stream ends at its first invalid item unless
 * `onInvalid` is given. A `schema` without this feature is a
 * `ConfigurationError` in every build: the data would go unchecked.
 * Any Standard Schema v1 validator works; the package depends on none.
 *
 * @returns the feature, to pass after the client's options
 * @example
 * ```ts
 * const Item = z.object({ id: z.number(), name: z.string() });
 * const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com' }, withValidation());
 * client.getJson('/items/7', undefined, { schema: Item }).subscribe((item) => console.log(item.name));
 * ```
 */
export function withValidation(): Feature {
  return {
    // Below the deadline's 5: inside the deadline, outside the retry.
    order: 4,
    setup: () => ({
      options: ['schema', 'onInvalid'],
      start: (request) => {
        const { schema, onInvalid } = request.options as ValidationOptions;
        if (process.env.NODE_ENV !== 'production') checkOptions(schema, onInvalid, request.stream);
        if (schema === undefined) return undefined;
        // In every build: what is no Standard Schema would fail only after the request was sent, as a bare TypeError.
        if (typeof (schema as Partial<StandardSchemaV1>)['~standard']?.validate !== 'function') {
          throw new ConfigurationError(process.env.NODE_ENV !== 'production' ? 'schema must be a Standard Schema v1 validator (zod, valibot, arktype...)' : 'schema');
        }
        const check = (value: unknown, where: ItemPosition): Observable<unknown> => {
          const checked$ = validate(schema, value, (issues) => new ValidationError(issues, request.target, request.attempts, where));
          return onInvalid
            ? checked$.pipe(
                catchError((error: unknown) => {
                  if (!(error instanceof ValidationError)) throw error;
                  onInvalid(error);
                  return EMPTY;
                }),
              )
            : checked$;
        };
        // A stream's items are checked by its reader, which knows their lines; a poll's values by the poll, each
        // new one once parsed (its reader `checks`: the read's own value is an answer, not the data); one value, here.
        return request.stream || request.reader.checks ? { item: check } : { whole: <T>(request$: Observable<T>) => request$.pipe(concatMap((value) => check(value, {}))) as Observable<T> };
      },
    }),
  };
}

/** A schema that is not one would fail after the request was sent, as a bare TypeError: development builds say so before. */
function checkOptions(schema: StandardSchemaV1 | undefined, onInvalid: unknown, stream: boolean): void {
  if (schema !== undefined && typeof (schema as Partial<StandardSchemaV1> | null)?.['~standard']?.validate !== 'function') {
    throw new ConfigurationError('schema must be a Standard Schema v1 validator (a zod, valibot or arktype schema...): its ~standard.validate is missing');
  }
  if (onInvalid !== undefined && (typeof onInvalid !== 'function' || schema === undefined || !stream)) {
    throw new ConfigurationError('onInvalid must be a function (error) => void, given with a schema, to a stream (ndjson, sse): it skips the invalid items of a stream');
  }
}
