import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshStats } from '../../src/host/ssh.js';
import { fmt, record, stat, type Stat } from '../lib.js';
import type { Variant } from './hosts.js';
import type { Fleet } from './index.js';
import { project } from './projection.js';
import { KEX } from './sides.js';

export interface Run {
  wallMs: number;
  /** CPU of the side's command and all it started (its cgroup): the controller */
  clientCpuMs: number;
  /** CPU of the sshds and all their sessions (their cgroup): everything run on the hosts */
  hostCpuMs: number;
  /** CPU of the central hg and git servers (their cgroup), and the look-ups they answered */
  remoteCpuMs: number;
  lookups: Record<'hg' | 'git', number>;
  rssKb: number;
}

interface Figures {
  wallMs: Stat;
  clientCpuMs: Stat;
  hostCpuMs: Stat;
  remoteCpuMs: Stat;
  /** of the last run */
  lookups: Record<'hg' | 'git', number>;
  peakRssMb: number;
}

const rows: string[] = [];
const variants = new Set<Variant>();

/** Prints one fleet size and variant, records it under `key` in bench/results.json, and keeps a table row. */
export function report(
  key: string,
  r: { n: number; variant: Variant; runs: Map<string, Run[]>; load: string; perHost: ReturnType<typeof runnerStats> },
): void {
  const figures: Record<string, Figures> = {};
  for (const [name, rs] of r.runs) {
    const f: Figures = {
      wallMs: stat(rs.map((x) => x.wallMs)),
      clientCpuMs: stat(rs.map((x) => x.clientCpuMs)),
      hostCpuMs: stat(rs.map((x) => x.hostCpuMs)),
      remoteCpuMs: stat(rs.map((x) => x.remoteCpuMs)),
      lookups: rs.at(-1)?.lookups ?? { hg: 0, git: 0 },
      peakRssMb: Math.round(Math.max(...rs.map((x) => x.rssKb)) / 1024),
    };
    figures[name] = f;
    console.log(
      `  ${name.padEnd(8)} ${fmt(f.wallMs)}; CPU: controller ${f.clientCpuMs.median} ms, hosts ${f.hostCpuMs.median} ms, remotes ${f.remoteCpuMs.median} ms (medians); remote look-ups: hg ${f.lookups.hg}, git ${f.lookups.git}; peak RSS ${f.peakRssMb} MB`,
    );
  }
  const ratio = (a: string, b: string) =>
    figures[a] && figures[b]
      ? Math.round((figures[a].wallMs.median / figures[b].wallMs.median) * 100) / 100
      : undefined;
  const ratios = {
    runnerOverAnsible: ratio('runner', 'ansible'),
    runnerOverFloor: ratio('runner', 'floor'),
    runnerOverScript: ratio('runner', 'script'),
    runnerOverBefore: ratio('runner', 'before'),
  };
  console.log(
    `  runner/ansible ${ratios.runnerOverAnsible ?? '-'}×, runner/floor ${ratios.runnerOverFloor ?? '-'}× (goal ≤ 1.25×), runner/script ${ratios.runnerOverScript ?? '-'}×${ratios.runnerOverBefore ? `, runner/before ${ratios.runnerOverBefore}×` : ''}; kex ${KEX}; load ${r.load}`,
  );
  const p = r.perHost;
  variants.add(r.variant);
  if (p)
    console.log(
      `  runner per host: ${p.roundTrips} round trips: ${p.shellOps} shell requests on ${p.execs} exec channels, ${p.sftpOps} SFTP requests; connect+auth ${fmt(p.connectMs)}`,
    );
  record(key, {
    hosts: r.n,
    checks: r.variant,
    ...figures,
    ...ratios,
    goal: 1.25,
    kex: KEX,
    load: r.load,
    runnerPerHost: p,
  });
  const s = (name: string) =>
    figures[name]
      ? `${(figures[name].wallMs.median / 1000).toFixed(2)} s (${(figures[name].wallMs.min / 1000).toFixed(2)}–${(figures[name].wallMs.max / 1000).toFixed(2)})`
      : '-';
  const x = (v: number | undefined) => (v === undefined ? '-' : `${v}×`);
  rows.push(
    `| ${r.n} | ${r.variant === 'all' ? 'all five' : 'all but tools'} | ${s('runner')} | ${s('ansible')} | ${s('script')} | ${s('floor')} | ${x(ratios.runnerOverAnsible)} | ${x(ratios.runnerOverFloor)} | ${x(ratios.runnerOverScript)} | ${r.load} |`,
  );
}

/** The Markdown table of every size and variant run, medians with min–max. */
export function printTable(): void {
  console.log(`\nkey exchange ${KEX} on every side\n`);
  console.log(
    '| hosts | checks | runner | ansible --check | script | floor | runner/ansible | runner/floor | runner/script | load avg |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  for (const variant of variants) project(variant);
}

/** Medians of runner's per-host SSH figures (--stats) of its last run. */
export function runnerStats(fleet: Fleet, variant: Variant) {
  let per: SshStats[];
  try {
    per = Object.values(JSON.parse(readFileSync(join(fleet.shared.root, `runner-${variant}`, 'stats.json'), 'utf8')));
  } catch {
    return undefined;
  }
  const median = (k: keyof SshStats) => stat(per.map((x) => x[k])).median;
  return {
    connectMs: stat(per.map((x) => x.connectMs)),
    roundTrips: median('roundTrips'),
    execs: median('execs'),
    shellOps: median('shellOps'),
    sftpOps: median('sftpOps'),
  };
}
