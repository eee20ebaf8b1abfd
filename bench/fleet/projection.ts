import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { RESULTS, record, round as r, type Stat } from '../lib.js';

/** What one recorded fleet size says of runner: medians of its controller's and its hosts' CPU, its connects. */
interface Point {
  n: number;
  clientCpuMs: number;
  hostCpuMs: number;
  peakRssMb: number;
  connectMs: number;
}

/** The part of an `audit.N` record of bench/results.json read here. */
interface Recorded {
  hosts: number;
  runner?: { clientCpuMs: Stat; hostCpuMs: Stat; peakRssMb: number };
  runnerPerHost?: { connectMs: Stat };
}

const POOL = 5000;
const CONCURRENCY = 200;
const BUDGETS_S = [60, 300];

/** Least squares y = a + b·x. */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const b = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0) / sxx;
  return { a: Math.max(0, my - b * mx), b };
}

/** runner's figures of every fleet size of one variant in bench/results.json. */
function points(variant: string): Point[] {
  const all = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  const suffix = variant === 'all' ? '' : `.${variant}`;
  return Object.entries<Recorded>(all)
    .flatMap(([k, { hosts, runner, runnerPerHost }]) =>
      k === `audit.${hosts}${suffix}` && runner && runnerPerHost
        ? [
            {
              n: hosts,
              clientCpuMs: runner.clientCpuMs.median,
              hostCpuMs: runner.hostCpuMs.median,
              peakRssMb: runner.peakRssMb,
              connectMs: runnerPerHost.connectMs.median,
            },
          ]
        : [],
    )
    .sort((a, b) => a.n - b.n);
}

/**
 * The auditor projected to 5,000 hosts at concurrency k = 200: wall ≈ a + max(N·c / cores, ⌈N/k⌉·w), with a the
 * controller's start-up CPU and c its CPU per host (fit over the sizes run), and w one host's latency were it
 * on a CPU of its own: its share of the hosts' CPU, run on one core, plus connect+auth at the smallest size.
 */
export function project(variant: string): void {
  const ps = points(variant);
  if (ps.length < 2) {
    if (ps.length)
      console.log(`\nscale projection (${variant}): needs two fleet sizes or more to tell start-up from per-host cost`);
    return;
  }
  const cores = availableParallelism();
  const cpu = fit(
    ps.map((p) => p.n),
    ps.map((p) => p.clientCpuMs),
  );
  const rss = fit(
    ps.map((p) => p.n),
    ps.map((p) => p.peakRssMb),
  );
  const [small, large] = [ps[0] as Point, ps[ps.length - 1] as Point];
  const w = large.hostCpuMs / large.n + small.connectMs;
  const cpuBoundS = (POOL * cpu.b) / cores / 1000;
  const latencyBoundS = (Math.ceil(POOL / CONCURRENCY) * w) / 1000;
  const wallS = cpu.a / 1000 + Math.max(cpuBoundS, latencyBoundS);
  // above this concurrency the controller's CPU, not the hosts, sets the pace
  const saturation = Math.floor((cores * w) / cpu.b);
  const limits = BUDGETS_S.map((b) => ({ budgetS: b, hosts: Math.floor(((b * 1000 - cpu.a) * cores) / cpu.b) }));
  const rssAtK = Math.round(rss.a + rss.b * CONCURRENCY);
  console.log(
    `\nscale projection (${variant}): a = ${r(cpu.a)} ms controller start-up, c = ${r(cpu.b)} ms controller CPU per host (fit over N = ${ps.map((p) => p.n).join(', ')}), w = ${r(w)} ms per host, ${cores} cores`,
  );
  console.log(
    `  ${POOL} hosts at concurrency ${CONCURRENCY}: a + max(N·c/cores, ⌈N/k⌉·w) = ${r(cpu.a / 1000)} + max(${r(cpuBoundS)}, ${r(latencyBoundS)}) = ${r(wallS)} s, ${latencyBoundS >= cpuBoundS ? 'bound by the hosts' : "bound by the controller's CPU"}`,
  );
  console.log(
    `  the controller's CPU saturates above concurrency ${saturation}; peak RSS at concurrency ${CONCURRENCY} ≈ ${rssAtK} MB (${r(rss.a)} + ${r(rss.b)}·k)`,
  );
  console.log(
    `  one auditor is enough for ${limits.map((l) => `${l.hosts} hosts in ${l.budgetS} s`).join(', ')}; beyond that, split the inventory over auditors`,
  );
  record(`audit.projection.${variant}`, {
    cores,
    pool: POOL,
    concurrency: CONCURRENCY,
    startupCpuMs: r(cpu.a),
    cpuPerHostMs: r(cpu.b),
    hostMs: r(w),
    fromHosts: ps.map((p) => p.n),
    wallS: r(wallS),
    cpuBoundS: r(cpuBoundS),
    latencyBoundS: r(latencyBoundS),
    saturation,
    rssAtConcurrencyMb: rssAtK,
    limits,
  });
}
