// npm run soak: the full soak, 50,000 requests at concurrency 100 with 20% of
// the responses faulted (seeded). Options: --requests=N --concurrency=N --seed=N --rate=R --checkpoints=N.
// Exits 1 and says why when anything is lost, left over or growing.
import { parseArgs } from 'node:util';
import { runSoak, soakProblems, type SoakOptions } from './support/soak.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '100' },
    seed: { type: 'string', default: '7' },
    rate: { type: 'string', default: '0.2' },
    checkpoints: { type: 'string', default: '10' },
  },
});
const options: SoakOptions = {
  requests: Number(values.requests),
  concurrency: Number(values.concurrency),
  seed: Number(values.seed),
  rate: Number(values.rate),
  checkpoints: Number(values.checkpoints),
  onCheckpoint: (checkpoint, report) =>
    console.log(
      `checkpoint ${checkpoint + 1}: ${report.requests} requests started in ${(report.durationMs / 1000).toFixed(1)} s, ` +
        `memory after GC ${report.memoryMiB.at(-1)} MiB, ${report.mismatchCount} mismatches`,
    ),
};

console.log(`soak: ${options.requests} requests, concurrency ${options.concurrency}, ${options.rate * 100}% faulted, seed ${options.seed}`);
const report = await runSoak(options);
const table = (map: ReadonlyMap<string, number>) => [...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');
console.log(`injected: ${table(report.injected)}`);
console.log(`outcomes: ${table(report.seen)}`);
console.log(`expected: ${table(report.expected)}`);
console.log(
  `unhandled rejections ${report.unhandledRejections}, timers left ${report.leftoverTimers}, ` +
    `server requests open ${report.openResponsesAtEnd}, sockets at the end ${report.socketsAtEnd}, ` +
    `handles left after close ${report.leftoverHandles}, memory after GC ${report.memoryMiB.join(' → ')} MiB`,
);
const problems = soakProblems(report, options);
if (problems.length > 0) {
  console.error(`FAILED:\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
} else {
  console.log(`passed in ${(report.durationMs / 1000).toFixed(1)} s`);
}
