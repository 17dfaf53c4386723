import { describe, expect, it } from 'vitest';
import { progressBar } from './progress-bar.js';

const MiB = 1024 * 1024;
const sink = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, out: { isTTY, write: (text: string) => written.push(text) } };
};

describe('the demo progress bar', () => {
  it('redraws one line in place on a TTY', () => {
    const { written, out } = sink(true);
    const bar = progressBar(out);
    bar.update({ type: 'download', loaded: 0, total: 8 * MiB, attempt: 1 });
    bar.update({ type: 'download', loaded: 4 * MiB, total: 8 * MiB, attempt: 1 });
    bar.end('cancelled');
    expect(written.every((text) => text.startsWith('\r'))).toBe(true);
    expect(written.slice(0, -1).some((text) => text.includes('\n'))).toBe(false);
    expect(written.at(-1)).toContain('50% 4.0 / 8.0 MiB cancelled');
    expect(written.at(-1)!.endsWith('\n')).toBe(true);
  });

  it('writes plain lines at each quarter otherwise, and says which attempt a retry is', () => {
    const { written, out } = sink(false);
    const bar = progressBar(out);
    for (let loaded = 0; loaded <= 8 * MiB; loaded += MiB) bar.update({ type: 'download', loaded, total: 8 * MiB, attempt: 2 });
    bar.end('done');
    expect(written).toHaveLength(5);
    expect(written.every((text) => text.endsWith('\n') && !text.includes('\r'))).toBe(true);
    expect(written.map((text) => text.match(/(\d+)%/)![1])).toEqual(['0', '25', '50', '75', '100']);
    expect(written[0]).toContain('retrying (2/3)');
  });
});
