/**
 * The built undici transport (`dist/undici.js`, entry `rx-api-client/undici`),
 * when the build has one. Without it the benchmark skips the
 * `rx-api-client + undici` contender and the undici leak run, and says so.
 */
import { existsSync } from 'node:fs';

export type UndiciTransportFactory = (options: { connections?: number }) => unknown;

export const UNDICI_MISSING = 'rx-api-client + undici skipped: this build has no undici transport (no dist/undici.js, entry rx-api-client/undici)';

/** `undiciTransport` of the built package, or undefined when this build has none. */
export async function loadUndiciTransport(): Promise<UndiciTransportFactory | undefined> {
  const url = new URL('../dist/undici.js', import.meta.url);
  if (!existsSync(url)) return undefined;
  return ((await import(url.href)) as { undiciTransport: UndiciTransportFactory }).undiciTransport;
}
