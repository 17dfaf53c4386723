// The error guards across two copies of the package in one process: an app whose ESM code and a
// CommonJS dependency each load their own copy (the dual-package hazard). `instanceof` fails there;
// the guards must not. Both copies are built here as `npm run build` builds dist/ (tsup, the same
// options as tsup.config.ts's Node build), so the spec needs no build step before it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as source from '../../src/index.js';

type Package = typeof source;

const root = join(import.meta.dirname, '..', '..');
// Under the project, so that both copies find rxjs in its node_modules.
const cache = join(root, 'node_modules', '.cache');
let outDir: string;
let esm: Package;
let cjs: Package;

beforeAll(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(cache, { recursive: true });
  outDir = mkdtempSync(join(cache, 'guards-'));
  await build({
    config: false,
    silent: true,
    entry: { index: join(root, 'src/index.ts') },
    format: ['esm', 'cjs'],
    target: 'es2022',
    treeshake: true,
    external: ['rxjs', 'undici'],
    outDir,
  });
  esm = (await import(pathToFileURL(join(outDir, 'index.js')).href)) as Package;
  cjs = createRequire(import.meta.url)(join(outDir, 'index.cjs')) as Package;
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const target = { method: 'GET', url: 'https://h/x' };

/** One error of each class, made by the given copy of the package. */
function errorsOf(pkg: Package): Record<string, unknown> {
  return {
    HttpError: new pkg.HttpError(new Response(null, { status: 503 }), target, 1),
    NetworkError: new pkg.NetworkError(new TypeError('fetch failed'), target, 1),
    TimeoutError: new pkg.TimeoutError(1_000, target, 1),
    ParseError: new pkg.ParseError(undefined, 'x', 200, target, 1),
    BodyTooLargeError: new pkg.BodyTooLargeError({ maxBodySize: 1, receivedBytes: 2 }, 200, target, 1),
    RedirectError: new pkg.RedirectError('was redirected', target, 1),
    ConfigurationError: new pkg.ConfigurationError('bad'),
    BodyNotReplayableError: new pkg.BodyNotReplayableError(undefined, target, 1),
    TokenRefreshError: new pkg.TokenRefreshError(undefined, target, 1),
    CircuitOpenError: new pkg.CircuitOpenError(target, 1, 5_000),
  };
}

/** Each guard, by the class it recognises. */
function guardsOf(pkg: Package): Record<string, (error: unknown) => boolean> {
  return {
    HttpError: pkg.isHttpError,
    NetworkError: pkg.isNetworkError,
    TimeoutError: pkg.isTimeoutError,
    ParseError: pkg.isParseError,
    BodyTooLargeError: pkg.isBodyTooLargeError,
    RedirectError: pkg.isRedirectError,
    ConfigurationError: pkg.isConfigurationError,
    BodyNotReplayableError: pkg.isBodyNotReplayableError,
    TokenRefreshError: pkg.isTokenRefreshError,
    CircuitOpenError: pkg.isCircuitOpenError,
  };
}

describe('error guards across the ESM and CommonJS copies of the package', () => {
  it('are two copies: instanceof fails between them (what the guards must get past)', () => {
    expect(esm.HttpError).not.toBe(cjs.HttpError);
    expect(errorsOf(cjs).HttpError).not.toBeInstanceOf(esm.HttpError);
  });

  it.each([
    ['ESM', 'CommonJS'],
    ['CommonJS', 'ESM'],
    ['CommonJS', 'CommonJS'],
    ['ESM', 'ESM'],
  ])('a guard of the %s copy recognises an error of the %s copy, and only of its own class', (guarding, making) => {
    const copies: Record<string, Package> = { ESM: esm, CommonJS: cjs };
    const guards = guardsOf(copies[guarding]!);
    const errors = errorsOf(copies[making]!);
    for (const [guarded, guard] of Object.entries(guards)) {
      for (const [made, error] of Object.entries(errors)) {
        expect([guarded, made, guard(error)]).toEqual([guarded, made, guarded === made]);
      }
    }
  });

  it('recognise a subclass of a class, as instanceof does', () => {
    class NotFound extends cjs.HttpError {
      override get name(): string {
        return 'NotFound';
      }
    }
    const error = new NotFound(new Response(null, { status: 404 }), target, 1);
    expect(esm.isHttpError(error)).toBe(true);
    expect(esm.isNetworkError(error)).toBe(false);
  });

  it('do not take an error of another library for one of ours because of its name', () => {
    const lookalike = Object.assign(new Error('503'), { name: 'HttpError', status: 503 });
    class HttpError extends Error {
      override get name(): string {
        return 'HttpError';
      }
    }
    for (const guard of [esm.isHttpError, cjs.isHttpError, source.isHttpError]) {
      expect(guard(lookalike)).toBe(false);
      expect(guard(new HttpError())).toBe(false);
      expect(guard({ name: 'HttpError' })).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard('HttpError')).toBe(false);
    }
  });
});
