import { defer, lastValueFrom, of, retry, throwError, type Observable } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BodyNotReplayableError, HttpError, NetworkError, TimeoutError } from '../../src/core/errors.js';
import {
  AsyncAPIClient,
  bearerTokenAuth,
  isTokenRefreshError,
  TokenRefreshError,
  withDeadline,
  withEvents,
  withTokenRefresh,
  type ClientEvent,
  type Feature,
} from '../../src/index.js';
import { replayAfterRefresh, SharedTokenRefresh } from '../../src/features/token-refresh.js';
import { record } from '../support/record.js';
import { startServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { useVirtualTime } from '../support/virtual-time.js';

const target = { method: 'GET', url: 'https://h/x' };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const status = (code: number) => new HttpError(new Response(null, { status: code }), target, 1);

type Marbles = RunHelpers & {
  /** The cold Observable that every refresh returns. */
  renew: ReturnType<RunHelpers['cold']>;
  shared: SharedTokenRefresh;
  /** The signal of each call of the refresh. */
  signals: AbortSignal[];
  /** One attempt per subscription, answering with the next of `answers`. */
  attempts: (...answers: ReturnType<RunHelpers['cold']>[]) => Observable<unknown>;
};

/** Runs `body` in virtual time, with a shared refresh that returns `cold(refresh, undefined, error)`. */
function marbles(refresh: string, body: (helpers: Marbles) => void, options: { error?: unknown; timeoutMs?: number } = {}): void {
  const scheduler = newScheduler();
  scheduler.run((helpers) => {
    const renew = helpers.cold(refresh, undefined, options.error);
    const signals: AbortSignal[] = [];
    const shared = new SharedTokenRefresh(
      (signal) => {
        signals.push(signal);
        return renew;
      },
      options.timeoutMs ?? Infinity,
      scheduler,
    );
    const attempts: Marbles['attempts'] = (...answers) => {
      let attempt = 0;
      return defer(() => answers[attempt++]!);
    };
    body({ ...helpers, renew, shared, signals, attempts });
  });
}

describe('SharedTokenRefresh (marbles, virtual time)', () => {
  it('runs one refresh for requests that wait at the same time, and moves the generation on', () => {
    marbles('---a|', ({ shared, renew, signals, expectObservable, expectSubscriptions, flush }) => {
      expectObservable(shared.after(0)).toBe('---|');
      expectObservable(shared.after(0), '-^').toBe('---|');
      expectSubscriptions(renew.subscriptions).toBe('^--!');
      flush();
      expect(signals).toHaveLength(1);
      expect(signals[0]!.aborted).toBe(false);
      expect(shared.generation).toBe(1);
    });
  });

  it('the first value is enough: a refresh that never completes still ends the wait', () => {
    marbles('--a---', ({ shared, renew, expectObservable, expectSubscriptions }) => {
      expectObservable(shared.after(0)).toBe('--|');
      expectSubscriptions(renew.subscriptions).toBe('^-!');
    });
  });

  it('a request that saw an older generation than the last refresh does not start another one', () => {
    marbles('-|', ({ shared, renew, expectObservable, expectSubscriptions }) => {
      expectObservable(shared.after(0)).toBe('-|');
      // After the first refresh: a straggler whose token predates it, then a request that used the new token.
      expectObservable(shared.after(0), '---^').toBe('---|');
      expectObservable(shared.after(1), '---^').toBe('----|');
      expectSubscriptions(renew.subscriptions).toBe(['^!', '---^!']);
    });
  });

  it('cancels the refresh (signal aborted, Observable unsubscribed) when every waiting request unsubscribes', () => {
    marbles('-----a|', ({ shared, renew, signals, expectObservable, expectSubscriptions, flush }) => {
      expectObservable(shared.after(0), '^-!').toBe('');
      expectObservable(shared.after(0), '^---!').toBe('');
      expectSubscriptions(renew.subscriptions).toBe('^---!');
      flush();
      expect(signals[0]!.aborted).toBe(true);
      expect(shared.generation).toBe(0);
    });
  });

  it('keeps the refresh going while one request still waits', () => {
    marbles('-----a|', ({ shared, renew, signals, expectObservable, expectSubscriptions, flush }) => {
      expectObservable(shared.after(0), '^-!').toBe('');
      expectObservable(shared.after(0)).toBe('-----|');
      expectSubscriptions(renew.subscriptions).toBe('^----!');
      flush();
      expect(signals[0]!.aborted).toBe(false);
      expect(shared.generation).toBe(1);
    });
  });

  it('a failed refresh fails every waiting request, and the next 401 may try again', () => {
    const failure = new Error('refresh token expired');
    marbles(
      '--#',
      ({ shared, renew, expectObservable, expectSubscriptions }) => {
        expectObservable(shared.after(0)).toBe('--#', undefined, failure);
        expectObservable(shared.after(0), '-^').toBe('--#', undefined, failure);
        expectObservable(shared.after(0), '-----^').toBe('-------#', undefined, failure);
        expectSubscriptions(renew.subscriptions).toBe(['^-!', '-----^-!']);
      },
      { error: failure },
    );
  });

  it('a refresh longer than the timeout fails, and is cancelled', () => {
    marbles(
      '------a|',
      ({ shared, renew, signals, expectObservable, expectSubscriptions, flush }) => {
        expectObservable(shared.after(0)).toBe('---#', undefined, new Error('the token refresh took longer than 3 ms'));
        expectSubscriptions(renew.subscriptions).toBe('^--!');
        flush();
        expect(signals[0]!.aborted).toBe(true);
      },
      { timeoutMs: 3 },
    );
  });

  it('a caller that waits with a limit gives up after it; the refresh goes on for the others', () => {
    marbles('-----a|', ({ shared, renew, signals, expectObservable, expectSubscriptions, flush }) => {
      expectObservable(shared.after(0, 2)).toBe('--#', undefined, new Error('the token refresh took longer than the request’s timeout of 2 ms'));
      expectObservable(shared.after(0)).toBe('-----|');
      expectSubscriptions(renew.subscriptions).toBe('^----!');
      flush();
      expect(signals[0]!.aborted).toBe(false);
    });
  });

  it('takes a Promise, or nothing at all (a synchronous refresh)', async () => {
    let token = 'old';
    const shared = new SharedTokenRefresh(
      () => {
        token = 'new';
      },
      Infinity,
      newScheduler(),
    );
    await new Promise<void>((resolve, reject) => shared.after(0).subscribe({ complete: resolve, error: reject }));
    expect(token).toBe('new');
    const fromPromise = new SharedTokenRefresh(async () => 'done', Infinity, newScheduler());
    await new Promise<void>((resolve, reject) => fromPromise.after(0).subscribe({ complete: resolve, error: reject }));
    expect(fromPromise.generation).toBe(1);
  });

  it('a refresh that throws at once fails the wait', async () => {
    const failure = new Error('no refresh token');
    const shared = new SharedTokenRefresh(
      () => {
        throw failure;
      },
      Infinity,
      newScheduler(),
    );
    await expect(new Promise((resolve, reject) => shared.after(0).subscribe({ complete: () => resolve(undefined), error: reject }))).rejects.toBe(
      failure,
    );
  });
});

describe('replayAfterRefresh (marbles)', () => {
  it('after a 401, waits for the refresh and replays once', () => {
    marbles('--x|', ({ shared, renew, attempts, cold, expectObservable, expectSubscriptions }) => {
      const replay = cold('-a|');
      const source = attempts(cold('-#', undefined, status(401)), replay);
      expectObservable(source.pipe(replayAfterRefresh(shared, () => 0, (cause) => cause))).toBe('----a|');
      expectSubscriptions(renew.subscriptions).toBe('-^-!');
      expectSubscriptions(replay.subscriptions).toBe('---^-!');
    });
  });

  it('a 401 after the replay is final, with no second refresh', () => {
    marbles('-|', ({ shared, renew, attempts, cold, expectObservable, expectSubscriptions }) => {
      const second = status(401);
      const source = attempts(cold('-#', undefined, status(401)), cold('-#', undefined, second));
      expectObservable(source.pipe(replayAfterRefresh(shared, () => shared.generation, (cause) => cause))).toBe('---#', undefined, second);
      expectSubscriptions(renew.subscriptions).toBe('-^!');
    });
  });

  it('other errors pass through at once', () => {
    marbles('-|', ({ shared, renew, cold, expectObservable, expectSubscriptions }) => {
      for (const error of [status(403), status(500), new NetworkError(new TypeError('x'), target, 1)]) {
        expectObservable(cold('-#', undefined, error).pipe(replayAfterRefresh(shared, () => 0, (cause) => cause))).toBe('-#', undefined, error);
      }
      expectSubscriptions(renew.subscriptions).toBe([]);
    });
  });

  it('a failed refresh ends the request with the error it is turned into, without a replay', () => {
    const failure = new Error('refresh failed');
    marbles(
      '-#',
      ({ shared, attempts, cold, expectObservable, expectSubscriptions }) => {
        const replay = cold('-a|');
        const source = attempts(cold('#', undefined, status(401)), replay);
        expectObservable(source.pipe(replayAfterRefresh(shared, () => 0, (cause) => ({ wrapped: cause })))).toBe('-#', undefined, { wrapped: failure });
        expectSubscriptions(replay.subscriptions).toBe([]);
      },
      { error: failure },
    );
  });

  it('replays once per logical request, even when a retry re-subscribes it', () => {
    marbles('-|', ({ shared, renew, attempts, cold, expectObservable, expectSubscriptions }) => {
      const last = status(401);
      const source = attempts(cold('-#', undefined, status(401)), cold('-#', undefined, status(503)), cold('-#', undefined, last));
      const result = source.pipe(
        replayAfterRefresh(shared, () => shared.generation, (cause) => cause),
        retry({ count: 1 }),
      );
      // 401 at 1, refresh until 2, replay: 503 at 3, retry: 401 again at 4, and that one is final.
      expectObservable(result).toBe('----#', undefined, last);
      expectSubscriptions(renew.subscriptions).toBe('-^!');
    });
  });

  it('a stream may refresh again after fresh values: once per 401, not once per life', () => {
    marbles('-|', ({ shared, renew, attempts, cold, expectObservable, expectSubscriptions }) => {
      const dropped = new NetworkError(new TypeError('dropped'), target, 1);
      const source = attempts(cold('-#', undefined, status(401)), cold('-a#', undefined, dropped), cold('-#', undefined, status(401)), cold('-b|'));
      const result = source.pipe(
        replayAfterRefresh(shared, () => shared.generation, (cause) => cause),
        // A stream that reconnects after a drop, as sse() does: only network errors.
        retry({ resetOnSuccess: true, delay: (error: unknown) => (error instanceof NetworkError ? of(0) : throwError(() => error)) }),
      );
      // 401 at 1, refresh until 2, replay: a at 3, dropped at 4; reconnect: 401 at 5, refresh until 6, replay: b at 7.
      expectObservable(result).toBe('---a---b|');
      expectSubscriptions(renew.subscriptions).toBe(['-^!', '-----^!']);
    });
  });

  it('a stream still replays at most once per failure: a 401 right after a replay is final', () => {
    marbles('-|', ({ shared, renew, attempts, cold, expectObservable, expectSubscriptions }) => {
      const dropped = new NetworkError(new TypeError('dropped'), target, 1);
      const last = status(401);
      const source = attempts(cold('-#', undefined, status(401)), cold('-a#', undefined, dropped), cold('-#', undefined, status(401)), cold('-#', undefined, last));
      const result = source.pipe(
        replayAfterRefresh(shared, () => shared.generation, (cause) => cause),
        retry({ resetOnSuccess: true, delay: (error: unknown) => (error instanceof NetworkError ? of(0) : throwError(() => error)) }),
      );
      expectObservable(result).toBe('---a---#', undefined, last);
      expectSubscriptions(renew.subscriptions).toBe(['-^!', '-----^!']);
    });
  });

  it('a one-shot body is not replayed (nor the token refreshed): BodyNotReplayableError, the 401 as its cause', () => {
    marbles('-|', ({ shared, renew, attempts, cold, expectObservable, expectSubscriptions }) => {
      const unauthorized = new HttpError(new Response(null, { status: 401 }), { method: 'PUT', url: 'https://h/upload' }, 2);
      const replay = cold('-a|');
      const source = attempts(cold('-#', undefined, unauthorized), replay);
      const expected = new BodyNotReplayableError(unauthorized, { method: 'PUT', url: 'https://h/upload' }, 2);
      expectObservable(source.pipe(replayAfterRefresh(shared, () => 0, (cause) => cause, { replayable: false }))).toBe('-#', undefined, expected);
      expectSubscriptions(renew.subscriptions).toBe([]);
      expectSubscriptions(replay.subscriptions).toBe([]);
    });
    const unauthorized = status(401);
    const seen: unknown[] = [];
    throwError(() => unauthorized)
      .pipe(replayAfterRefresh(new SharedTokenRefresh(() => undefined, Infinity, newScheduler()), () => 0, (c) => c, { replayable: false }))
      .subscribe({ error: (error: unknown) => seen.push(error) });
    expect((seen[0] as BodyNotReplayableError).cause).toBe(unauthorized);
    // The 401 is the answer the caller gets (as the cause): its body is left unread.
    expect(unauthorized.response.bodyUsed).toBe(false);
  });

  it('a one-shot body: other errors pass through as they are', () => {
    marbles('-|', ({ shared, cold, expectObservable }) => {
      const forbidden = status(403);
      expectObservable(cold('-#', undefined, forbidden).pipe(replayAfterRefresh(shared, () => 0, (c) => c, { replayable: false }))).toBe(
        '-#',
        undefined,
        forbidden,
      );
    });
  });

  it('passes values through untouched', () => {
    const shared = new SharedTokenRefresh(() => of(1), Infinity, newScheduler());
    const seen: number[] = [];
    of(1, 2).pipe(replayAfterRefresh(shared, () => 0, (c) => c)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([1, 2]);
  });
});

describe('withTokenRefresh in the client (real server)', () => {
  let server: TestServer;
  /** The one token the server accepts. */
  let accepted: string;

  beforeEach(async () => {
    accepted = 'fresh-SECRET';
    server = await startServer((req, res) => {
      if (req.headers.authorization === `Bearer ${accepted}`) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end('{"error":"invalid token"}');
    });
  });

  afterEach(async () => {
    await server.close();
  });

  /** Lets the promise callbacks already queued (a 401 reaching the refresh) run. */
  const afterPendingCallbacks = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** A client whose token starts stale; its refresh waits for `release()` and counts its calls. */
  function refreshingClient(outcome: 'renew' | 'fail' | 'stay-stale' = 'renew') {
    let token = 'stale-SECRET';
    const calls: AbortSignal[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const feature = withEvents();
    const client = new AsyncAPIClient(
      { baseUrl: server.origin, authHeaders: () => bearerTokenAuth(token), retry: { baseDelay: 1 } },
      withTokenRefresh(async (signal) => {
        calls.push(signal);
        await released;
        if (outcome === 'fail') throw new Error('refresh-token-SECRET was revoked');
        if (outcome === 'renew') token = accepted;
      }),
      feature,
    );
    const events: ClientEvent[] = [];
    feature.events$.subscribe((event) => events.push(event));
    return { client, calls, release, events };
  }

  it('a 401 refreshes the token once and replays the request with the new one', async () => {
    const { client, calls, release } = refreshingClient();
    release();
    expect(await lastValueFrom(client.getJson('/me'))).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(server.hits.map((hit) => hit.headers.authorization)).toEqual(['Bearer stale-SECRET', 'Bearer fresh-SECRET']);
  });

  it('concurrent requests that hit 401 share one refresh, then all replay', async () => {
    const { client, calls, release, events } = refreshingClient();
    const recordings = [record(client.getJson('/a')), record(client.getJson('/b')), record(client.getJson('/c'))];
    // The three 401s land while the refresh is held.
    await until(() => calls.length === 1 && events.filter((e) => e.type === 'response').length === 3);
    await afterPendingCallbacks();
    expect(recordings.some((r) => r.done())).toBe(false);
    release();
    await until(() => recordings.every((r) => r.done()));
    expect(calls).toHaveLength(1);
    expect(recordings.map((r) => r.values)).toEqual([[{ ok: true }], [{ ok: true }], [{ ok: true }]]);
    expect(server.hits.filter((hit) => hit.headers.authorization === 'Bearer fresh-SECRET')).toHaveLength(3);
    expect(server.hits).toHaveLength(6);
  });

  it('a failed refresh ends every waiting request with TokenRefreshError: no replay, no retry, no secret', async () => {
    const { client, calls, release, events } = refreshingClient('fail');
    const recordings = [record(client.getJson('/a')), record(client.getJson('/b'))];
    // Both 401s must be waiting for the refresh before it fails: a 401 that comes later may start a new one.
    await until(() => calls.length === 1 && events.filter((e) => e.type === 'response').length === 2);
    await afterPendingCallbacks();
    release();
    await until(() => recordings.every((r) => r.done()));
    for (const recording of recordings) {
      const error = recording.error as TokenRefreshError;
      expect(error).toBeInstanceOf(TokenRefreshError);
      expect(isTokenRefreshError(error)).toBe(true);
      expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/[ab] got status 401 and the token refresh failed; the request was not replayed/);
      expect((error.cause as Error).message).toContain('revoked');
      for (const text of [error.message, String(error.stack), JSON.stringify(error)]) expect(text).not.toContain('SECRET');
    }
    expect(calls).toHaveLength(1);
    expect(server.hits).toHaveLength(2);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(JSON.stringify(events.filter((e) => e.type !== 'giveUp'))).not.toContain('SECRET');
  });

  it('a 401 after the replay is final: HttpError 401, one refresh, two attempts', async () => {
    const { client, calls, release } = refreshingClient('stay-stale');
    release();
    const error = await lastValueFrom(client.getJson('/me')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 401, attempts: 2 });
    expect(calls).toHaveLength(1);
    expect(server.hits).toHaveLength(2);
  });

  it('unsubscribing from every waiting request cancels the refresh; from only one does not', async () => {
    const first = refreshingClient();
    const kept = record(first.client.getJson('/a'));
    const dropped = record(first.client.getJson('/b'));
    await until(() => first.calls.length === 1 && server.hits.length === 2);
    dropped.subscription.unsubscribe();
    expect(first.calls[0]!.aborted).toBe(false);
    first.release();
    await until(kept.done);
    expect(kept.values).toEqual([{ ok: true }]);

    const second = refreshingClient();
    const a = record(second.client.getJson('/a'));
    const b = record(second.client.getJson('/b'));
    await until(() => second.calls.length === 1 && second.events.filter((e) => e.type === 'response').length === 2);
    await afterPendingCallbacks();
    a.subscription.unsubscribe();
    b.subscription.unsubscribe();
    expect(second.calls[0]!.aborted).toBe(true);
    second.release();
    expect(a.done() || b.done()).toBe(false);
  });

  describe('a refresh that never settles', () => {
    beforeEach(useVirtualTime);
    afterEach(() => vi.useRealTimers());

    /** A client without a timeout of its own, whose refresh never settles; `signals` has the signal of each call. */
    function hangingClient(...features: Feature[]) {
      const signals: AbortSignal[] = [];
      const client = new AsyncAPIClient(
        { baseUrl: server.origin, authHeaders: () => bearerTokenAuth('stale-SECRET'), timeout: false },
        withTokenRefresh((signal) => {
          signals.push(signal);
          return new Promise<never>(() => undefined);
        }),
        ...features,
      );
      return { client, signals };
    }

    it('is bounded by the request’s own timeout when the client has none: TokenRefreshError, and the refresh is cancelled', async () => {
      const { client, signals } = hangingClient();
      const recording = record(client.getJson('/me', undefined, { timeout: 500 }));
      await until(() => signals.length === 1);
      await vi.advanceTimersByTimeAsync(499);
      expect(recording.done()).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(recording.error).toBeInstanceOf(TokenRefreshError);
      expect((recording.error as TokenRefreshError).cause).toMatchObject({ message: 'the token refresh took longer than the request’s timeout of 500 ms' });
      expect(signals[0]!.aborted).toBe(true);
      expect(server.hits).toHaveLength(1);
    });

    it('is bounded by the request’s deadline: TimeoutError with scope deadline', async () => {
      const { client, signals } = hangingClient(withDeadline(2_000));
      const recording = record(client.getJson('/me'));
      await until(() => signals.length === 1);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(recording.error).toBeInstanceOf(TimeoutError);
      expect(recording.error).toMatchObject({ scope: 'deadline', timeoutMs: 2_000 });
      expect(signals[0]!.aborted).toBe(true);
    });

    it('a request with a longer timeout keeps waiting for the refresh another one gave up on', async () => {
      const { client, signals } = hangingClient();
      const short = record(client.getJson('/a', undefined, { timeout: 500 }));
      const long = record(client.getJson('/b', undefined, { timeout: 5_000 }));
      await until(() => signals.length === 1 && server.hits.length === 2);
      await vi.advanceTimersByTimeAsync(500);
      expect(short.error).toBeInstanceOf(TokenRefreshError);
      expect(long.done()).toBe(false);
      expect(signals[0]!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(4_500);
      expect(long.error).toBeInstanceOf(TokenRefreshError);
      expect(signals[0]!.aborted).toBe(true);
    });
  });

  it('without withTokenRefresh a 401 is final at once', async () => {
    const client = new AsyncAPIClient({ baseUrl: server.origin, authHeaders: () => bearerTokenAuth('stale') });
    const error = await lastValueFrom(client.getJson('/me')).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, attempts: 1 });
    expect(server.hits).toHaveLength(1);
  });
});
