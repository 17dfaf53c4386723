// Checks of the package's builds that no unit test can make (run by `npm run test:package`, after the build):
// - the browser build that reads NODE_ENV at run time loads where there is no `process` (a browser without a
//   bundler's define), with full messages;
// - the `production` build carries the short codes, the `development` build the full messages;
// - `require` under the `browser` condition (Jest with jsdom) gets the CommonJS build, not ESM;
// - rx-api-client/testing and rx-api-client/angular, ESM and CommonJS, with a client of the same format.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { from, lastValueFrom } from 'rxjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const load = (file) => import(new URL(`../dist/${file}`, import.meta.url).href);
const messageOf = (build) => {
  try {
    new build.AsyncAPIClient('not a url');
  } catch (error) {
    return error.message;
  }
  throw new Error('a bad baseUrl was accepted');
};

const saved = globalThis.process;
delete globalThis.process;
try {
  assert.equal(typeof process, 'undefined');
  const runtime = await load('browser/index.js');
  assert.match(messageOf(runtime), /not an absolute URL/, 'the runtime-NODE_ENV browser build, without process: full messages');
} finally {
  globalThis.process = saved;
}
const production = await load('browser/index.production.js');
assert.equal(messageOf(production), 'base-url', 'the production build: the short code');
// A request error in production: its class, the method and URL without the query, and a code.
const answering = (status) => (url, init) => from(init.selector(new Response(null, { status })));
const failed = await lastValueFrom(new production.AsyncAPIClient({ baseUrl: 'https://api.test', transport: answering(404) }).getJson('/x', { key: 's' })).catch((e) => e);
assert.equal(failed.name, 'HttpError');
assert.equal(failed.message, 'GET https://api.test/x: status 404');
const broken = new production.AsyncAPIClient({ baseUrl: 'https://api.test', transport: answering(503), retry: false }, production.withCircuitBreaker({ failureThreshold: 1 }));
await lastValueFrom(broken.getJson('/x')).catch(() => undefined);
const open = await lastValueFrom(broken.getJson('/x')).catch((e) => e);
assert.equal(open.message, 'GET https://api.test/x: circuit-open', 'a feature error in production: method and URL once, then its code');
// Checks that keep a request from running without its limits, or retrying at once, hold in production too.
const plain = new production.AsyncAPIClient({ baseUrl: 'https://api.test', transport: answering(200) });
const unenforced = await lastValueFrom(plain.getJson('/x', undefined, { deadline: 100 })).catch((e) => e);
assert.equal(unenforced.message, 'deadline', 'a per-request deadline without withDeadline() is refused in production');
const unchecked = await lastValueFrom(plain.getJson('/x', undefined, { schema: { '~standard': { version: 1, vendor: 'v', validate: (value) => ({ value }) } } })).catch((e) => e);
assert.equal(unchecked.message, 'schema', 'a schema without withValidation() is refused in production, not left unchecked');
const untold = await lastValueFrom(production.upload(plain, '/files', 'a')).catch((e) => e);
assert.equal(untold.message, 'onUploadProgress', 'upload() without withUploadProgress() is refused in production, not left without progress');
// Data that its schema refuses (issue 16): the class, method and URL without the query, and the code.
const json = (body) => (url, init) => from(init.selector(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })));
const numberOnly = { '~standard': { version: 1, vendor: 'check', validate: (value) => (typeof value === 'number' ? { value } : { issues: [{ message: 'not a number', path: [] }] }) } };
const validating = new production.AsyncAPIClient({ baseUrl: 'https://api.test', transport: json('x') }, production.withValidation());
const refused = await lastValueFrom(validating.getJson('/x', { key: 's' }, { schema: numberOnly })).catch((e) => e);
assert.equal(refused.name, 'ValidationError');
assert.equal(refused.message, 'GET https://api.test/x: invalid', 'a ValidationError in production');
assert.deepEqual(refused.issues, [{ message: 'not a number', path: [] }]);
let sent = false;
const counting = new production.AsyncAPIClient({ baseUrl: 'https://api.test', transport: (url, init) => ((sent = true), json(1)(url, init)) }, production.withValidation());
const notSchema = await lastValueFrom(counting.getJson('/x', undefined, { schema: { parse: () => 1 } })).catch((e) => e);
assert.equal(notSchema.message, 'schema', 'a schema that is no Standard Schema is refused in production');
assert.equal(sent, false, 'before anything is sent');
for (const retry of [{ maxDelay: -1 }, { factor: 0 }, { maxRetryAfter: Infinity }]) {
  assert.throws(() => new production.AsyncAPIClient({ baseUrl: 'https://api.test', retry }), { message: 'retry' }, JSON.stringify(retry));
}
assert.match(messageOf(await load('browser/index.development.js')), /not an absolute URL/, 'the development build: full messages');

