/**
 * Waits, in macrotask turns (setImmediate, which the specs never fake), until
 * `predicate` holds: for real I/O to land while virtual timers stand still.
 * Fails after `limitMs` of real time (read from `performance.now()`, never
 * faked either) rather than hanging.
 */
export async function until(predicate: () => boolean, limitMs = 5_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${limitMs} ms: ${predicate.toString()}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
