// What the client makes of fetch's own rejections, through a stand-in for the global fetch: these
// are about the fetch transport only (the undici run of the suite leaves this file out).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncAPIClient, NetworkError } from '../../src/index.js';
import { record } from '../support/record.js';
import { until } from '../support/until.js';

describe('what fetch rejects with (a fetch stand-in)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a DNS failure (a TypeError with an ENOTFOUND cause, as undici reports it) is a retried network error', async () => {
    const dnsFailure = () =>
      Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND api.test'), { code: 'ENOTFOUND' }) }));
    const fetchStandIn = vi.spyOn(globalThis, 'fetch').mockImplementation(dnsFailure);
    const client = new AsyncAPIClient({ baseUrl: 'http://api.test', retry: { baseDelay: 1 } });
    const recording = record(client.request('GET', '/x'));
    await until(recording.done);
    expect(fetchStandIn).toHaveBeenCalledTimes(3);
    expect(recording.error).toBeInstanceOf(NetworkError);
    expect((recording.error as Error).message).toBe('GET http://api.test/x failed: network error (ENOTFOUND) (after 3 attempts)');
  });

  it('an AbortError that the client did not cause is passed on as it is, not retried', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const fetchStandIn = vi.spyOn(globalThis, 'fetch').mockImplementation(() => Promise.reject(abort));
    const recording = record(new AsyncAPIClient({ baseUrl: 'http://api.test', retry: { baseDelay: 1 } }).request('GET', '/x'));
    await until(recording.done);
    expect(fetchStandIn).toHaveBeenCalledTimes(1);
    expect(recording.error).toBe(abort);
  });

  it('a DOMException named NetworkError (some browsers) is a retried network error', async () => {
    const fetchStandIn = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(() => Promise.reject(new DOMException('A network error occurred.', 'NetworkError')));
    const recording = record(new AsyncAPIClient({ baseUrl: 'http://api.test', retry: { baseDelay: 1 } }).request('GET', '/x'));
    await until(recording.done);
    expect(fetchStandIn).toHaveBeenCalledTimes(3);
    expect(recording.error).toBeInstanceOf(NetworkError);
  });
});
