// bench/size-features.ts cuts features out of the sources by anchors on today's code, to measure
// what each costs in the bundle. A change to src/ that moves an anchor would leave it failing
// only when someone runs it; here every cut is applied to the sources, alone and all at once.
import { readFile } from 'node:fs/promises';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { cutSource, EVERY_CUT, FEATURES } from '../bench/size-features.js';

const source = (file: string) => readFile(new URL(`../src/${file}`, import.meta.url), 'utf8');

/**
 * How many of the files a set of cuts edits come out changed; a stale anchor throws, naming the
 * feature and the file, and so does a cut file that is no longer TypeScript (a pattern that took too much).
 */
async function changedFiles(features: typeof FEATURES): Promise<number> {
  let changed = 0;
  for (const file of new Set(features.flatMap((feature) => Object.keys(feature.edits)))) {
    const original = await source(file);
    const cut = cutSource(features, file, original);
    await transform(cut, { loader: 'ts', sourcefile: `src/${file}` });
    if (cut !== original) changed += 1;
  }
  return changed;
}

describe('the feature cuts of bench/size-features.ts', () => {
  it.each(FEATURES.map((feature) => [feature.name.trim(), feature] as const))('still find their anchors in src/: %s', async (_name, feature) => {
    // Some files have nothing to cut for a feature that spans many (messages): one changed file at least.
    expect(await changedFiles([feature])).toBeGreaterThan(0);
  });

  it('apply all at once', async () => {
    expect(await changedFiles(EVERY_CUT)).toBeGreaterThan(10);
  });
});
