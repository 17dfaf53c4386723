import { getEventListeners } from 'node:events';
import { defer, EmptyError, EMPTY, NEVER, of, Subject, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, ConfigurationError, toPromise } from '../../src/index.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('toPromise', () => {
  it('resolves with the last value, like lastValueFrom', async () => {
    expect(await toPromise(of(1, 2, 3))).toBe(3);
    expect(await toPromise(of(1, 2, 3), { signal: new AbortController().signal })).toBe(3);
  });

  it('rejects with the error of the source, and with EmptyError when there is no value', async () => {
    const boom = new Error('boom');
    await expect(toPromise(throwError(() => boom), { signal: new AbortController().signal })).rejects.toBe(boom);
    await expect(toPromise(EMPTY, { signal: new AbortController().signal })).rejects.toBeInstanceOf(EmptyError);
  });

  it('abort unsubscribes and rejects with a DOMException named AbortError', async () => {
    const controller = new AbortController();
    const source = new Subject<number>();
    const promise = toPromise(source, { signal: controller.signal });
    source.next(1);
    expect(source.observed).toBe(true);
    controller.abort();
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(source.observed).toBe(false);
  });

  it('a custom abort reason becomes the cause of the AbortError', async () => {
    const controller = new AbortController();
    const promise = toPromise(NEVER, { signal: controller.signal });
    const reason = new Error('user left the page');
    controller.abort(reason);
    const error = (await promise.catch((e: unknown) => e)) as DOMException;
    expect(error.name).toBe('AbortError');
    expect(error.cause).toBe(reason);
  });

  it('an already aborted signal rejects without subscribing', async () => {
    let subscribed = false;
    const controller = new AbortController();
    controller.abort();
    const source = defer(() => {
      subscribed = true;
      return NEVER;
    });
    await expect(toPromise(source, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(subscribed).toBe(false);
  });

  it.each([
    ['a string', 'abort'],
    ['null', null],
    ['a plain object', { aborted: false }],
  ])('a signal that is %s rejects with ConfigurationError, without subscribing', async (_name, signal) => {
    let subscribed = false;
    const source = defer(() => {
      subscribed = true;
      return of(1);
    });
    await expect(toPromise(source, { signal: signal as unknown as AbortSignal })).rejects.toBeInstanceOf(ConfigurationError);
    expect(subscribed).toBe(false);
  });

  it('leaves no listener on a long-lived signal, however the Promise ends', async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < 20; i += 1) {
      await toPromise(of(i), { signal });
      await toPromise(throwError(() => new Error('x')), { signal }).catch(() => undefined);
    }
    expect(listeners(signal)).toBe(0);
    const controller = new AbortController();
    const pending = toPromise(NEVER, { signal: controller.signal });
    expect(listeners(controller.signal)).toBe(1);
    controller.abort();
    await pending.catch(() => undefined);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('aborting cancels the HTTP request: the server sees the connection close', async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const promise = toPromise(new AsyncAPIClient(server.origin).getJson('/slow'), { signal: controller.signal });
    await until(() => server!.hits.length === 1);
    controller.abort();
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => server!.hits[0]!.closedEarly);
  });

  it('works with a request that succeeds, leaving no listener behind', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    const signal = new AbortController().signal;
    expect(await toPromise(new AsyncAPIClient(server.origin).getJson('/x'), { signal })).toEqual({ ok: true });
    expect(listeners(signal)).toBe(0);
  });
});
