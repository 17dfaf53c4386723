import { afterAll, vi } from 'vitest';
import type * as FetchTransportModule from '../../src/core/transport.js';
import type { UndiciBridge } from './undici-bridge.js';

/*
 * The setup file of the `undici` project (vitest.config.ts): the client's
 * default transport becomes undiciTransport() for every spec, so the Node
 * suite runs a second time on undici. `fetchTransport` itself is replaced
 * too, so the code that defaults to it (fetchFollowingRedirects) and specs
 * that wrap it go through undici as well. One Agent for the whole spec file,
 * as fetch has one global dispatcher; it reaches nock's hosts through the
 * loopback bridge of ./undici-bridge.ts.
 */

let bridge: UndiciBridge | undefined;

vi.mock('../../src/core/transport.js', async (importOriginal) => {
  const original = await importOriginal<typeof FetchTransportModule>();
  const { undiciTransport } = await import('../../src/undici/index.js');
  const { startUndiciBridge } = await import('./undici-bridge.js');
  bridge = await startUndiciBridge();
  const transport = undiciTransport({ dispatcher: bridge.agent });
  return {
    ...original,
    fetchTransport: transport,
    resolveTransport: (given: unknown) => (given === undefined ? transport : original.resolveTransport(given)),
  };
});

afterAll(async () => {
  await bridge?.close();
  bridge = undefined;
});

/*
 * undici's own timers stay on the real clock under vi.useFakeTimers. The
 * specs fake only the timers the client uses; the transport's keep-alive,
 * headers and body timeouts measure the network, which runs in real time
 * like the loopback servers (fetch under nock never reaches a dispatcher, so
 * there it has none). Left faked, an idle keep-alive socket would count in
 * vi.getTimerCount() (the "no retry timer left" checks) and a jump of
 * virtual minutes would time out sockets that waited for no time at all.
 * undici reads setTimeout and clearTimeout from the global object at each
 * call: while fakes are on, its calls are passed to the real ones.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const NativeTimeout = (() => {
  const probe = realSetTimeout(() => undefined, 0);
  realClearTimeout(probe);
  return probe.constructor;
})();
const UNDICI_FRAME = /[\\/]node_modules[\\/]undici[\\/]/;

/** Whether the caller of the global setTimeout (two frames up) is undici. */
function calledByUndici(): boolean {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, calledByUndici);
  // The frames: the setTimeout stand-in, then its caller.
  return UNDICI_FRAME.test(holder.stack?.split('\n', 4)[2] ?? '');
}

const useFakeTimers = vi.useFakeTimers.bind(vi);
vi.useFakeTimers = (config) => {
  const result = useFakeTimers(config);
  const fakeSetTimeout = globalThis.setTimeout;
  const fakeClearTimeout = globalThis.clearTimeout;
  if (fakeSetTimeout !== realSetTimeout) {
    // vi.useRealTimers() puts the real ones back over these stand-ins.
    globalThis.setTimeout = Object.assign(
      (handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
        calledByUndici() ? realSetTimeout(handler, ms, ...args) : fakeSetTimeout(handler, ms, ...args),
      fakeSetTimeout,
    ) as typeof setTimeout;
  }
  if (fakeClearTimeout !== realClearTimeout) {
    // A native timer (undici's, or one set before the fakes) is cleared for real; the fake clock would only warn.
    globalThis.clearTimeout = Object.assign(
      (handle: Parameters<typeof clearTimeout>[0]) => (handle instanceof NativeTimeout ? realClearTimeout(handle) : fakeClearTimeout(handle)),
      fakeClearTimeout,
    ) as typeof clearTimeout;
  }
  return result;
};
