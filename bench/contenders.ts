/**
 * The clients under test. Each one GETs a URL and parses its JSON body (every
 * client here reads the whole body), with its default settings otherwise, and
 * a connection pool of `pool` sockets per origin.
 */
import { Agent as HttpAgent } from 'node:http';
import axios from 'axios';
import got from 'got';
import ky from 'ky';
import { ofetch } from 'ofetch';
import { EventEmitter } from 'node:events';
import { defer, lastValueFrom, Observable, retry, throwError, timeout, TimeoutError, timer } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import type { ClientOptions, Transport } from '../src/index.js';
import { loadUndiciTransport, UNDICI_MISSING } from './undici-build.js';
import { Agent, request, setGlobalDispatcher, type Dispatcher } from 'undici';

// The built package (`npm run build`), as users get it: not the sources through tsx's loader.
const { AsyncAPIClient } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

const undiciTransport = await loadUndiciTransport();

/** Why a contender is not in this run, when one is not. */
export const SKIPPED: readonly string[] = undiciTransport ? [] : [UNDICI_MISSING];

export interface Contender {
  readonly name: string;
  /** Builds the client once; the returned function sends one request and reads its body. */
  readonly create: (origin: string, pool: number) => (path: string) => Promise<unknown>;
}

function check(response: Response): Response {
  if (!response.ok) throw new Error(`status ${response.status}`);
  return response;
}

/**
 * `fetch` and the clients built on it (ky, ofetch, ours) share the global
 * dispatcher: give it the same pool size as everybody else.
 */
export function useGlobalPool(pool: number): void {
  setGlobalDispatcher(new Agent({ connections: pool }));
}

/**
 * The design card's pipeline written by hand, the floor the client is held to (issue 12): `defer` +
 * `fromFetch` with a parsing selector, `timeout`, and `retry({ count: 2, delay })` whose delay is
 * `timer(2000 * 2 ** (i - 1))` for a retryable failure and `throwError` otherwise. It sends what the
 * client sends on this path: `accept: application/json` and `redirect: 'manual'` (the client follows
 * redirects itself in Node), so the ratio between the two is the price of everything else the client does.
 */
export function cardPipeline(origin: string): (path: string) => Promise<unknown> {
  return (path) =>
    lastValueFrom(
      defer(() =>
        fromFetch(origin + path, {
          headers: { accept: 'application/json' },
          redirect: 'manual',
          selector: (response) => {
            if (response.status >= 400) throw Object.assign(new Error(`status ${response.status}`), { status: response.status });
            return response.json() as Promise<unknown>;
          },
        }),
      ).pipe(
        timeout({ first: 30_000 }),
        retry({ count: 2, delay: (error: unknown, i: number) => (retryable(error) ? timer(2000 * 2 ** (i - 1)) : throwError(() => error)) }),
      ),
    );
}

function retryable(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return error instanceof TypeError || error instanceof TimeoutError || status === 429 || (status !== undefined && status >= 500);
}

/**
 * The design card's pipeline on `undici.request` (issue 12's floor for the undici transport): the same
 * `defer`, `timeout` and `retry` as {@link cardPipeline}, around an Observable that sends with
 * `undici.request` (the `accept` header the client sends, an EventEmitter as its abort signal, emitted on
 * an unsubscribe before the body is read, as fromFetch aborts) and parses the body. Between it and `undici.request` is the price of
 * the rxjs layers alone; between it and the client, everything the client does on top.
 *
 * `direct`: sent with `dispatcher.request({ origin, path, ... })`, as the client's undici transport sends, rather
 * than `undici.request(url)`, which parses the URL and copies its options on every call: the floor of any
 * client that keeps the card's layers on undici.
 */
