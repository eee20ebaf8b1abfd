import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorker, sendChange, type Master } from '../fixtures/buildbot/harness.js';
import { eventsOf, untilEvent, type Event } from './daemon-events.js';
import { RUNNER, fmt, loadAverage, record, round, stat } from './lib.js';

// Issue 14: turnaround (build finished → worker attached again) when the postflight purge frees 2 GB in 200,000
// files, deferred (renamed, deleted in the background while the next build runs) against synchronous deletion;
// and that next build's step time, with the background deletion running beside it and without.
const FILES = Number(process.env.BENCH_DELETE_FILES ?? 200_000);
const BYTES = Number(process.env.BENCH_DELETE_BYTES ?? 2_000_000_000);
/** builds per daemon run; the sides alternate run by run, BLOCKS runs each */
const RUNS = Number(process.env.BENCH_DELETE_RUNS ?? 3);
const BLOCKS = Number(process.env.BENCH_DELETE_BLOCKS ?? 2);

/** files the build's measured step writes, reads back and deletes (a compile-like mix of metadata, I/O and CPU) */
const STEP_FILES = Number(process.env.BENCH_STEP_FILES ?? 20_000);

// the build: first its measured step (in a dir of its own), then the tree the next purge deletes: FILES files of
// BYTES/FILES bytes, dated a month back so purge takes it by max_age; prints the step's start and end
const FILL = `
import hashlib, os, shutil, sys, time
tree, files, size, work, step, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
t0 = time.time()
os.makedirs(work)
for i in range(step):
    with open(os.path.join(work, 'o%05d' % i), 'wb') as f:
        f.write(os.urandom(4096))
h = hashlib.sha256()
for i in range(step):
    with open(os.path.join(work, 'o%05d' % i), 'rb') as f:
        h.update(f.read())
shutil.rmtree(work)
t1 = time.time()
data = b'o' * size
for i in range(files):
    d = os.path.join(tree, 'd%03d' % (i // 10000), 'e%03d' % (i // 200 % 50))
    if i % 200 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'f%03d.o' % (i % 200)), 'wb') as f:
        f.write(data)
old = time.time() - 30 * 86400
os.utime(tree, (old, old))
open(out, 'w').write('%f %f' % (t0, t1))
`;

interface Side {
  name: 'sync' | 'deferred';
  turnaroundMs: number[];
  /** the build's measured step, ms; for deferred, only steps that ran while the previous tree was being deleted */
  stepMs: number[];
  /** share of those builds' time the background deletion ran beside them */
  overlap: number[];
}

