import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuGroup, type CpuGroup } from './fleet/cgroup.js';
import { removeGroup, startFleet, type Fleet } from './fleet/index.js';
import { ensureTools } from './fleet/setup.js';
import { KEX, ansibleSide, floorSide, runnerSide, scriptSide, type Side } from './fleet/sides.js';
import { changedPaths, snapshot } from './fleet/snapshot.js';
import { checkVerdicts } from './fleet/verdicts.js';
import type { Variant } from './fleet/hosts.js';
import { printTable, report, runnerStats, type Run } from './fleet/report.js';

// `runner audit` (purge, clobber, tools, puppet, processes) of N loopback sshd hosts against
// `ansible-playbook --check` of bench/ansible/audit.yml and against `parallel-ssh … true` (the SSH floor),
// runs alternated A B C A B C …, the same key exchange forced on every side. Needs root (users, sshd).
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_HOSTS ?? '10,25,50').split(',').map(Number);
// BENCH_BEFORE=path/to/runner.cjs: a side "before", that build of runner, alternated with this one
const BEFORE = process.env.BENCH_BEFORE;
const SIDES = [...(process.env.BENCH_SIDES ?? 'runner,ansible,script,floor').split(','), ...(BEFORE ? ['before'] : [])];
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'all,no-tools').split(',') as Variant[];
// the variant without tools only where the goal is set, unless asked for more: Ansible takes minutes per run
const NO_TOOLS_AT = (process.env.BENCH_NO_TOOLS_HOSTS ?? '50').split(',').map(Number);

/** One run of a side: wall time, and CPU on each side counted by cgroup (0 where there is none). */
async function measure(fleet: Fleet, side: Side, client: CpuGroup | undefined): Promise<Run> {
  await fleet.settle();
  const c0 = client?.usageMs() ?? 0;
  const h0 = fleet.hostsCpu?.usageMs() ?? 0;
  const r0 = fleet.remotesCpu?.usageMs() ?? 0;
  const served0 = fleet.shared.remotes.served();
  // the command joins the client cgroup, then becomes GNU time (peak RSS) running the side; not spawnSync:
  // the event loop must go on draining the sshds' log pipes, or a chatty side (Ansible) blocks them all
  const argv = ['-c', 'echo $$ > "$0" && exec /usr/bin/time -f %M "$@"', client?.procs ?? '/dev/null', ...side.argv];
  const t0 = performance.now();
  const r = await run('sh', argv, side.env);
  const wallMs = performance.now() - t0;
  await side.after?.();
  if (!side.ok.includes(r.status ?? -1)) throw new Error(`${side.name} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  await fleet.settle();
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  const served = fleet.shared.remotes.served();
  return {
    wallMs,
    clientCpuMs: (client?.usageMs() ?? 0) - c0,
    hostCpuMs: (fleet.hostsCpu?.usageMs() ?? 0) - h0,
    remoteCpuMs: (fleet.remotesCpu?.usageMs() ?? 0) - r0,
    lookups: { hg: served.hg - served0.hg, git: served.git - served0.git },
    rssKb,
  };
}

/** The side's process group while it runs: an interrupted bench stops it, by its pid, with the fleet. */
let running: number | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (running) process.kill(-running, 'SIGTERM');
    // with a fleet up, its own handler stops it and exits
    if (process.listenerCount(sig) === 1) process.exit(130);
  });
}

function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env, detached: true });
    running = child.pid;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      running = undefined;
      resolve({ status, stderr });
    });
  });
}

/** Every host's state (its sshd dir aside): the runs must leave it as it was. */
function hostsState(fleet: Fleet): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of fleet.hosts) for (const d of ['builds', 'tools', 'puppet']) snapshot(join(h.dir, d), out);
  return out;
}

function load(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function benchFleet(n: number): Promise<void> {
  const fleet = await startFleet(n, 100);
  const client = cpuGroup(`client-${n}`);
  try {
    for (const variant of VARIANTS)
      if (variant === 'all' || NO_TOOLS_AT.includes(n)) await benchVariant(fleet, n, variant, client);
  } finally {
    await fleet.stop();
    await removeGroup(client);
  }
}

async function benchVariant(fleet: Fleet, n: number, variant: Variant, client: CpuGroup | undefined): Promise<void> {
  console.log(`N = ${n}, ${variant === 'all' ? 'all five checks' : 'all but tools (no hg, no git)'}:`);
  const all = [
    runnerSide(fleet, n, variant),
    ...(BEFORE ? [runnerSide(fleet, n, variant, BEFORE)] : []),
    ansibleSide(fleet, n, variant),
    scriptSide(fleet, n, variant),
    floorSide(fleet, n),
  ];
  const sides = all.filter((s) => SIDES.includes(s.name));
  // a warm-up (page cache, hg's dirstate) of the quick sides; Ansible's would take minutes and warm nothing more
  for (const side of sides) if (side.name !== 'ansible') await measure(fleet, side, client);
  const before = hostsState(fleet);
  const loadBefore = load();
  const runs = new Map<string, Run[]>(sides.map((s) => [s.name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const side of sides) {
      runs.get(side.name)?.push(await measure(fleet, side, client));
      // proof that each side saw the fixture's drift: a fast run that found nothing would prove nothing
      if (i === 0) checkVerdicts(side, n, variant);
    }
  }
  const changed = changedPaths(before, hostsState(fleet));
  if (changed.length)
    throw new Error(
      `${changed.length} paths changed during the runs, where every side must only read: ${changed.slice(0, 10).join(', ')}`,
    );
  report(`audit.${n}${variant === 'all' ? '' : `.${variant}`}`, {
    n,
    variant,
    runs,
    load: `${loadBefore} → ${load()}`,
    perHost: runnerStats(fleet, variant),
  });
}

ensureTools(SIDES);
console.log(
  `audit of N loopback hosts: ${SIDES.join(' vs ')}; ${RUNS} runs each, alternated; kex ${KEX}; load ${load()}`,
);
for (const n of SIZES) await benchFleet(n);
printTable();
