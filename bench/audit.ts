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
import type { SshStats } from '../src/host/ssh.js';
import { fmt, record, stat, type Stat } from './lib.js';

// `runner audit` (purge, clobber, tools, puppet, processes) of N loopback sshd hosts against
// `ansible-playbook --check` of bench/ansible/audit.yml and against `parallel-ssh … true` (the SSH floor),
// runs alternated A B C A B C …, the same key exchange forced on every side. Needs root (users, sshd).
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_HOSTS ?? '10,25,50').split(',').map(Number);
const SIDES = (process.env.BENCH_SIDES ?? 'runner,ansible,script,floor').split(',');
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'all,no-tools').split(',') as Variant[];

interface Run {
  wallMs: number;
  /** CPU of the command and everything it started and reaped (the controller side) */
  clientCpuMs: number;
  /** CPU of the sshds and their sessions, everything run on the hosts included */
  hostCpuMs: number;
  rssKb: number;
}

/** One run of a side: wall time, and CPU on each side counted by cgroup (0 where there is none). */
async function measure(fleet: Fleet, side: Side, client: CpuGroup | undefined): Promise<Run> {
  await fleet.settle();
  const c0 = client?.usageMs() ?? 0;
  const h0 = fleet.hostsCpu?.usageMs() ?? 0;
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
  return { wallMs, clientCpuMs: (client?.usageMs() ?? 0) - c0, hostCpuMs: (fleet.hostsCpu?.usageMs() ?? 0) - h0, rssKb };
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
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
    for (const variant of VARIANTS) await benchVariant(fleet, n, variant, client);
  } finally {
    await fleet.stop();
    await removeGroup(client);
  }
}

async function benchVariant(fleet: Fleet, n: number, variant: Variant, client: CpuGroup | undefined): Promise<void> {
  console.log(`N = ${n}, ${variant === 'all' ? 'all five checks' : 'all but tools (no hg, no git)'}:`);
  const all = [runnerSide(fleet, n, variant), ansibleSide(fleet, n, variant), scriptSide(fleet, n, variant), floorSide(fleet, n)];
  const sides = all.filter((s) => SIDES.includes(s.name));
  // a warm-up each (page cache, hg's dirstate), and the proof that each side sees the fixture's drift
  for (const side of sides) {
    await measure(fleet, side, client);
    checkVerdicts(side, n, variant);
  }
  const before = hostsState(fleet);
  const loadBefore = load();
  const runs = new Map<string, Run[]>(sides.map((s) => [s.name, []]));
  for (let i = 0; i < RUNS; i++) for (const side of sides) runs.get(side.name)?.push(await measure(fleet, side, client));
  const changed = changedPaths(before, hostsState(fleet));
  if (changed.length) throw new Error(`${changed.length} paths changed during the runs, where every side must only read: ${changed.slice(0, 10).join(', ')}`);
  report(`audit.${n}${variant === 'all' ? '' : `.${variant}`}`, n, fleet, variant, runs, `${loadBefore} → ${load()}`);
}

function report(key: string, n: number, fleet: Fleet, variant: Variant, runs: Map<string, Run[]>, loadAvg: string): void {
  const figures: Record<string, { wallMs: Stat; clientCpuMs: Stat; hostCpuMs: Stat; peakRssMb: number }> = {};
  for (const [name, rs] of runs) {
    figures[name] = {
      wallMs: stat(rs.map((r) => r.wallMs)),
      clientCpuMs: stat(rs.map((r) => r.clientCpuMs)),
      hostCpuMs: stat(rs.map((r) => r.hostCpuMs)),
      peakRssMb: Math.round(Math.max(...rs.map((r) => r.rssKb)) / 1024),
    };
    const f = figures[name];
    console.log(`  ${name.padEnd(8)} ${fmt(f.wallMs)}; CPU: controller ${f.clientCpuMs.median} ms, hosts ${f.hostCpuMs.median} ms (medians); peak RSS ${f.peakRssMb} MB`);
  }
  const ratio = (a: string, b: string) => (figures[a] && figures[b] ? Math.round((figures[a].wallMs.median / figures[b].wallMs.median) * 100) / 100 : undefined);
  const perHost = runnerStats(fleet, variant);
  console.log(`  runner/ansible ${ratio('runner', 'ansible') ?? '-'}×, runner/floor ${ratio('runner', 'floor') ?? '-'}× (goal ≤ 1.25×), runner/script ${ratio('runner', 'script') ?? '-'}×; kex ${KEX}; load ${loadAvg}`);
  if (perHost) console.log(`  runner per host: ${perHost.roundTrips} round trips: ${perHost.shellOps} shell requests on ${perHost.execs} exec channels, ${perHost.sftpOps} SFTP requests; connect+auth ${fmt(perHost.connectMs)}`);
  record(key, { hosts: n, checks: variant, ...figures, runnerOverAnsible: ratio('runner', 'ansible'), runnerOverFloor: ratio('runner', 'floor'), runnerOverScript: ratio('runner', 'script'), goal: 1.25, kex: KEX, load: loadAvg, runnerPerHost: perHost });
}

function runnerStats(fleet: Fleet, variant: Variant) {
  const file = join(fleet.shared.root, `runner-${variant}`, 'stats.json');
  let per: SshStats[];
  try {
    per = Object.values(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
  const med = (xs: number[]) => stat(xs).median;
  const median = (k: keyof SshStats) => med(per.map((p) => p[k]));
  return { connectMs: stat(per.map((p) => p.connectMs)), roundTrips: median('roundTrips'), execs: median('execs'), shellOps: median('shellOps'), sftpOps: median('sftpOps') };
}

ensureTools(SIDES);
console.log(`audit of N loopback hosts: ${SIDES.join(' vs ')}; ${RUNS} runs each, alternated; kex ${KEX}; load ${load()}`);
for (const n of SIZES) await benchFleet(n);
