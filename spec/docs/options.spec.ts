import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/core/constants.js';
import { CLIENT_OPTIONS, FEATURE_OPTIONS, REQUEST_OPTIONS } from '../../src/core/suggest.js';

const page = readFileSync(new URL('../../docs/options.md', import.meta.url), 'utf8');

/** The rows of the table whose header's first cell is `first`, as [option name, default cell]. */
function table(first: string): [string, string][] {
  const lines = page.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${first} |`));
  expect(start, `docs/options.md has no table headed "${first}"`).toBeGreaterThanOrEqual(0);
  const rows: [string, string][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i += 1) {
    const [name, value] = lines[i]!.split('|').slice(1, 3).map((cell) => cell.trim());
    rows.push([name!.replace(/`/g, ''), value!]);
  }
  return rows;
}

describe("docs/options.md's tables", () => {
  const client = table('option (`ClientOptions`)');
  const request = table('option (`RequestOptions`)');

  it('list every option the client accepts, and no other', () => {
    expect(client.map(([name]) => name).filter((name) => !name.startsWith('retry.')).sort()).toEqual([...CLIENT_OPTIONS].sort());
    // With the options a feature reads (schema, onInvalid: withValidation()), which the same table lists.
    expect(request.map(([name]) => name).sort()).toEqual([...REQUEST_OPTIONS, ...Object.keys(FEATURE_OPTIONS)].sort());
  });

  it('list every field of the retry policy', () => {
    const fields = client.filter(([name]) => name.startsWith('retry.')).map(([name]) => name.slice('retry.'.length));
    expect(fields.sort()).toEqual(Object.keys(DEFAULTS.retry).sort());
  });

  it('give the defaults that DEFAULTS holds', () => {
    const defaults: Record<string, unknown> = { ...DEFAULTS, ...Object.fromEntries(Object.entries(DEFAULTS.retry).map(([k, v]) => [`retry.${k}`, v])) };
    const checked = client.filter(([name]) => typeof defaults[name] === 'number' || typeof defaults[name] === 'string');
    expect(checked.length).toBeGreaterThanOrEqual(9);
    for (const [name, cell] of checked) {
      const value = defaults[name];
      const shown = typeof value === 'string' ? `\`'${value}'\`` : `\`${String(value)}\``;
      expect(cell.startsWith(shown), `${name}: "${cell}" should start with ${shown}`).toBe(true);
    }
  });
});
