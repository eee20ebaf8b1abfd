import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorker, sendChange, startMaster, stopMaster, type Master } from '../fixtures/buildbot/harness.js';
import { makeWorker } from '../fixtures/worker.js';
import { freePort } from '../test/helpers/ports.js';
import { untilEvent } from './daemon-events.js';
import { deletesBench } from './deletes.js';
import { RUNNER, fmt, record, stat } from './lib.js';

// Issue 6: turnaround from a build finishing to the worker attached again (pre- and post-flight on the demo
// worker in between), for drain by shutdown.stamp and by SIGHUP; and the daemon's RSS over many iterations.
// Issue 14 (bench/deletes.ts): the same turnaround with 2 GB to delete, deferred against synchronous.
// `node dist/bench/daemon.js deletes` (npm run bench:deletes) runs only that part.
const ONLY_DELETES = process.argv[2] === 'deletes';
const STAMP_RUNS = Number(process.env.BENCH_STAMP_RUNS ?? 5);
const SIGNAL_RUNS = Number(process.env.BENCH_DAEMON_RUNS ?? 20);
// as deploy/runner.service runs it
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-daemon-'));

async function attachedAt(stateDir: string, iteration: number, exited: () => boolean): Promise<number> {
  const e = await untilEvent(stateDir, (x) => x.event === 'attached' && x.iteration === iteration, exited);
  return Date.parse(e.time);
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 102.4) / 10;
}

/** One daemon for `runs` iterations; each iteration gets one 1 s build. */
async function session(master: Master, via: 'stamp' | 'signal', runs: number) {
  const dir = join(root, via);
  const demo = makeWorker(join(dir, 'demo'), { dirs: 60 });
  const basedir = await createWorker(join(dir, 'worker'), master.port, {
    allowShutdown: via === 'stamp' ? 'file' : 'signal',
  });
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const config = join(dir, 'runner.yaml');
  writeFileSync(
    config,
    [
      'checks:',
      `  - clobber: { dir: ${demo.base}, feed: ${demo.feed}, host: ${demo.host} }`,
      `  - purge: { dirs: [${demo.base}], max_age: 21d, keep: [info, "rel-*:10d"], min_age: 1h }`,
      'lifecycle:',
      '  postflight: [purge]',
      `  worker: { basedir: ${basedir} }`,
      `  drain: { via: ${via} }`,
      `  iterations: ${runs + 1}`,
      `  state_dir: ${stateDir}`,
      '',
    ].join('\n'),
  );
  const daemon = spawn(process.execPath, [...NODE_FLAGS, RUNNER, 'daemon', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  daemon.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = () => daemon.exitCode !== null;
  const turnaround: number[] = [];
  const rss: number[] = [];
  try {
    for (let i = 1; i <= runs; i++) {
      await attachedAt(stateDir, i, exited).catch((e: Error) => {
        throw new Error(`${e.message}\n${err.slice(-2000)}`);
      });
      rss.push(rssMb(daemon.pid as number));
      const mark = join(dir, `mark-${i}`);
      await sendChange(master.port, { sleep: 1, mark });
      const again = await attachedAt(stateDir, i + 1, exited);
      turnaround.push(again - Number(readFileSync(mark, 'utf8')) * 1000);
    }
    rss.push(rssMb(daemon.pid as number));
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  return { turnaround, rss };
}

let master: Master | undefined;
try {
  master = await startMaster(join(root, 'master'), await freePort());
  if (!ONLY_DELETES) await turnaroundAndRss(master);
  const deletes = join(root, 'deletes');
  mkdirSync(deletes);
  await deletesBench(master, deletes);
} finally {
  if (master) await stopMaster(master);
  rmSync(root, { recursive: true, force: true });
}

async function turnaroundAndRss(master: Master): Promise<void> {
  const stamp = await session(master, 'stamp', STAMP_RUNS);
  const signal = await session(master, 'signal', SIGNAL_RUNS);
  const ts = stat(stamp.turnaround);
  const tg = stat(signal.turnaround);
  console.log(
    `turnaround, build finished → worker attached again, pre+postflight on the 60-dir demo worker (goal ≤ 10000 ms):`,
  );
  console.log(`  drain by shutdown.stamp: ${fmt(ts)}  (the worker polls the stamp every 10 s)`);
  console.log(`  drain by SIGHUP:         ${fmt(tg)}`);
  const r = signal.rss;
  const flags = NODE_FLAGS.join(' ') || 'none';
  console.log(
    `daemon RSS at each attach over ${SIGNAL_RUNS} iterations (node flags: ${flags}): first ${r[0]} MB, last ${r.at(-1)} MB, max ${Math.max(...r)} MB (goal ≤ 80 MB, no growth)`,
  );
  record('daemon.turnaround', { stampMs: ts, signalMs: tg, goalMs: 10_000 });
  record('daemon.rss', { mb: r, iterations: SIGNAL_RUNS, nodeFlags: flags, goalMb: 80 });
}
