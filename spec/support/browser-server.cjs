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
 */

const state = new Map(); // key -> { hits, aborted }

function entry(key) {
  let e = state.get(key);
  if (!e) state.set(key, (e = { hits: 0, aborted: false }));
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

  if (route === '/hits') {
    const e = state.get(key) ?? { hits: 0, aborted: false };
    return send(res, 200, { hits: e.hits, aborted: e.aborted });
  }

  const e = key === null ? { hits: 0, aborted: false } : entry(key);
  e.hits += 1;

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
    case '/missing':
      return send(res, 404, { error: 'not found' });
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
    case '/bad-json':
      return send(res, 200, '{"not": json at all');
    case '/empty':
      return send(res, 204);
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
