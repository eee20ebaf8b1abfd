import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWorker, workerConfig } from '../fixtures/worker.js';
import { RUNNER, startupVersusNode } from './lib.js';

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
  const worker = makeWorker(root, { dirs: 12, maxDirBytes: 20_000 });
  // a target purge can reach (30 % of the dirs' bytes): an unreachable one is a failure, exit 6
  writeFileSync(config, workerConfig(worker, Math.round(worker.bytes * 0.3)));
  const sides: Record<string, { argv: string[]; ok: number[] }> = {
    node: { argv: ['node', '-e', '0'], ok: [0] },
    'npm --help': { argv: ['node', RUNNER, '--help'], ok: [0] },
    'sea --help': { argv: [SEA, '--help'], ok: [0] },
    'npm check': { argv: ['node', RUNNER, 'check', '-c', config], ok: [0, 2] },
    'sea check': { argv: [SEA, 'check', '-c', config], ok: [0, 2] },
  };
  startupVersusNode('package', 'start-up of the installed forms', sides, RUNS);
} finally {
  rmSync(root, { recursive: true, force: true });
}