export function cardOnUndici(origin: string, dispatcher: Dispatcher, { direct = false } = {}): (path: string) => Promise<unknown> {
  const send = direct
    ? (path: string, abort: EventEmitter) => dispatcher.request({ origin, path, method: 'GET', headers: { accept: 'application/json' }, signal: abort })
    : (path: string, abort: EventEmitter) => request(origin + path, { dispatcher, headers: { accept: 'application/json' }, signal: abort });
  return (path) =>
    lastValueFrom(
      defer(
        () =>
          new Observable<unknown>((subscriber) => {
            const abort = new EventEmitter();
            // As fromFetch: no abort once the body is read (undici would make an abort error for nothing).
            let done = false;
            send(path, abort)
              .then(({ statusCode, body }) => {
                if (statusCode >= 400) throw Object.assign(new Error(`status ${statusCode}`), { status: statusCode });
                return body.json();
              })
              .then(
                (value) => ((done = true), subscriber.next(value), subscriber.complete()),
                (error: unknown) => ((done = true), subscriber.error(error)),
              );
            return () => void (done || abort.emit('abort'));
          }),
      ).pipe(
        timeout({ first: 30_000 }),
        retry({ count: 2, delay: (error: unknown, i: number) => (retryable(error) ? timer(2000 * 2 ** (i - 1)) : throwError(() => error)) }),
      ),
    );
}

/**
 * Layers of the undici path that are not contenders of the full benchmark: `undici.request` with what a
 * client that can cancel sends, and the client's undici transport alone. bench:layers runs them in its
 * rounds and bench:profile profiles them: what the transport costs over the call it makes.
 */
export const UNDICI_LAYERS: readonly Contender[] = [
  {
    name: 'undici.request + abort signal + accept',
    create: (origin, pool) => {
      const dispatcher = new Agent({ connections: pool });
      return (path) => request(origin + path, { dispatcher, headers: { accept: 'application/json' }, signal: new EventEmitter() }).then(({ body }) => body.json());
    },
  },
  {
    name: 'undici transport alone',
    create: (origin, pool) => {
      if (undiciTransport === undefined) throw new Error(UNDICI_MISSING);
      const transport = (undiciTransport as (options: { connections: number }) => Transport)({ connections: pool });
      const init = { method: 'GET', headers: { accept: 'application/json' }, selector: (response: Response) => response.json() as Promise<unknown> };
      return (path) => lastValueFrom(transport(origin + path, init));
    },
  },
];

export const CONTENDERS: readonly Contender[] = [
  {
    name: 'fetch',
    create: (origin) => async (path) => (await fetch(origin + path).then(check)).json(),
  },
  {
    name: 'fetch + signal',
    create: (origin) => async (path) => (await fetch(origin + path, { signal: new AbortController().signal }).then(check)).json(),
  },
  {
    name: 'undici.request',
    create: (origin, pool) => {
      const dispatcher = new Agent({ connections: pool });
      return async (path) => {
        const { statusCode, body } = await request(origin + path, { dispatcher });
        if (statusCode >= 400) throw new Error(`status ${statusCode}`);
        return body.json();
      };
    },
  },
  {
    name: 'ky',
    create: (origin) => {
      const api = ky.create({ prefixUrl: origin });
      return (path) => api.get(path.slice(1)).json();
    },
  },
  {
    name: 'axios',
    create: (origin, pool) => {
      const api = axios.create({ baseURL: origin, httpAgent: new HttpAgent({ keepAlive: true, maxSockets: pool }) });
      return async (path) => (await api.get(path)).data;
    },
  },
  {
    name: 'got',
    create: (origin, pool) => {
      const api = got.extend({ prefixUrl: origin, agent: { http: new HttpAgent({ keepAlive: true, maxSockets: pool }) } });
      return (path) => api.get(path.slice(1)).json();
    },
  },
  {
    name: 'ofetch',
    create: (origin) => {
      const api = ofetch.create({ baseURL: origin });
      return (path) => api(path);
    },
  },
  {
    name: 'card pipeline',
    create: (origin) => cardPipeline(origin),
  },
  {
    name: 'rx-api-client',
    create: (origin) => {
      const client = new AsyncAPIClient(origin);
      return (path) => lastValueFrom(client.getJson(path));
    },
  },
  ...(undiciTransport
    ? [
        {
          name: 'rx-api-client + undici',
          create: (origin: string, pool: number) => {
            const options = { baseUrl: origin, transport: undiciTransport({ connections: pool }) };
            const client = new AsyncAPIClient(options as ClientOptions);
            return (path: string) => lastValueFrom(client.getJson(path));
          },
        },
      ]
    : []),
];
