// Issue 13, item 5: a request the transport refuses before sending it (Node's fetch is undici, and undici
// checks a request before it writes a byte) was a NetworkError: retried, paid from the retry budget and
// counted by the breaker, for everyone. It is a ConfigurationError: nothing sent, never retried, counted by
// neither. Runs on both transports (the undici run makes undiciTransport() the default).
import { lastValueFrom } from 'rxjs';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AsyncAPIClient,
  CircuitBreaker,
  ConfigurationError,
  RetryBudget,
  withCircuitBreaker,
  withEvents,
  withRetryBudget,
  type ClientEvent,
} from '../../src/index.js';
import { undiciTransport } from '../../src/undici/index.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
});
afterEach(() => server.close());

describe('a request the transport refuses before sending it', () => {
  it.each([
    ['transfer-encoding', { 'transfer-encoding': 'chunked' }, /invalid transfer-encoding header/],
    ['upgrade', { upgrade: 'websocket' }, /invalid upgrade header/],
    ['expect', { expect: '100-continue' }, /expect header not supported/],
    ['keep-alive', { 'keep-alive': 'timeout=5' }, /invalid keep-alive header/],
    ['a content-length that is not the body\'s', { 'content-length': '99' }, /content-length/],
  ])('%s: a ConfigurationError at the first attempt, nothing sent, not retried, not paid for, not counted', async (_name, headers, reason) => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const budget = new RetryBudget({ capacity: 10, retryCost: 5, timeoutCost: 5 });
    const events = withEvents();
    const seen: ClientEvent[] = [];
    events.events$.subscribe((event) => seen.push(event));
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } }, withCircuitBreaker(breaker), withRetryBudget(budget), events);

    const recording = record(client.request('POST', '/upload?token=secret', { body: 'hello', headers }));
    await until(recording.done);

    expect(recording.error).toBeInstanceOf(ConfigurationError);
    const { message } = recording.error as Error;
    expect(message).toMatch(reason);
    expect(message).toContain(`POST ${server.origin}/upload was refused by the transport before it was sent`);
    expect(message).not.toContain('secret');
    expect(server.hits).toEqual([]);
    expect(seen.filter((event) => event.type === 'request')).toHaveLength(1);
    expect(seen.filter((event) => event.type === 'retry')).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ type: 'giveUp', attempts: 1, error: recording.error });
    expect(budget.available).toBe(10);
    expect(breaker.state).toBe('closed');
    // The next request of the client goes out: the circuit did not open for everyone.
    expect(await lastValueFrom(client.getJson('/next'))).toEqual({ ok: true });
  });

  it('a network failure is still a NetworkError, retried', async () => {
    await server.close();
    const client = new AsyncAPIClient({ baseUrl: server.origin, retry: { baseDelay: 1 } });
    const recording = record(client.getJson('/x'));
    await until(recording.done);
    expect(recording.error).toMatchObject({ name: 'NetworkError', attempts: 3 });
    server = await startServer((_req, res) => res.end());
  });
});

describe('undiciTransport: bad options are a ConfigurationError when it is made', () => {
  it.each([
    ['connections below 1', { connections: 0 }, /connections must be a whole number of 1 or more/],
    ['connections not a number', { connections: 'x' as never }, /connections must be a whole number of 1 or more/],
    ['connections not whole', { connections: 1.5 }, /connections must be a whole number of 1 or more/],
    ['a dispatcher that is not one', { dispatcher: {} as never }, /dispatcher must be an undici Dispatcher/],
    ['options that are not an object', null as never, /options must be an object/],
    ['an unknown option', { connection: 4 } as never, /unknown option "connection": did you mean connections\?/],
  ])('%s', (_name, options, message) => {
    expect(() => undiciTransport(options)).toThrow(ConfigurationError);
    expect(() => undiciTransport(options)).toThrow(message);
  });

  it('takes a dispatcher, or a number of connections', async () => {
    const agent = new Agent();
    for (const transport of [undiciTransport({ dispatcher: agent }), undiciTransport({ connections: 2 }), undiciTransport()]) {
      expect(await lastValueFrom(new AsyncAPIClient({ baseUrl: server.origin, transport }).getJson('/x'))).toEqual({ ok: true });
    }
    await agent.close();
  });
});
