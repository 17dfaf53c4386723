// The published types, compiled as users compile them (issue 13): the packed package (`npm pack`, so only
// what is published) installed in a scratch project, and its .d.ts checked without skipLibCheck under
//   - a Node-only config: lib ES2022 and @types/node, no DOM library, ESM and CommonJS (NodeNext), the main
//     entry, rx-api-client/undici and rx-api-client/testing;
//   - a DOM config: lib ES2022 + DOM, no @types/node, as a browser app's bundler setup, with rx-api-client/xhr and rx-api-client/angular.
// The scratch project links rxjs, undici and @types/node from this repository's node_modules: nothing is
// downloaded. Run by `npm run test:package` after the build; exits 1 when either config fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--typescript <package>`: the compiler to use (default `typescript`; `typescript-min` is the oldest
// version the README says is supported, an alias in devDependencies).
const compiler = process.argv.includes('--typescript') ? process.argv[process.argv.indexOf('--typescript') + 1] : 'typescript';
const { version: compilerVersion } = JSON.parse(readFileSync(join(root, 'node_modules', compiler, 'package.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'rx-api-client-types-'));

// What a user writes: enough of the API that its types are used, not only loaded.
const USE_MAIN = `
const client = new AsyncAPIClient({ baseUrl: 'https://api.example.com', authHeaders: bearerTokenAuth('t') }, withEvents());
const body: RequestBody = new URLSearchParams({ q: 'lamp' });
client.request('POST', '/items', { body, headers: [['x-a', '1']] }).subscribe((response: Response) => response.status);
client.getJson<{ id: number }>('/items/1').subscribe((item) => item.id);
sse(client, '/events').subscribe((event) => event.data.length);
postJson<{ id: number }>(client, '/items', { name: 'lamp' }).subscribe((item) => item.id);
const failed = (error: unknown): boolean => isHttpError(error) && error.response.headers.get('x') !== null;
failed(undefined);
`;
const MAIN_IMPORTS = 'AsyncAPIClient, bearerTokenAuth, isHttpError, postJson, sse, withEvents, type RequestBody';
const USE_XHR = `
const uploads = new AsyncAPIClient({ baseUrl: 'https://api.example.com', transport: xhrTransport() }, withUploadProgress());
upload<{ id: string }>(uploads, '/files', new Blob(['a'])).subscribe((event) => (event.type === 'result' ? event.value.id : event.loaded));
`;
const USE_UNDICI = `new AsyncAPIClient({ baseUrl: 'https://api.example.com', transport: undiciTransport({ connections: 4 }) });\n`;
const TESTING_IMPORTS = "import { settle, statusReply, testTransport, type RecordedRequest } from 'rx-api-client/testing';";
const USE_TESTING = `
const api = testTransport();
api.on('GET', '/items', statusReply(503, { retryAfter: 1 }), { body: [] }, (request: RecordedRequest) => ({ body: request.params }));
new AsyncAPIClient({ baseUrl: 'https://api.test', transport: api }).getJson('/items').subscribe();
api.expectNone('/other');
const settled: Promise<void> = settle(api.scheduler);
settled.then(() => api.verify());
`;
// rx-api-client/angular: under the DOM config only, as Angular's own types need the DOM library.
const USE_ANGULAR = `
import { inject, InjectionToken, Injector } from '@angular/core';
import { API_TEST_TRANSPORT, provideApiClient, provideApiClientTesting } from 'rx-api-client/angular';
const BILLING = new InjectionToken<AsyncAPIClient>('billing');
const injector = Injector.create({
  providers: [provideApiClient(() => ({ baseUrl: inject(BILLING).baseUrl }), withEvents()), provideApiClient(BILLING, { baseUrl: 'https://b.test' }), provideApiClientTesting(api)],
});
injector.get(AsyncAPIClient).getJson<number[]>('/x').subscribe((values) => values.length);
injector.get(API_TEST_TRANSPORT).verify();
`;

const compilerOptions = (extra) => ({ target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, ...extra });
const configs = {
  node: {
    files: ['node.mts', 'node.cts'],
    compilerOptions: compilerOptions({ module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'] }),
  },
  dom: {
    files: ['dom.ts'],
    compilerOptions: compilerOptions({ module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] }),
  },
};

try {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const modules = join(scratch, 'node_modules');
  const installed = join(modules, 'rx-api-client');
  mkdirSync(installed, { recursive: true });
  execFileSync('sh', ['-c', `tar xzf "${scratch}"/rx-api-client-*.tgz -C "${installed}" --strip-components=1`]);
  mkdirSync(join(modules, '@types'));
  mkdirSync(join(modules, '@angular'));
  for (const name of ['rxjs', 'undici', 'undici-types', '@types/node', '@angular/core', 'tslib']) symlinkSync(join(root, 'node_modules', name), join(modules, name));

  writeFileSync(join(scratch, 'node.mts'), `import { ${MAIN_IMPORTS} } from 'rx-api-client';\nimport { undiciTransport } from 'rx-api-client/undici';\n${TESTING_IMPORTS}\n${USE_MAIN}${USE_UNDICI}${USE_TESTING}`);
  writeFileSync(join(scratch, 'node.cts'), `import { ${MAIN_IMPORTS} } from 'rx-api-client';\nimport { undiciTransport } from 'rx-api-client/undici';\n${TESTING_IMPORTS}\n${USE_MAIN}${USE_UNDICI}${USE_TESTING}`);
  writeFileSync(join(scratch, 'dom.ts'), `import { ${MAIN_IMPORTS}, upload, withUploadProgress } from 'rx-api-client';\nimport { xhrTransport } from 'rx-api-client/xhr';\n${TESTING_IMPORTS}\n${USE_MAIN}${USE_XHR}${USE_TESTING}${USE_ANGULAR}`);

  let failed = false;
  for (const [name, config] of Object.entries(configs)) {
    const file = join(scratch, `tsconfig.${name}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', compiler, 'bin/tsc'), '-p', file], { cwd: scratch, encoding: 'utf8', stdio: 'pipe' });
      console.log(`types: the packed package compiles with TypeScript ${compilerVersion} under the ${name} config (${config.compilerOptions.lib.join(' + ')}${config.compilerOptions.types.length ? ' + @types/node' : ''}, no skipLibCheck)`);
    } catch (error) {
      failed = true;
      console.error(`types: the packed package does not compile with TypeScript ${compilerVersion} under the ${name} config:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
