import type { ItemPosition } from '../../core/context.js';
import { RequestError, type RequestTarget } from '../../core/errors.js';
import { isErrorOf } from '../../core/guards.js';
import type { StandardSchemaV1 } from '../../core/standard-schema.js';

// How many issues the message lists, and how much of each: a validator's message may quote the value it refused.
const LISTED_ISSUES = 3;
const ISSUE_LENGTH = 80;

/**
 * One issue of a {@link ValidationError}: the validator's message, and where
 * in the value, as keys and indexes from its root (empty for the value itself).
 *
 * @example
 * ```ts
 * const issue: ValidationIssue = { message: 'Expected string, received number', path: ['items', 0, 'name'] };
 * ```
 */
export interface ValidationIssue {
  /** The validator's message, as it wrote it. */
  readonly message: string;
  /** Where in the value: keys and indexes from its root; empty for the value itself. */
  readonly path: readonly PropertyKey[];
}

/**
 * The data of a response did not match the `schema` of its read
 * (`withValidation()`): the JSON of `getJson` or a JSON write's reply, a
 * page of `paginate`, an item of `ndjson` (`line` says which) or the data
 * of an `sse` event (`event` says which). Never retried: the server would
 * most likely send the same. The message lists the first few issues with
 * their paths; `issues` has them all, each its message and path only (not
 * the value a validator may have attached), and no part of the body is kept.
 *
 * @example
 * ```ts
 * client.getJson('/items', undefined, { schema: Items }).subscribe({
 *   error: (e) => isValidationError(e) && console.log(e.issues.map((issue) => issue.path.join('.'))),
 * });
 * ```
 */
export class ValidationError extends RequestError {
  /** `'ValidationError'`: the class's name, kept by minifiers (a getter, not a field). */
  override get name(): string {
    return 'ValidationError';
  }

  /** What the validator found wrong, each with its path. */
  declare readonly issues: readonly ValidationIssue[];
  /** For `ndjson()`: the line of the item, from 1 (blank lines counted). */
  declare readonly line?: number;
  /** For `sse()`: the event, from 1, over every connection of the stream. */
  declare readonly event?: number;

  /**
   * @param issues the validator's issues
   * @param where the item's line or event, for a stream
   */
  constructor(issues: readonly StandardSchemaV1.Issue[], target: RequestTarget, attempts: number, where: ItemPosition = {}) {
    const place = where.line !== undefined ? ` line ${where.line}` : where.event !== undefined ? ` event ${where.event}` : '';
    super(process.env.NODE_ENV !== 'production' ? `${target.method} ${target.url} returned data that does not match its schema${place ? ` (${place.trim()})` : ''}: ${describe(issues)}` : `invalid${place}`, target, attempts);
    this.issues = issues.map(({ message, path = [] }) => ({ message, path: Array.from(path, (step) => (typeof step === 'object' ? step.key : step)) }));
    // Always own properties (undefined when not known), as fields would be.
    this.line = where.line;
    this.event = where.event;
  }
}

/** The first issues as `path: message`, each cut short, and how many more there are. */
function describe(issues: readonly StandardSchemaV1.Issue[]): string {
  const listed = issues.slice(0, LISTED_ISSUES).map(({ message, path = [] }) => {
    const where = path.map((step) => {
      const key = typeof step === 'object' ? step.key : step;
      return typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
    });
    const text = message.length > ISSUE_LENGTH ? `${message.slice(0, ISSUE_LENGTH)}…` : message;
    return where.length === 0 ? text : `${where.join('').replace(/^\./, '')}: ${text}`;
  });
  const more = issues.length - listed.length;
  return `${listed.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/**
 * Whether `error` is a {@link ValidationError}, whichever copy of the package (ESM or CommonJS) made it.
 *
 * @example
 * ```ts
 * if (isValidationError(e)) console.log(`line ${e.line}: ${e.issues[0]?.message}`);
 * ```
 */
export const isValidationError = (error: unknown): error is ValidationError => isErrorOf(error, 'ValidationError');
