import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorker, workerConfig } from '../fixtures/worker.js';
import { RUNNER, startupVersusNode } from './lib.js';

// runner's own start-up (issue 13): `--help`, `checks` and `check` of a small worker against bare `node -e 0`,
// all run in turn, RUNS times each, so machine drift hits every side alike.
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-startup-'));

try {
  const worker = makeWorker(root, { dirs: 12, maxDirBytes: 20_000 });
  const config = join(root, 'runner.yaml');
  // a target purge can reach (30 % of the dirs' bytes): an unreachable one is a failure, exit 6
  writeFileSync(config, workerConfig(worker, Math.round(worker.bytes * 0.3)));
  const sides: Record<string, { argv: string[]; ok: number[] }> = {
    node: { argv: ['node', '-e', '0'], ok: [0] },
    help: { argv: ['node', RUNNER, '--help'], ok: [0] },
    checks: { argv: ['node', RUNNER, 'checks'], ok: [0] },
    check: { argv: ['node', RUNNER, 'check', '-c', config], ok: [0, 2] },
  };
  startupVersusNode('startup', 'start-up', sides, RUNS);
} finally {
  rmSync(root, { recursive: true, force: true });
}
