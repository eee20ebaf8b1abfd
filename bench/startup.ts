import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorker, workerConfig } from '../fixtures/worker.js';
import { RUNNER, fmt, loadAverage, record, stat, timeCommand, type Stat } from './lib.js';

// runner's own start-up (issue 13): `--help`, `checks` and `check` of a small worker against bare `node -e 0`,
// all run in turn, RUNS times each, so machine drift hits every side alike.
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-startup-'));

try {
  const worker = makeWorker(root, { dirs: 12, maxDirBytes: 20_000 });
  const config = join(root, 'runner.yaml');
  writeFileSync(config, workerConfig(worker, 1_000_000));
  const sides: Record<string, { argv: string[]; ok: number[] }> = {
    node: { argv: ['node', '-e', '0'], ok: [0] },
    help: { argv: ['node', RUNNER, '--help'], ok: [0] },
    checks: { argv: ['node', RUNNER, 'checks'], ok: [0] },
    check: { argv: ['node', RUNNER, 'check', '-c', config], ok: [0, 2] },
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
  console.log(`start-up, medians of ${RUNS} (load ${loadAverage()}):`);
  for (const [name, s] of Object.entries(stats))
    console.log(`  ${name.padEnd(7)} ${fmt(s)}${name === 'node' ? '' : `: ${ratio(s)}× node -e 0`}`);
  record('startup', {
    ...stats,
    ratios: Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, ratio(s)])),
    load: loadAverage(),
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
