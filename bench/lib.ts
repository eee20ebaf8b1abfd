import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RUNNER = fileURLToPath(new URL('../runner.cjs', import.meta.url));
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

/** To one decimal, as every recorded figure. */
export function round(n: number): number {
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
  all[key] = { ...(value as object), at: new Date().toISOString() };
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

/** A test user for benches (created with useradd when missing); names start with rtest- so nothing real is touched. */
export function ensureBenchUser(user: string): number {
  if (!user.startsWith('rtest-')) throw new Error(`bench users must be named rtest-*: ${user}`);
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  if (id.status === 0) return Number(id.stdout.trim());
  spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', user], { stdio: 'ignore' });
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

/**
 * `count` sleeping processes of `user`, in a pid namespace of their own (the host's ps sees them like any
 * other); `stop()` kills the namespace's init, and with it every one of them.
 */
export async function startStrays(user: string, count: number, marker: string): Promise<{ stop(): void }> {
  ensureBenchUser(user);
  const script = `for i in $(seq ${count}); do sleep ${marker} & done; wait`;
  const ns = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child', 'runuser', '-u', user, '--', 'sh', '-c', script],
    { stdio: 'ignore' },
  );
  const stop = () => ns.kill('SIGKILL');
  process.once('exit', stop);
  for (let i = 0; running(marker) < count; i++) {
    if (i > 400) throw (stop(), new Error(`the ${count} processes did not start`));
    await new Promise((r) => setTimeout(r, 50));
  }
  return { stop };
}

function running(marker: string): number {
  const out = spawnSync('ps', ['-e', '-o', 'args='], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l === `sleep ${marker}`).length;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * Start-up against `node -e 0` (side `node`): every side once per round, in turn, so all see the same load; the
 * first round only warms the page cache. Prints and records medians and ratios under `name`.
 */
export function startupVersusNode(
  name: string,
  title: string,
  sides: Record<string, { argv: string[]; ok: number[] }>,
  runs: number,
): void {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let i = 0; i <= runs; i++)
    for (const [side, { argv, ok }] of Object.entries(sides)) {
      const ms = timeCommand(argv, ok);
      if (i > 0) samples[side]?.push(ms);
    }
  const stats = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stat(v)])) as Record<string, Stat>;
  const node = stats.node as Stat;
  const ratio = (s: Stat) => Math.round((s.median / node.median) * 100) / 100;
  const width = Math.max(...Object.keys(stats).map((k) => k.length));
  console.log(`${title}, medians of ${runs} (load ${loadAverage()}):`);
  for (const [side, s] of Object.entries(stats))
    console.log(`  ${side.padEnd(width)} ${fmt(s)}${side === 'node' ? '' : `: ${ratio(s)}× node -e 0`}`);
  const ratios = Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, ratio(s)]));
  record(name, { ...stats, ratios, load: loadAverage() });
}
