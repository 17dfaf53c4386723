'use strict';
/**
 * Test endpoints for the browser suite, served under /api/ by Karma's own
 * server (same origin as the test page, so no CORS). Loaded by karma.conf.js
 * as the middleware plugin "api".
 *
 * Every request that carries `?key=<unique>` is counted under that key;
 * GET /api/hits?key=... answers { hits, aborted } so a spec can assert on
 * what the server really saw.
 *
 *   /api/json       200 { ok: true }
 *   /api/flaky      503 for the first `fail` hits of a key (default 2), then 200 { ok, hits }
 *   /api/throttled  429 for the first `fail` hits of a key (default: always), then 200
 *   /api/missing    404
 *   /api/echo       200 { method, path, query: [[name, value]...], search, headers }
 *   /api/slow       answers after `ms` (default 30000); a client abort sets `aborted`
 *   /api/bad-json   200 with a body that is not JSON
 *   /api/empty      204
 *   /api/record     503 for the first `fail` hits of a key (default 1), with `retry-after-ms: <ms>` when
 *                   `ms` is given, then 200 { ok, hits }; keeps the Idempotency-Key header of each hit
 *   /api/recorded   200 { keys: [the Idempotency-Key of each /api/record hit, null when absent] }
 *   /api/redirect   `status` (default 302) to `to` (a path on this server)
 *   /api/auth       200 { ok, hits } for `authorization: Bearer fresh`, 401 otherwise
 *   /api/seen       200 { authorizations } of every earlier request of a key (GET /api/seen?key=...)
 *   /api/ndjson     n lines {"n": i} (default 3), one every 20 ms; `hang=1` keeps it open after them
 *   /api/sse        first hit of a key: `retry: 50`, an event with id 1, then the connection drops;
 *                   later hits: one event "after <Last-Event-ID>" with id 2, then the end.
 *                   /api/hits lists each hit's Last-Event-ID as `lastEventIds`
 *   /api/export     `lines` NDJSON lines of 200 bytes (default 1,000,000), each write waiting for the socket
 *                   to drain; /api/hits counts the lines written as `written`
 *   /api/pages      JSON [page] for ?page=N (default 1) with Link rel="next" up to `last` (default 3)
 *   /api/cors-echo  as /api/echo, for any origin: CORS headers, and a preflight allowed whatever it asks
 *                   (a page on 127.0.0.1 reaches it as another origin at localhost)
 */

const state = new Map(); // key -> { hits, aborted }
const recorded = new Map(); // key -> Idempotency-Key of each /api/record hit

function entry(key) {
  let e = state.get(key);
  if (!e) state.set(key, (e = { hits: 0, aborted: false, authorizations: [] }));
  return e;
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'cache-control': 'no-store',
    ...(text === '' ? {} : { 'content-type': 'application/json' }),
    ...headers,
  });
  res.end(text);
}

// /api/fault/...: the faults of browser-faults.cjs, with counts of their own.
const { handleFault } = require('./browser-faults.cjs');