// rx-api-client/testing as published, ESM and CommonJS: under the built client, a 503 retried in virtual time.
const { createRequire } = await import('node:module');
const { TestScheduler } = await import('rxjs/testing');
for (const [format, testing, main] of [
  ['ESM', await load('testing.js'), await load('index.js')],
  ['CommonJS', createRequire(import.meta.url)('../dist/testing.cjs'), createRequire(import.meta.url)('../dist/index.cjs')],
]) {
  const scheduler = new TestScheduler(assert.deepEqual);
  const api = testing.testTransport({ scheduler });
  api.on('GET', '/items', testing.statusReply(503), { body: [1] });
  const items = lastValueFrom(new main.AsyncAPIClient({ baseUrl: 'https://api.test', transport: api, scheduler }).getJson('/items'));
  await testing.settle(scheduler);
  assert.deepEqual(await items, [1], `${format} testing entry`);
  assert.deepEqual(api.requests.map((request) => request.time), [0, 2000], `${format} testing entry: virtual time`);
}

// rx-api-client/angular as published, ESM and CommonJS: it imports the package by name, and the client it
// provides is the main entry's own class (the token an app injects).
for (const [format, angular, main, core] of [
  ['ESM', await load('angular.js'), await load('index.js'), await import('@angular/core')],
  ['CommonJS', createRequire(import.meta.url)('../dist/angular.cjs'), createRequire(import.meta.url)('../dist/index.cjs'), createRequire(import.meta.url)('@angular/core')],
]) {
  const injector = core.Injector.create({ providers: [angular.provideApiClient({ baseUrl: 'https://api.test' }), angular.provideApiClientTesting()] });
  injector.get(angular.API_TEST_TRANSPORT).on('GET', '/items', { body: [2] });
  assert.ok(injector.get(main.AsyncAPIClient) instanceof main.AsyncAPIClient, `${format} angular entry: the main entry's class`);
  assert.deepEqual(await lastValueFrom(injector.get(main.AsyncAPIClient).getJson('/items')), [2], `${format} angular entry`);
}

// Both copies in one app (ESM and CommonJS, as a dual-package app can load them): a withInterceptors() of each on one
// client make one chain, and an error of one copy is never retried by the other's policy.
{
  const [esm, cjs] = [await load('index.js'), createRequire(import.meta.url)('../dist/index.cjs')];
  const seen = [];
  const tag = (name) => (request, next) => (seen.push(name), next(request));
  const api = (await load('testing.js')).testTransport().on('GET', '/items', { body: [3] });
  const client = new esm.AsyncAPIClient({ baseUrl: 'https://api.test', transport: api }, esm.withInterceptors(tag('esm')), cjs.withInterceptors(tag('cjs')));
  assert.deepEqual(await lastValueFrom(client.getJson('/items')), [3], 'ESM and CommonJS interceptors on one client');
  assert.deepEqual(seen, ['esm', 'cjs'], 'ESM and CommonJS withInterceptors() make one chain');
}

// Credentials made by one copy and sent by the other's client: the symbols they travel under are registered ones
// (Symbol.for), so an asyncAuth() function or a query-string API key of CommonJS is not read as empty headers by ESM.
{
  const [esm, cjs] = [await load('index.js'), createRequire(import.meta.url)('../dist/index.cjs')];
  const api = (await load('testing.js')).testTransport().on('GET', '/items', { body: [4] });
  const later = new esm.AsyncAPIClient({ baseUrl: 'https://api.test', transport: api, authHeaders: cjs.asyncAuth(() => Promise.resolve(cjs.bearerTokenAuth('t-cjs'))) });
  assert.deepEqual(await lastValueFrom(later.getJson('/items')), [4], 'ESM client, CommonJS asyncAuth()');
  const keyed = new esm.AsyncAPIClient({ baseUrl: 'https://api.test', transport: api, authHeaders: cjs.apiKeyAuth('k-cjs', { in: 'query', name: 'key' }) });
  await lastValueFrom(keyed.getJson('/items'));
  assert.deepEqual(
    api.requests.map((request) => [request.headers['authorization'], new URL(request.url).searchParams.get('key')]),
    [['Bearer t-cjs', null], [undefined, 'k-cjs']],
    'ESM client, CommonJS credentials: the token and the query-string key are sent',
  );
}

// Each build has its own side of the Node-only modules (package.json "imports" conditions): the browser builds the
// browser's (no redirect following of their own), the Node builds Node's.
{
  const text = (file) => readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
  const NODE_SIDE = 'with a Location that is not a valid URL';
  const BROWSER_SIDE = "the package's browser build follows no redirect where fetch shows them";
  for (const file of ['browser/index.development.js', 'browser/index.js']) {
    assert.ok(text(file).includes(BROWSER_SIDE) && !text(file).includes(NODE_SIDE), `dist/${file}: the browser side of the redirect code`);
  }
  assert.ok(text('index.js').includes(NODE_SIDE) && !text('index.js').includes(BROWSER_SIDE), 'dist/index.js: the Node side of the redirect code');
}

const resolved = execFileSync(process.execPath, ['--conditions=browser', '-p', "require.resolve('rx-api-client')"], { cwd: root, encoding: 'utf8' }).trim();
assert.match(resolved, /dist[\\/]index\.cjs$/, `require under the browser condition resolves to ${resolved}`);
console.log('builds: the browser build loads without process; production and development messages; require under browser is CommonJS; the testing and angular entries, ESM and CommonJS; ESM and CommonJS interceptors in one chain, and credentials of one sent by the other; the side of the redirect code of each build');
