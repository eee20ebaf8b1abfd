import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToolsCheckouts, makeToolsSources, toolsConfig } from '../fixtures/tools.js';
import { makeWorker, workerConfig } from '../fixtures/worker.js';
import { RUNNER, alternate, fmt, loadAverage, record, startStrays, stat, timeCommand } from './lib.js';

// Local figures of issue 2: `runner check` on a 200-dir worker, and purge's delete throughput against rm -rf.
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-local-'));

/** Wall time of `runner check` (node start-up included) on one config, median of RUNS. */
function checkWall(cfg: string, only?: string): ReturnType<typeof stat> {
  const argv = ['node', RUNNER, 'check', '-c', cfg, ...(only ? ['--only', only] : [])];
  timeCommand(argv, [0, 2]);
  return stat(Array.from({ length: RUNS }, () => timeCommand(argv, [0, 2])));
}

/** The realistic fixture: 200 build dirs with a clobber feed, an hg and a git tools checkout, 300 processes of a test user. */
async function checkPass(): Promise<void> {
  const w = makeWorker(join(root, 'check'), { dirs: 200, maxDirBytes: 200_000 });
  const tools = makeToolsCheckouts(root, makeToolsSources(root));
  const strays = await startStrays('rtest-bench', 300, '9999996');
  try {
    const cfg = join(root, 'check.yaml');
    const baseline = join(root, 'processes.baseline');
    const procs = `  - processes: { users: [rtest-bench], baseline: ${baseline} }\n`;
    writeFileSync(cfg, workerConfig(w, Math.round(w.bytes * 0.3)) + toolsConfig(tools) + procs);
    timeCommand(['node', RUNNER, 'apply', '-c', cfg, '--only', 'processes'], [2]);
    const nodeOnly = stat(Array.from({ length: RUNS }, () => timeCommand(['node', '-e', '0'])));
    const all = checkWall(cfg);
    const parts = Object.fromEntries(
      ['purge,clobber', 'tools', 'processes'].map((only) => [only, checkWall(cfg, only)]),
    );
    console.log(
      `runner check on the realistic fixture (200 build dirs + feed, hg + git tools, 300 processes of a test user), node start-up included: ${fmt(all)} (goal ≤ 500 ms; load ${loadAverage()})`,
    );
    for (const [only, s] of Object.entries(parts)) console.log(`  --only ${only}: ${fmt(s)}`);
    console.log(`  bare node start-up: ${fmt(nodeOnly)}`);
    record('local.check', { wallMs: all, parts, nodeStartMs: nodeOnly, goalMs: 500 });
  } finally {
    strays.stop();
  }
}

/** A base dir of `dirs` old build dirs with `files` small files each: deletion cost is per inode. */
function deleteTree(base: string, dirs: number, files: number): void {
  const old = (Date.now() - 30 * 86_400_000) / 1000;
  for (let d = 0; d < dirs; d++) {
    const dir = join(base, `build-${d}`);
    for (let s = 0; s < 5; s++) mkdirSync(join(dir, `sub${s}`), { recursive: true });
    for (let f = 0; f < files; f++) writeFileSync(join(dir, `sub${f % 5}`, `f${f}.o`), 'x'.repeat(1 + (f % 3) * 2000));
    utimesSync(dir, old, old);
  }
}

function purgeVsRm(): void {
  const proto = join(root, 'proto');
  deleteTree(proto, 100, 200);
  const cfg = join(root, 'purge.yaml');
  writeFileSync(cfg, `checks:\n  - purge: { dirs: [${join(root, 'victim-runner')}], max_age: 14d }\n`);
  const copy = (to: string) => {
    rmSync(to, { recursive: true, force: true });
    timeCommand(['cp', '-a', proto, to]);
    timeCommand(['sync']);
  };
  const { a, b } = alternate(
    Math.max(5, Math.ceil(RUNS / 2)),
    () => (copy(join(root, 'victim-runner')), timeCommand(['node', RUNNER, 'apply', '-c', cfg], [2])),
    () => (copy(join(root, 'victim-rm')), timeCommand(['sh', '-c', `rm -rf ${join(root, 'victim-rm')}/*`])),
  );
  const runner = stat(a);
  const rm = stat(b);
  const ratio = Math.round((rm.median / runner.median) * 100) / 100;
  console.log(
    `purge apply of 100 dirs / 20,000 files: runner ${fmt(runner)} vs rm -rf ${fmt(rm)}: throughput ratio ${ratio}× (goal ≥ 0.9×)`,
  );
  record('local.purgeVsRm', { runnerMs: runner, rmMs: rm, ratio, goal: 0.9, files: 20_000 });
}

try {
  await checkPass();
  purgeVsRm();
} finally {
  rmSync(root, { recursive: true, force: true });
}