/** One daemon run of RUNS builds, each writing a tree that the postflight purge after it deletes (or defers). */
async function block(master: Master, root: string, side: Side, k: number): Promise<void> {
  const dir = join(root, `${side.name}-${k}`);
  const builds = join(root, 'builds');
  mkdirSync(builds, { recursive: true });
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const basedir = join(root, 'worker');
  const config = join(dir, 'runner.yaml');
  writeFileSync(
    config,
    [
      'checks:',
      `  - purge: { dirs: [${builds}], max_age: 7d, min_age: 1h }`,
      'lifecycle:',
      '  postflight: [purge]',
      `  worker: { basedir: ${basedir} }`,
      '  drain: { via: signal }',
      `  defer_deletes: ${side.name === 'deferred'}`,
      `  iterations: ${RUNS + 1}`,
      `  state_dir: ${stateDir}`,
      '',
    ].join('\n'),
  );
  const daemon = spawn(process.execPath, [RUNNER, 'daemon', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  daemon.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const gone = () => daemon.exitCode !== null;
  try {
    for (let i = 1; i <= RUNS; i++) {
      await untilEvent(
        stateDir,
        (e) => e.event === 'attached' && e.iteration === i,
        gone,
        () => err,
      );
      const step = join(dir, `step-${i}`);
      const mark = join(dir, `mark-${i}`);
      const run = join(dir, `run-${i}.sh`);
      writeFileSync(join(root, 'fill.py'), FILL);
      const tree = join(builds, `tree-${k}-${i}`);
      const args = [tree, FILES, Math.round(BYTES / FILES), join(dir, `work-${i}`), STEP_FILES, step];
      writeFileSync(run, `exec python3 ${join(root, 'fill.py')} ${args.join(' ')}\n`);
      await sendChange(master.port, { sleep: 0, run, mark });
      await untilEvent(
        stateDir,
        (e) => e.event === 'attached' && e.iteration === i + 1,
        gone,
        () => err,
      );
      side.turnaroundMs.push(eventTime(stateDir, 'attached', i + 1) - Number(readFileSync(mark, 'utf8')) * 1000);
      const [t0, t1] = readFileSync(step, 'utf8')
        .split(' ')
        .map((s) => Number(s) * 1000) as [number, number];
      const busy = deleting(eventsOf(stateDir), i, t0, t1);
      if (side.name === 'sync') side.stepMs.push(t1 - t0);
      else if (busy > 0) {
        side.stepMs.push(t1 - t0);
        side.overlap.push(busy / (t1 - t0));
      }
    }
    if (process.env.BENCH_TRACE) trace(eventsOf(stateDir));
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
}

function eventTime(stateDir: string, name: string, iteration: number): number {
  const e = eventsOf(stateDir).find((x) => x.event === name && x.iteration === iteration) as Event;
  return Date.parse(e.time);
}

/** ms of [t0, t1] during which iteration `n`'s background deletion ran (from its deleting to its deleted event). */
function deleting(events: Event[], n: number, t0: number, t1: number): number {
  const from = events.find((e) => e.event === 'deleting' && e.iteration === n);
  const to = events.find((e) => e.event === 'deleted' && e.iteration === n);
  if (!from) return 0;
  const end = to ? Date.parse(to.time) : t1;
  return Math.max(0, Math.min(t1, end) - Math.max(t0, Date.parse(from.time)));
}

/** The deferred-deletion bench: both sides alternating, BLOCKS daemon runs each. */
export async function deletesBench(master: Master, root: string): Promise<void> {
  const free = statfsSync(root);
  const need = 3 * BYTES * 1.3;
  if (free.bavail * free.bsize < need)
    throw new Error(
      `the deletion bench needs ${round(need / 1e9)} GB free where TMPDIR is (${root}); point TMPDIR elsewhere`,
    );
  await createWorker(join(root, 'worker'), master.port, { allowShutdown: 'signal' });
  const sync: Side = { name: 'sync', turnaroundMs: [], stepMs: [], overlap: [] };
  const deferred: Side = { name: 'deferred', turnaroundMs: [], stepMs: [], overlap: [] };
  for (let k = 1; k <= BLOCKS; k++) for (const side of [sync, deferred]) await block(master, root, side, k);
  const ts = stat(sync.turnaroundMs);
  const td = stat(deferred.turnaroundMs);
  const bs = stat(sync.stepMs);
  const bd = stat(deferred.stepMs);
  const size = `${round(BYTES / 1e9)} GB in ${FILES.toLocaleString('en')} files`;
  console.log(
    `turnaround with a postflight purge of ${size} (goal: deferred ≤ 2000 ms and ≥ 10× faster; load ${loadAverage()}):`,
  );
  console.log(`  synchronous deletion: ${fmt(ts)}`);
  console.log(`  deferred deletion:    ${fmt(td)}  → ${round(ts.median / td.median)}× faster`);
  const share = deferred.overlap.length
    ? round((100 * deferred.overlap.reduce((a, b) => a + b, 0)) / deferred.overlap.length)
    : 0;
  console.log(
    `the next build's step (${STEP_FILES.toLocaleString('en')} files of 4 KiB written, read back and hashed, deleted), time (goal: ≤ 1.2× without):`,
  );
  console.log(`  without a background deletion: ${fmt(bs)}`);
  console.log(`  beside one (it ran ${share}% of the step): ${fmt(bd)}  → ${round(bd.median / bs.median)}×`);
  record('daemon.deletes', {
    files: FILES,
    bytes: BYTES,
    stepFiles: STEP_FILES,
    syncMs: ts,
    deferredMs: td,
    speedup: round(ts.median / td.median),
    stepSyncMs: bs,
    stepDeferredMs: bd,
    stepRatio: round((100 * bd.median) / bs.median) / 100,
    overlapPercent: share,
    load: loadAverage(),
  });
}

/** BENCH_TRACE=1: each event's time after the previous one, to see where a turnaround goes. */
function trace(events: Event[]): void {
  let last = 0;
  for (const e of events) {
    const t = Date.parse(e.time);
    console.log(`  +${String(last ? t - last : 0).padStart(6)} ms  ${e.iteration} ${e.event}`);
    last = t;
  }
}
