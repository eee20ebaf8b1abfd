import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorker, workerConfig } from '../fixtures/worker.js';
import { RUNNER, alternate, fmt, record, stat, timeCommand } from './lib.js';

// Local figures of issue 2: `runner check` on a 200-dir worker, and purge's delete throughput against rm -rf.
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-local-'));

function checkPass(): void {
  const w = makeWorker(join(root, 'check'), { dirs: 200, maxDirBytes: 200_000 });
  const cfg = join(root, 'check.yaml');
  writeFileSync(cfg, workerConfig(w, Math.round(w.bytes * 0.3)));
  timeCommand(['node', RUNNER, 'check', '-c', cfg], [2]);
  const samples = Array.from({ length: RUNS }, () => timeCommand(['node', RUNNER, 'check', '-c', cfg], [2]));
  const nodeOnly = Array.from({ length: RUNS }, () => timeCommand(['node', '-e', '0']));
  const s = stat(samples);
  console.log(`runner check, purge + clobber, 200 build dirs, with node start-up: ${fmt(s)}  (goal ≤ 500 ms; bare node start-up ${fmt(stat(nodeOnly))})`);
  record('local.check', { wallMs: s, nodeStartMs: stat(nodeOnly), goalMs: 500 });
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
  deleteTree(proto, 100, 400);
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
  console.log(`purge apply of 100 dirs / 40,000 files: runner ${fmt(runner)} vs rm -rf ${fmt(rm)}: throughput ratio ${ratio}× (goal ≥ 0.9×)`);
  record('local.purgeVsRm', { runnerMs: runner, rmMs: rm, ratio, goal: 0.9, files: 40_000 });
}

try {
  checkPass();
  purgeVsRm();
} finally {
  rmSync(root, { recursive: true, force: true });
}