function handle(req, res, url) {
  if (url.pathname.startsWith('/api/fault/')) return handleFault(req, res, url);
  const route = url.pathname.slice('/api'.length);
  const key = url.searchParams.get('key');
  const fail = Number(url.searchParams.get('fail') ?? NaN);

  if (route === '/recorded') return send(res, 200, { keys: recorded.get(key) ?? [] });

  if (route === '/hits') {
    const e = state.get(key) ?? { hits: 0, aborted: false };
    return send(res, 200, {
      hits: e.hits,
      aborted: e.aborted,
      ...(e.lastEventIds ? { lastEventIds: e.lastEventIds } : {}),
      ...(e.written === undefined ? {} : { written: e.written }),
      ...(e.notModified === undefined ? {} : { conditional: e.conditional, notModified: e.notModified }),
    });
  }

  if (route === '/seen') return send(res, 200, { authorizations: (state.get(key) ?? { authorizations: [] }).authorizations });

  if (route === '/cors-echo') {
    const cors = { 'access-control-allow-origin': req.headers.origin ?? '*' };
    if (req.method === 'OPTIONS') {
      return send(res, 204, undefined, {
        ...cors,
        'access-control-allow-methods': req.headers['access-control-request-method'] ?? 'GET',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
      });
    }
    return send(res, 200, { method: req.method, query: [...url.searchParams], headers: req.headers }, cors);
  }

  const e = key === null ? { hits: 0, aborted: false, authorizations: [] } : entry(key);
  e.hits += 1;
  e.authorizations.push(req.headers.authorization ?? null);

  switch (route) {
    case '/json':
      return send(res, 200, { ok: true });
    case '/flaky':
      if (e.hits <= (Number.isNaN(fail) ? 2 : fail)) return send(res, 503, { error: 'unavailable', hits: e.hits });
      return send(res, 200, { ok: true, hits: e.hits });
    case '/throttled':
      if (e.hits <= (Number.isNaN(fail) ? Infinity : fail)) {
        return send(res, 429, { error: 'too many requests', hits: e.hits }, { 'retry-after': '0' });
      }
      return send(res, 200, { ok: true, hits: e.hits });
    case '/record': {
      if (!recorded.has(key)) recorded.set(key, []);
      recorded.get(key).push(req.headers['idempotency-key'] ?? null);
      const ms = url.searchParams.get('ms');
      if (e.hits <= (Number.isNaN(fail) ? 1 : fail)) {
        return send(res, 503, { error: 'unavailable', hits: e.hits }, ms === null ? {} : { 'retry-after-ms': ms });
      }
      return send(res, 200, { ok: true, hits: e.hits });
    }
    case '/missing':
      return send(res, 404, { error: 'not found' });
    case '/etag': {
      // An ETag that changes every `every` answers (default never): 304 to a matching If-None-Match, counted.
      const every = Number(url.searchParams.get('every') ?? Infinity);
      const version = 1 + Math.floor((e.hits - 1) / every);
      const etag = `"v${version}"`;
      e.conditional = (e.conditional ?? 0) + (req.headers['if-none-match'] === undefined ? 0 : 1);
      e.notModified = e.notModified ?? 0;
      if (req.headers['if-none-match'] === etag) {
        e.notModified += 1;
        res.writeHead(304, { etag, 'cache-control': 'no-cache' });
        return res.end();
      }
      return send(res, 200, { version }, { etag, 'cache-control': 'no-cache' });
    }
    case '/echo':
      return send(res, 200, {
        method: req.method,
        path: url.pathname,
        query: [...url.searchParams],
        search: url.search,
        headers: req.headers,
      });
    case '/slow': {
      const ms = Number(url.searchParams.get('ms') ?? 30000);
      const timer = setTimeout(() => send(res, 200, { ok: true, slow: true }), ms);
      // 'close' on the response fires when it is sent or when the connection
      // is torn down first; only the latter means the client aborted.
      res.on('close', () => {
        clearTimeout(timer);
        if (!res.writableEnded) e.aborted = true;
      });
      return undefined;
    }
    case '/upload': {
      // Counts the body; the first `fail` hits answer 503 once it is in; `ms` holds the answer back.
      let received = 0;
      res.on('close', () => {
        if (!res.writableEnded) e.aborted = true;
      });
      req.on('data', (chunk) => (received += chunk.length));
      req.on('end', () => {
        if (e.hits <= (Number.isNaN(fail) ? 0 : fail)) return send(res, 503, { error: 'unavailable', hits: e.hits });
        const answer = () => send(res, 200, { received, hits: e.hits, contentLength: req.headers['content-length'] ?? null, contentType: req.headers['content-type'] ?? null });
        const timer = setTimeout(answer, Number(url.searchParams.get('ms') ?? 0));
        res.on('close', () => clearTimeout(timer));
        return undefined;
      });
      return undefined;
    }
    case '/bad-json':
      return send(res, 200, '{"not": json at all');
    case '/empty':
      return send(res, 204);
    case '/redirect':
      return send(res, Number(url.searchParams.get('status') ?? 302), undefined, { location: url.searchParams.get('to') ?? '/api/json' });
    case '/auth':
      if (req.headers.authorization === 'Bearer fresh') return send(res, 200, { ok: true, hits: e.hits });
      return send(res, 401, { error: 'invalid token' }, { 'www-authenticate': 'Bearer' });
    case '/ndjson': {
      const n = Number(url.searchParams.get('n') ?? 3);
      // connection: close (here and on /export), so that a client's cut is seen at once: on a connection it may
      // reuse, Chromium may keep a cancelled response's socket open for up to 5 s to drain the rest of its body
      // (net's HttpResponseBodyDrainer, when the cancel finds no read pending), longer than waitForServer's 3 s.
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', connection: 'close' });
      let i = 0;
      const timer = setInterval(() => {
        i += 1;
        if (i <= n) res.write(`${JSON.stringify({ n: i })}\n`);
        if (i >= n && url.searchParams.get('hang') !== '1') {
          clearInterval(timer);
          res.end();
        }
      }, 20);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableEnded) e.aborted = true;
      });
      return undefined;
    }
    case '/sse': {
      e.lastEventIds = [...(e.lastEventIds ?? []), req.headers['last-event-id'] ?? ''];
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      if (e.hits === 1) {
        res.write('retry: 50\nid: 1\ndata: first\n\n', () => setTimeout(() => res.socket && res.socket.destroy(), 20));
        return undefined;
      }
      return res.end(`id: 2\ndata: after ${req.headers['last-event-id'] ?? 'nothing'}\n\n`);
    }
    case '/export': {
      const lines = Number(url.searchParams.get('lines') ?? 1_000_000);
      const line = `${JSON.stringify({ n: 0, pad: 'x'.repeat(180) })}\n`;
      const block = line.repeat(100);
      e.written = 0;
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', connection: 'close' });
      res.on('close', () => {
        if (!res.writableEnded) e.aborted = true;
      });
      const write = () => {
        while (e.written < lines && !res.destroyed) {
          e.written += 100;
          if (!res.write(block)) return void res.once('drain', write);
        }
        if (e.written >= lines) res.end();
      };
      write();
      return undefined;
    }
    case '/pages': {
      const page = Number(url.searchParams.get('page') ?? 1);
      const last = Number(url.searchParams.get('last') ?? 3);
      const next = new URLSearchParams(url.searchParams);
      next.set('page', String(page + 1));
      return send(res, 200, [page], page < last ? { link: `</api/pages?${next}>; rel="next"` } : {});
    }
    default:
      return send(res, 404, { error: `no test endpoint ${route}` });
  }
}

function createApiMiddleware() {
  return function apiMiddleware(req, res, next) {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return next();
    try {
      handle(req, res, url);
    } catch (error) {
      send(res, 500, { error: String(error) });
    }
    return undefined;
  };
}
createApiMiddleware.$inject = [];

module.exports = { 'middleware:api': ['factory', createApiMiddleware] };
