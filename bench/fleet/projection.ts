import { availableParallelism } from 'node:os';
import { record } from '../lib.js';

/** One runner measurement of a fleet size: medians of the controller's CPU and of one host's own time. */
export interface Point {
  n: number;
  clientCpuMs: number;
  peakRssMb: number;
  /** one host's audit, connect to last result (median over hosts): its latency when it has a CPU of its own */
  hostMs: number;
}

const POOL = 5000;
const CONCURRENCY = 200;
const BUDGETS_S = [60, 300];

/** Least squares y = a + b·x; one point only: a = 0 (every cost counted per host, an upper bound). */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  if (n < 2 || sxx === 0) return { a: 0, b: my / mx };
  const b = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0) / sxx;
  return { a: Math.max(0, my - b * mx), b };
}

/**
 * The auditor's cost projected to a pool of 5,000 hosts at concurrency 200: wall ≈ a + max(N·c / cores, ⌈N/k⌉·w),
 * with a the controller's start-up CPU, c its CPU per host, w one host's own time (measured at the largest N,
 * where the hosts share this machine's CPU: an upper bound for hosts with CPUs of their own).
 */
export function project(variant: string, points: Point[]): void {
  if (!points.length) return;
  const cores = availableParallelism();
  const cpu = fit(points.map((p) => p.n), points.map((p) => p.clientCpuMs));
  const rss = fit(points.map((p) => p.n), points.map((p) => p.peakRssMb));
  const largest = points.reduce((m, p) => (p.n > m.n ? p : m));
  const w = largest.hostMs;
  const cpuBoundS = (POOL * cpu.b) / cores / 1000;
  const latencyBoundS = (Math.ceil(POOL / CONCURRENCY) * w) / 1000;
  const wallS = cpu.a / 1000 + Math.max(cpuBoundS, latencyBoundS);
  // above this concurrency the controller's CPU, not the hosts, sets the pace
  const saturation = Math.floor((cores * w) / cpu.b);
  const limits = BUDGETS_S.map((b) => ({ budgetS: b, hosts: Math.floor(((b * 1000 - cpu.a) * cores) / cpu.b) }));
  const rssAtK = Math.round(rss.a + rss.b * CONCURRENCY);
  const r = (x: number) => Math.round(x * 10) / 10;
  console.log(`\nscale projection (${variant}): controller start-up a = ${r(cpu.a)} ms CPU, c = ${r(cpu.b)} ms CPU per host (fit over N = ${points.map((p) => p.n).join(', ')}), w = ${r(w)} ms per host (N = ${largest.n}), ${cores} cores`);
  console.log(`  ${POOL} hosts at concurrency ${CONCURRENCY}: a + max(N·c/cores, ⌈N/k⌉·w) = ${r(cpu.a / 1000)} + max(${r(cpuBoundS)}, ${r(latencyBoundS)}) = ${r(wallS)} s; ${latencyBoundS >= cpuBoundS ? 'latency' : 'controller CPU'}-bound`);
  console.log(`  controller CPU saturates above concurrency ${saturation}; peak RSS at concurrency ${CONCURRENCY} ≈ ${rssAtK} MB (${r(rss.a)} + ${r(rss.b)}·k)`);
  console.log(`  one auditor is enough up to ${limits.map((l) => `${l.hosts} hosts per ${l.budgetS} s`).join(', ')}; beyond, split the inventory over auditors`);
  record(`audit.projection.${variant}`, { cores, pool: POOL, concurrency: CONCURRENCY, startupCpuMs: r(cpu.a), cpuPerHostMs: r(cpu.b), hostMs: r(w), fromHosts: points.map((p) => p.n), wallS: r(wallS), cpuBoundS: r(cpuBoundS), latencyBoundS: r(latencyBoundS), saturation, rssAtConcurrencyMb: rssAtK, limits });
}
