/*
 * The parts of the client's development messages that several errors share. Production builds keep
 * only short codes (README, "Production builds"), so a bundler drops what only messages call.
 */

const EXCERPT_LENGTH = 80;

/** A short, quoted start of a body, for messages. */
export function excerpt(body: string): string {
  const head = body.length > EXCERPT_LENGTH ? `${body.slice(0, EXCERPT_LENGTH)}…` : body;
  return JSON.stringify(head);
}

/** ` (after 3 attempts)`, or nothing after one attempt: the end of a message. */
export function attemptsSuffix(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

/** What a network failure says of its cause: the system code (ECONNREFUSED...) one level down, or its message. */
export function describeCause(cause: unknown): string {
  // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED...) is one level down.
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (inner && typeof inner.code === 'string') return ` (${inner.code})`;
  if (cause instanceof Error && cause.message) return ` (${cause.message})`;
  return '';
}
