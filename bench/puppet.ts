import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools } from './fleet/setup.js';
import { RUNNER, cpuMs, fmt, loadAverage, record, stat, timeCommand, type Stat } from './lib.js';

// `runner check` with the puppet check given `summary:` only (at Debian's path, and at a temp path as the
// audit bench's hosts have it) against `summary:` and `lock:` both set, and with `args:` (runner must ask
// puppet). Debian's /var/cache/puppet is a tmpfs in a mount namespace of this bench's own: the machine's stays.
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const STATE = '/var/cache/puppet';
const self = fileURLToPath(import.meta.url);

if (process.env.RUNNER_BENCH_PUPPET_NS !== '1') {
  ensureTools(['puppet']);
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
  const summary = `${STATE}/public/last_run_summary.yaml`;
  const sides: [string, string, string[]][] = [
    ['summaryOnly', 'summary: only (Debian path)', config('summary', `summary: ${summary}`)],
    ['both', 'summary: and lock:', config('both', `summary: ${summary}, lock: ${STATE}/state/agent_disabled.lock`)],
    [
      'elsewhere',
      'summary: only (a temp path)',
      config('elsewhere', `summary: ${join(root, 'elsewhere', 'last_run_summary.yaml')}`),
    ],
    ['args', 'summary: and args: (asks puppet)', config('args', `summary: ${summary}, args: ['--color=false']`)],
  ];
  // one run of each side in turn, RUNS times, so machine drift hits all alike; CPU: runner and all it started
  const wall = sides.map((): number[] => []);
  const cpu = sides.map((): number[] => []);
  for (const [, , argv] of sides) timeCommand(argv);
  for (let i = 0; i < RUNS; i++) {
    sides.forEach(([, , argv], k) => {
      const c0 = cpuMs();
      wall[k]?.push(timeCommand(argv));
      cpu[k]?.push(cpuMs() - c0);
    });
  }
  const figures = Object.fromEntries(
    sides.map(([key], k) => [key, { wallMs: stat(wall[k] ?? []), cpuMs: stat(cpu[k] ?? []) }]),
  );
  const base = figures.both as { wallMs: Stat; cpuMs: Stat };
  console.log(`runner check, the puppet check alone, Debian's layout (load ${loadAverage()}):`);
  for (const [key, label] of sides) {
    const f = figures[key] as { wallMs: Stat; cpuMs: Stat; ratio?: number; cpuRatio?: number };
    f.ratio = Math.round((f.wallMs.median / base.wallMs.median) * 100) / 100;
    f.cpuRatio = Math.round((f.cpuMs.median / base.cpuMs.median) * 100) / 100;
    console.log(`  ${label.padEnd(34)} ${fmt(f.wallMs)}; CPU ${fmt(f.cpuMs)}; ${f.ratio}× / ${f.cpuRatio}× CPU`);
  }
  console.log('  (ratios against summary: and lock:; goal for summary: only ≤ 1.1×)');
  record('puppet.summaryOnly', { ...figures, goal: 1.1 });
} finally {
  rmSync(root, { recursive: true, force: true });
}
