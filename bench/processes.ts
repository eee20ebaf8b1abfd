import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processes } from '../src/checks/processes/index.js';
import { parseSnapshot } from '../src/checks/processes/parse.js';
import { readSnapshot } from '../src/checks/processes/read.js';
import { SNAPSHOT_SCRIPT } from '../src/checks/processes/snapshot.js';
import { ProcessesOptions } from '../src/checks/processes/schema.js';
import { runMemo } from '../src/core/memo.js';
import type { Context } from '../src/core/types.js';
import { LocalHost } from '../src/host/local.js';
import { processes as fix } from '../src/remediations/processes.js';
import { cpuMs, fmt, record, stat } from './lib.js';

// The processes probe on this host with 300 extra processes of a test user: its own wall time (getent, one ps,
// parsing, selection), median of RUNS. Goal: ≤ 50 ms. The 300 run in a pid namespace of their own (visible to
// the host's ps like any other), so killing its init at the end removes every one of them.
const USER = 'rtest-build';
const COUNT = 300;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const MARKER = '9999997';

const ctx: Context = {
  mode: 'check',
  now: () => new Date(),
  signal: new AbortController().signal,
  log: () => {},
  fetchText: async () => '',
  once: runMemo(),
};
const host = new LocalHost();
const dir = mkdtempSync(join(tmpdir(), 'runner-bench-'));

function ensureUser(): void {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'pipe' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', USER], { stdio: 'pipe' });
  }
}

function countMine(): number {
  const out = execFileSync('ps', ['-e', '-o', 'args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l === `sleep ${MARKER}`).length;
}

/** CPU ms used so far by this process and its reaped children (ps, sh, getent): the probe's own cost, whatever the load. */
async function measure(key: string, label: string, fn: () => Promise<unknown>): Promise<void> {
  const wall: number[] = [];
  const cpu0 = cpuMs();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
  }
  const cpuMsPerRun = Math.round(((cpuMs() - cpu0) / RUNS) * 10) / 10;
  console.log(`${label.padEnd(40)} ${fmt(stat(wall))};  CPU ${cpuMsPerRun} ms/run`);
  record(`processes.${key}`, { wallMs: stat(wall), cpuMsPerRun, processes: COUNT, onHost: onHost(), goalMs: 50 });
}

function onHost(): number {
  return execFileSync('ps', ['-e', '-o', 'pid='], { encoding: 'utf8' }).trim().split('\n').length;
}

ensureUser();
const script = `for i in $(seq ${COUNT}); do sleep ${MARKER} & done; wait`;
const ns = spawn(
  'unshare',
  ['--pid', '--fork', '--mount-proc', '--kill-child', 'runuser', '-u', USER, '--', 'sh', '-c', script],
  { stdio: 'ignore' },
);
const stop = () => ns.kill('SIGKILL');
process.on('SIGINT', () => (stop(), process.exit(130)));
try {
  for (let i = 0; countMine() < COUNT; i++) {
    if (i > 400) throw new Error(`the ${COUNT} processes did not start`);
    await sleep(50);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `processes probe: ${COUNT} processes of ${USER} running, ${onHost()} on the host in all; ${RUNS} runs each; load ${load}; goal ≤ 50 ms`,
  );
  const strayOpts = ProcessesOptions.parse({ users: [USER], baseline: join(dir, 'empty.baseline'), min_age: '0s' });
  const okOpts = ProcessesOptions.parse({ users: [USER], baseline: join(dir, 'full.baseline'), min_age: '0s' });
  // a baseline recorded now: every process is in it (the usual case between jobs)
  const first = await processes.probe(host, okOpts, ctx);
  if (first.state === 'drift') await fix.apply(host, first.plan, okOpts, ctx);
  await measure('command', 'the one command (getent, stat, ps, exe links)', () => readSnapshot(host, [USER]));
  const out = (await host.run('sh', ['-c', SNAPSHOT_SCRIPT, 'sh', '1', USER])).stdout;
  await measure('parse', 'parse only', async () => parseSnapshot(out));
  await measure('probeOk', 'probe, all in the baseline (ok)', () => processes.probe(host, okOpts, ctx));
  // a baseline that predates them: all 300 are strays, the plan names each
  await fix.apply(
    host,
    {
      action: 'record',
      baseline: strayOpts.baseline,
      uids: [Number(execFileSync('id', ['-u', USER]))],
      entries: [],
      processes: 0,
    },
    strayOpts,
    ctx,
  );
  const drift = await processes.probe(host, strayOpts, ctx);
  if (drift.state !== 'drift' || drift.plan.action !== 'kill' || drift.plan.strays.length < COUNT)
    throw new Error(`expected ${COUNT} strays: ${drift.summary}`);
  await measure('probeStrays', `probe, ${COUNT} strays (drift: plan of ${COUNT})`, () =>
    processes.probe(host, strayOpts, ctx),
  );
} finally {
  stop();
  rmSync(dir, { recursive: true, force: true });
}
for (let i = 0; countMine() > 0; i++) {
  if (i > 200) throw new Error('bench processes still running after cleanup');
  await sleep(50);
}
console.log('cleaned up: none of the bench processes is left');
