'use strict';
/**
 * The faults a browser can see, for spec/faults.browser.spec.ts: served under
 * /api/fault/ by the middleware of browser-server.cjs. Every request carries
 * `?key=<unique>`; GET /api/fault/hits?key=... answers { hits, aborts }, where
 * `aborts` counts responses whose connection closed before they were complete.
 *
 *   /api/fault/status      `code` (default 503) for the first `fail` hits of a key (default: all), then 200 { ok, hits };
 *                          `retryAfter` adds a Retry-After header
 *   /api/fault/stall-body  200, headers and the start of a JSON body; the rest never comes
 *   /api/fault/huge-body   `bytes` (default 4 MiB) of a JSON array that never closes, chunked;
 *                          `declared=1` sends its content-length
 *   /api/fault/gzip-bomb   `bytes` (default 32 MiB) of zeros, gzip-encoded: a thousandth of that on the wire
 */
const { gzipBomb, streamHugeBody } = require('./fault-bodies.cjs');

const MIB = 1024 * 1024;
const state = new Map(); // key -> { hits, aborts }

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'cache-control': 'no-store', 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Handles /api/fault/<route>; `next` for any other path. */
function handleFault(req, res, url) {
  const route = url.pathname.slice('/api/fault'.length);
  const key = url.searchParams.get('key') ?? '';
  const number = (name, fallback) => {
    const value = url.searchParams.get(name);
    return value === null ? fallback : Number(value);
  };

  if (route === '/hits') return send(res, 200, state.get(key) ?? { hits: 0, aborts: 0 });

  let entry = state.get(key);
  if (!entry) state.set(key, (entry = { hits: 0, aborts: 0 }));
  entry.hits += 1;
  res.on('close', () => {
    if (!res.writableFinished) entry.aborts += 1;
  });

  switch (route) {
    case '/status': {
      if (entry.hits > number('fail', Infinity)) return send(res, 200, { ok: true, hits: entry.hits });
      const retryAfter = url.searchParams.get('retryAfter');
      return send(res, number('code', 503), { error: 'injected', hits: entry.hits }, retryAfter === null ? {} : { 'retry-after': retryAfter });
    }
    case '/stall-body':
      // connection: close, so that the cut is seen at once. On a connection it may reuse, Chromium may keep a
      // cancelled response's socket open for up to 5 s to drain the rest of its body (net's
      // HttpResponseBodyDrainer, when the cancel finds no read pending), longer than expectServer's 3 s.
      res.writeHead(200, { 'cache-control': 'no-store', 'content-type': 'application/json', 'content-length': '100', connection: 'close' });
      return void res.write('{"items":[1,2,');
    case '/huge-body': {
      const bytes = number('bytes', 4 * MIB);
      const declared = url.searchParams.get('declared') === '1' ? { 'content-length': String(bytes) } : {};
      res.writeHead(200, { 'cache-control': 'no-store', 'content-type': 'application/json', ...declared });
      return streamHugeBody(res, bytes);
    }
    case '/gzip-bomb':
      return void gzipBomb(number('bytes', 32 * MIB)).then((bomb) => {
        res.writeHead(200, {
          'cache-control': 'no-store',
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': String(bomb.length),
        });
        res.end(bomb);
      });
    default:
      return send(res, 404, { error: `no fault ${route}` });
  }
}

module.exports = { handleFault };
