/**
 * What an app pays for the client: it imports AsyncAPIClient, getJson and
 * bearerTokenAuth, and a bundler (esbuild here) tree-shakes and minifies it.
 * rxjs excluded is the Angular case (the app has it already); included, it is
 * everything the client pulls in. Sizes are gzip level 9, in bytes.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const APP = `
import { AsyncAPIClient, bearerTokenAuth } from './src/index.ts';
const client = new AsyncAPIClient('https://api.example.com/v1', bearerTokenAuth(localStorage.getItem('token')));
client.getJson('/items', { page: 2 }).subscribe((items) => console.log(items));
`;

/** Issue 6's targets, 1 KB = 1024 bytes. */
export const SIZE_TARGETS = { ownCode: 3 * 1024, withRxjs: 10 * 1024 } as const;

/** The gzip size of the example app, bundled and minified, with `external` left out. */
export async function gzippedSize(external: string[]): Promise<number> {
  const result = await build({
    stdin: { contents: APP, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external,
    write: false,
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

/** Both sizes: our own code (rxjs external) and the app's whole bundle. */
export async function bundleSizes(): Promise<{ ownCode: number; withRxjs: number }> {
  return { ownCode: await gzippedSize(['rxjs', 'rxjs/*']), withRxjs: await gzippedSize([]) };
}
