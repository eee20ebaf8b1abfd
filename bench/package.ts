import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWorker, workerConfig } from '../fixtures/worker.js';
import { RUNNER, fmt, loadAverage, record, stat, timeCommand, type Stat } from './lib.js';

// The two installed forms side by side (issue 15): the npm tarball's launcher on the machine's node (what
// `npm install -g` and a `Depends: nodejs` package would run) against the .deb's single executable
// (dist/sea/runner, `node scripts/sea.mjs`), each for `--help` and `check` of a small worker, with bare
// `node -e 0` as the floor; all run in turn, RUNS times each.
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const SEA = fileURLToPath(new URL('../sea/runner', import.meta.url));
if (!existsSync(SEA)) throw new Error(`no ${SEA}: run node scripts/sea.mjs (npm run bench:package does)`);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-package-'));

try {
  const config = join(root, 'runner.yaml');
  writeFileSync(config, workerConfig(makeWorker(root, { dirs: 12, maxDirBytes: 20_000 }), 1_000_000));
  const sides: Record<string, { argv: string[]; ok: number[] }> = {
    node: { argv: ['node', '-e', '0'], ok: [0] },
    'npm --help': { argv: ['node', RUNNER, '--help'], ok: [0] },
    'sea --help': { argv: [SEA, '--help'], ok: [0] },
    'npm check': { argv: ['node', RUNNER, 'check', '-c', config], ok: [0, 2] },
    'sea check': { argv: [SEA, 'check', '-c', config], ok: [0, 2] },
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let i = 0; i <= RUNS; i++) {
    for (const [name, side] of Object.entries(sides)) {
      const ms = timeCommand(side.argv, side.ok);
      // the first round warms the page cache
      if (i > 0) samples[name]?.push(ms);
    }
  }
  const stats = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stat(v)])) as Record<string, Stat>;
  const node = stats.node as Stat;
  const ratio = (s: Stat) => Math.round((s.median / node.median) * 100) / 100;
  console.log(`start-up of the installed forms, medians of ${RUNS} (load ${loadAverage()}):`);
  for (const [name, s] of Object.entries(stats))
    console.log(`  ${name.padEnd(10)} ${fmt(s)}${name === 'node' ? '' : `: ${ratio(s)}× node -e 0`}`);
  record('package', {
    ...stats,
    ratios: Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, ratio(s)])),
    load: loadAverage(),
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
