import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNNER, alternate, cpuMs, fmt, loadAverage, record, stat, timeCommand } from './lib.js';

// `runner check` with the puppet check as configured in the README (`summary:` only) against `summary:` and
// `lock:` both set, and a summary outside puppet's layouts (where runner must ask puppet). Debian's state dir
// /var/cache/puppet is a tmpfs in a mount namespace of this bench's own, so the machine's is never touched.
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const STATE = '/var/cache/puppet';
const self = fileURLToPath(import.meta.url);

if (process.env.RUNNER_BENCH_PUPPET_NS !== '1') {
  if (spawnSync('sh', ['-c', 'command -v puppet'], { stdio: 'ignore' }).status !== 0)
    throw new Error('bench puppet needs Debian 12 puppet: apt-get install -y puppet');
  const env = { ...process.env, RUNNER_BENCH_PUPPET_NS: '1' };
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', process.execPath, self], {
    stdio: 'inherit',
    env,
  });
  process.exit(r.status ?? 1);
}

mkdirSync(STATE, { recursive: true });
timeCommand(['mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', STATE]);
const root = mkdtempSync(join(tmpdir(), 'runner-bench-puppet-'));
try {
  const fixture = fileURLToPath(new URL('../../fixtures/puppet/summary-converged.yaml', import.meta.url));
  const text = readFileSync(fixture, 'utf8').replace(/last_run: \d+/g, `last_run: ${Math.floor(Date.now() / 1000)}`);
  for (const dir of [`${STATE}/public`, `${STATE}/state`, join(root, 'elsewhere')]) mkdirSync(dir, { recursive: true });
  writeFileSync(`${STATE}/public/last_run_summary.yaml`, text);
  writeFileSync(join(root, 'elsewhere', 'last_run_summary.yaml'), text);

  const config = (name: string, opts: string) => {
    const file = join(root, `${name}.yaml`);
    writeFileSync(file, `checks:\n  - puppet: { ${opts} }\n`);
    return ['node', RUNNER, 'check', '-c', file];
  };
  const summaryOnly = config('summary', `summary: ${STATE}/public/last_run_summary.yaml`);
  const both = config(
    'both',
    `summary: ${STATE}/public/last_run_summary.yaml, lock: ${STATE}/state/agent_disabled.lock`,
  );
  const elsewhere = config('elsewhere', `summary: ${join(root, 'elsewhere', 'last_run_summary.yaml')}`);

  /** Wall ms of one run, and its CPU ms (runner and every process it started) into `cpu`. */
  const timed = (argv: string[], cpu: number[]) => () => {
    const c0 = cpuMs();
    const ms = timeCommand(argv);
    cpu.push(cpuMs() - c0);
    return ms;
  };
  timeCommand(summaryOnly);
  timeCommand(both);
  const cpu = { summaryOnly: [] as number[], both: [] as number[], elsewhere: [] as number[] };
  const { a, b } = alternate(RUNS, timed(summaryOnly, cpu.summaryOnly), timed(both, cpu.both));
  const far = Array.from({ length: Math.max(3, Math.ceil(RUNS / 2)) }, timed(elsewhere, cpu.elsewhere));
  const wall = { summaryOnly: stat(a), both: stat(b), elsewhere: stat(far) };
  const cpuStat = { summaryOnly: stat(cpu.summaryOnly), both: stat(cpu.both), elsewhere: stat(cpu.elsewhere) };
  const ratio = Math.round((wall.summaryOnly.median / wall.both.median) * 100) / 100;
  const cpuRatio = Math.round((cpuStat.summaryOnly.median / cpuStat.both.median) * 100) / 100;
  console.log(`runner check, puppet check only, Debian layout (load ${loadAverage()}):`);
  console.log(`  summary: only           ${fmt(wall.summaryOnly)}; CPU ${fmt(cpuStat.summaryOnly)}`);
  console.log(`  summary: and lock:      ${fmt(wall.both)}; CPU ${fmt(cpuStat.both)}`);
  console.log(`  summary: only, ratio    ${ratio}× wall, ${cpuRatio}× CPU (goal ≤ 1.1×)`);
  console.log(
    `  summary: outside puppet's layouts (asks puppet)  ${fmt(wall.elsewhere)}; CPU ${fmt(cpuStat.elsewhere)}`,
  );
  record('puppet.summaryOnly', { wallMs: wall, cpuMs: cpuStat, ratio, cpuRatio, goal: 1.1 });
} finally {
  rmSync(root, { recursive: true, force: true });
}
