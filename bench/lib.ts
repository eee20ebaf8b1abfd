import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RUNNER = fileURLToPath(new URL('../runner.mjs', import.meta.url));
export const RESULTS = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stat(samples: readonly number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median: round(median), min: round(s[0] as number), max: round(s[s.length - 1] as number), runs: s.length };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Wall time of one command in ms; throws when its exit code is not one of `ok`. */
export function timeCommand(argv: readonly string[], ok: readonly number[] = [0], env?: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  const ms = performance.now() - t0;
  if (!ok.includes(r.status ?? -1)) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Runs A and B alternately (A B A B …) so machine drift hits both sides alike. */
export function alternate(runs: number, a: () => number, b: () => number): { a: number[]; b: number[] } {
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < runs; i++) {
    out.a.push(a());
    out.b.push(b());
  }
  return out;
}

/** Merges this bench's figures into bench/results.json under `key`. */
export function record(key: string, value: unknown): void {
  const all = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  all[key] = { ...value as object, at: new Date().toISOString() };
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
}

export function fmt(s: Stat, unit = 'ms'): string {
  return `${s.median} ${unit} (min ${s.min}, max ${s.max}, n=${s.runs})`;
}

/** CPU ms used so far by this process and its reaped children: a probe's own cost, whatever the load. */
export function cpuMs(): number {
  const own = process.cpuUsage();
  // after "pid (comm) ", fields[0] is field 3 (state) of proc(5): cutime (16) and cstime (17) are fields[13] and [14]
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[13]) + Number(fields[14]); // in clock ticks (100 Hz)
  return (own.user + own.system) / 1000 + ticks * 10;
}
