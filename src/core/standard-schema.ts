/**
 * The Standard Schema v1 interface (standardschema.dev), which zod, valibot,
 * arktype and others implement: written out here, as the spec invites, so that
 * the package depends on nothing at run time or for its types. Types only: this
 * module adds no byte to a bundle.
 *
 * @module
 */

/**
 * A validator that follows Standard Schema v1: what the `schema` option of the
 * JSON reads takes (`withValidation()` runs it).
 *
 * @example
 * ```ts
 * const positive: StandardSchemaV1<number> = {
 *   '~standard': { version: 1, vendor: 'mine', validate: (value) => (typeof value === 'number' && value > 0 ? { value } : { issues: [{ message: 'not a positive number' }] }) },
 * };
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The spec's properties, under a name that no library's own API uses. */
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

/** The parts of {@link StandardSchemaV1}, as the spec names them. */
export declare namespace StandardSchemaV1 {
  /** What a schema offers under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the spec: 1. */
    readonly version: 1;
    /** The library that made the schema (`zod`, `valibot`, `arktype`...). */
    readonly vendor: string;
    /** Checks a value: its output (maybe transformed), or its issues; a Promise of either for an async schema. */
    readonly validate: (value: unknown, options?: Options) => Result<Output> | Promise<Result<Output>>;
    /** The input and output types, for inference only (absent at run time). */
    readonly types?: Types<Input, Output> | undefined;
  }

  /** Options a caller may pass to `validate`. */
  export interface Options {
    /** Options of the library that made the schema. */
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }

  /** The outcome of `validate`. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;

  /** The value is valid: `value` is the schema's output. */
  export interface SuccessResult<Output> {
    /** The schema's output for the value: the value itself, or what the schema made of it (a transform, a default). */
    readonly value: Output;
    /** Always absent on success: a result with `issues` is a failure. */
    readonly issues?: undefined;
  }

  /** The value is not valid. */
  export interface FailureResult {
    /** What is wrong with the value, one issue each. */
    readonly issues: ReadonlyArray<Issue>;
  }

  /** One thing wrong with the value. */
  export interface Issue {
    /** The schema's message, for people (`Expected string, received number`). */
    readonly message: string;
    /** Where in the value: keys and indexes from its root. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }

  /** A step of an issue's path, as an object. */
  export interface PathSegment {
    /** The key or index of this step. */
    readonly key: PropertyKey;
  }

  /** The schema's input and output types. */
  export interface Types<Input = unknown, Output = Input> {
    /** The type of the values the schema accepts (a type only: no value at run time). */
    readonly input: Input;
    /** The type of the values the schema gives when they pass (a type only: no value at run time). */
    readonly output: Output;
  }

  /** The type a schema accepts. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];

  /** The type a schema gives: what a read with this schema emits. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

/**
 * What a read emits: the output of its `schema` when it has one, `T` (a type
 * you assert, not checked) otherwise.
 *
 * @example
 * ```ts
 * type A = Validated<typeof Item, unknown>; // z.output<typeof Item>
 * type B = Validated<undefined, Item>;      // Item
 * ```
 */
export type Validated<S extends StandardSchemaV1 | undefined, T> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : T;
