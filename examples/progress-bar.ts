/**
 * A terminal progress bar for `examples/demo.ts`: redrawn in place on a TTY
 * (a carriage return, no new line), plain lines every 25 % otherwise (a log,
 * a pipe, CI), so that the output stays readable in both.
 */
import type { TransferProgress } from '../src/index.js';

export interface ProgressBar {
  /** Shows an event: the bar, its bytes, and "retrying (n/3)" from the second attempt. */
  update(event: TransferProgress): void;
  /** Ends the bar's line with a word (`cancelled`, `done`). */
  end(word: string): void;
}

const WIDTH = 30;

/**
 * A bar that writes to `out`.
 *
 * @param out where it writes: `process.stdout`, or anything with `write` (and `isTTY`)
 * @param maxAttempts the retry policy's attempts, for "retrying (2/3)"
 */
export function progressBar(out: { write(text: string): unknown; readonly isTTY?: boolean }, maxAttempts = 3): ProgressBar {
  let line = '';
  let step = -1;
  const render = ({ loaded, total, attempt }: TransferProgress): string => {
    const ratio = total ? loaded / total : 0;
    const filled = Math.round(ratio * WIDTH);
    const retrying = attempt > 1 ? ` retrying (${attempt}/${maxAttempts})` : '';
    const size = `${(loaded / 1024 / 1024).toFixed(1)}${total ? ` / ${(total / 1024 / 1024).toFixed(1)}` : ''} MiB`;
    return `  [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${total ? `${Math.floor(ratio * 100)}%`.padStart(4) : ''} ${size}${retrying}`;
  };
  return {
    update: (event) => {
      line = render(event);
      if (out.isTTY) {
        out.write(`\r${line}\u001b[K`);
        return;
      }
      const quarter = event.total ? Math.floor((event.loaded / event.total) * 4) : 0;
      // The last quarter is end()'s line.
      if (quarter > step && quarter < 4) {
        step = quarter;
        out.write(`${line}\n`);
      }
    },
    end: (word) => {
      out.write(out.isTTY ? `\r${line} ${word}\u001b[K\n` : `${line} ${word}\n`);
      line = '';
      step = -1;
    },
  };
}
