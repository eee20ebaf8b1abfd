import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from './fleet/index.js';
import { KEX } from './fleet/sides.js';
import { RUNNER } from './lib.js';

// Where one host's remote CPU goes in `runner audit`: one loopback sshd host, each check alone (--only) and all
// together, the host's CPU by cgroup over TRACE_RUNS runs, then one run under strace counting the processes
// the sshd side started (every fork and exec costs). `node dist/bench/trace-host.js [all|no-tools]`, as root;
// TRACE_RUNNER=path/to/runner.cjs measures another build (e.g. a copy of dist/ made before a change).
const RUNS = Number(process.env.TRACE_RUNS ?? 10);
const variant = (process.argv[2] ?? 'no-tools') as 'all' | 'no-tools';
const CHECKS =
  variant === 'all'
    ? ['purge', 'clobber', 'tools', 'puppet', 'processes']
    : ['purge', 'clobber', 'puppet', 'processes'];

function audit(fleet: Fleet, only: string[] | undefined, pre: string[] = []): void {
  const argv = [
    ...pre,
    'node',
    process.env.TRACE_RUNNER ?? RUNNER,
    'audit',
    '-i',
    fleet.runnerInventory[variant],
    '--known-hosts',
    fleet.knownHosts,
    '--kex',
    KEX,
    '--format',
    'json',
    '-o',
    '/tmp/trace-host-report.json',
    ...(only ? ['--only', only.join(',')] : []),
  ];
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    env: { ...process.env, SSH_AUTH_SOCK: '' },
    encoding: 'utf8',
  });
  if (r.status !== 0 && r.status !== 2) throw new Error(`audit exited ${r.status}: ${r.stderr}`);
}

/** OpenSSH's client running `true` on the host: the connection alone. */
function floor(fleet: Fleet): void {
  const h = fleet.hosts[0] as Fleet['hosts'][number];
  const r = spawnSync('ssh', [
    ...['-i', fleet.shared.client.key, '-p', String(h.sshd.port), '-o', `UserKnownHostsFile=${fleet.knownHosts}`],
    ...['-o', 'BatchMode=yes', '-o', `KexAlgorithms=${KEX}`, '-o', 'IdentitiesOnly=yes'],
    `${fleet.shared.client.user}@${h.sshd.address}`,
    'true',
  ]);
  if (r.status !== 0) throw new Error(`ssh exited ${r.status}: ${r.stderr}`);
}

/** Median host CPU (ms) of one audit of the host with these checks. */
async function hostCpu(fleet: Fleet, only: string[] | undefined | 'floor'): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await fleet.settle();
    const h0 = fleet.hostsCpu?.usageMs() ?? 0;
    if (only === 'floor') floor(fleet);
    else audit(fleet, only);
    await fleet.settle();
    xs.push((fleet.hostsCpu?.usageMs() ?? 0) - h0);
  }
  xs.sort((a, b) => a - b);
  return Math.round(xs[Math.floor(xs.length / 2)] as number);
}

/** Every process the host's sshd started during one audit: their execs, by program, and the forks that exec'd nothing. */
async function traced(fleet: Fleet, out: string): Promise<void> {
  const sshd = fleet.hosts[0]?.sshd.proc.pid as number;
  const strace = spawn(
    'strace',
    ['-f', '-qq', '-e', 'trace=execve,clone,clone3,fork,vfork', '-e', 'signal=none', '-o', out, '-p', String(sshd)],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  audit(fleet, undefined);
  await fleet.settle();
  strace.kill('SIGINT');
  await new Promise((r) => strace.on('close', r));
  const lines = readFileSync(out, 'utf8').split('\n');
  const forks = lines.filter((l) => /\b(clone3?|v?fork)\(/.test(l) && !/CLONE_THREAD/.test(l)).length;
  const execs = lines.filter((l) => /execve\(/.test(l) && !/ENOENT/.test(l));
  const byProgram = new Map<string, number>();
  for (const l of execs) {
    const prog = /execve\("([^"]+)"/.exec(l)?.[1] ?? '?';
    byProgram.set(prog, (byProgram.get(prog) ?? 0) + 1);
  }
  console.log(`  one audit under strace: ${forks} forks, ${execs.length} execs`);
  for (const [p, n] of [...byProgram].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(3)} ${p}`);
}

const fleet = await startFleet(1, 200);
try {
  audit(fleet, undefined); // warm-up
  console.log(
    `one host, ${variant}, host CPU per audit (median of ${RUNS}), load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
  console.log(`  ssh … true (floor)  ${await hostCpu(fleet, 'floor')} ms`);
  for (const c of CHECKS) console.log(`  --only ${c.padEnd(10)} ${await hostCpu(fleet, [c])} ms`);
  console.log(`  all ${CHECKS.length} together   ${await hostCpu(fleet, undefined)} ms`);
  const out = join(fleet.shared.root, 'strace.txt');
  await traced(fleet, out);
  writeFileSync('/tmp/trace-host.txt', readFileSync(out));
} finally {
  await fleet.stop();
}
