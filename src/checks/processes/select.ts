import { matchesGlob } from '../../core/glob.js';
import { RunnerError } from '../../core/errors.js';
import { userName, type User } from '../../core/users.js';
import { isZombie } from './parse.js';
import { programOf, type Baseline, type BaselineEntry, type Proc, type Stray } from './schema.js';

/** In-scope processes sorted out: `counted` are compared with the baseline; zombies are only reported. */
export interface View {
  counted: Proc[];
  zombies: Proc[];
}

/**
 * Never touched: pid 1, the probe itself with its children and its ancestors (runner, whatever started it), the SSH session
 * the probe runs in with everything under it (other channels, sftp-server), and each `roots` pid with its descendants.
 */
export function protectedPids(procs: readonly Proc[], self: number, roots: readonly number[]): Set<number> {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  if (!byPid.has(self))
    throw new RunnerError(`reading processes: the probe (pid ${self}) is not in its own ps output: refusing to judge`);
  const chain: Proc[] = [];
  for (let p = byPid.get(self); p && !chain.includes(p); p = byPid.get(p.ppid)) chain.push(p);
  const session = chain.find((p) => p.args.startsWith('sshd:') && !p.args.includes('[listener]'));
  const shielded = new Set([1, ...chain.map((p) => p.pid)]);
  // the probe's own children (ps, grep, find) too
  for (const pid of descendants(procs, [self, ...roots, ...(session ? [session.pid] : [])])) shielded.add(pid);
  return shielded;
}

/** `roots` (those that exist) and every process below them. */
export function descendants(procs: readonly Proc[], roots: readonly number[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    // appended in place: copying the list per child was quadratic in a parent's children (300 strays under one sh)
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const known = new Set(procs.map((p) => p.pid));
  const found = new Set<number>();
  const todo = roots.filter((pid) => known.has(pid));
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    if (found.has(pid)) continue;
    found.add(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return found;
}

export function classify(
  procs: readonly Proc[],
  shielded: Set<number>,
  uids: readonly number[],
  allow: readonly AllowRule[],
): View {
  const counted: Proc[] = [];
  const zombies: Proc[] = [];
  for (const p of procs) {
    if (!uids.includes(p.uid) || shielded.has(p.pid)) continue;
    if (isZombie(p)) zombies.push(p);
    else if (!allow.some((rule) => isAllowed(p, rule))) counted.push(p);
  }
  return { counted, zombies };
}

/** An allow entry with the paths its program's executable may show: as written and as resolved on the host. */
export interface AllowRule {
  glob: string;
  program: string;
  exes: readonly string[];
}

export function allowRules(allow: readonly string[], exes: ReadonlyMap<string, readonly string[]>): AllowRule[] {
  return allow.map((glob) => {
    const program = programOf(glob);
    return { glob, program, exes: exes.get(program) ?? [program] };
  });
}

/**
 * The executable decides, not argv[0], which is whatever the process calls itself: the command line is matched
 * with its first word replaced by the program, and an unreadable exe is never allowed.
 */
export function isAllowed(p: Proc, rule: AllowRule): boolean {
  if (p.exe === undefined || !rule.exes.includes(p.exe)) return false;
  const space = p.args.indexOf(' ');
  return matchesGlob(space === -1 ? rule.program : rule.program + p.args.slice(space), rule.glob, { slash: true });
}

/** The baseline that `counted` would make: a count per user and command line. */
export function baselineOf(counted: readonly Proc[]): BaselineEntry[] {
  const counts = new Map<string, BaselineEntry>();
  for (const p of counted) {
    const k = `${p.uid}\0${p.args}`;
    const e = counts.get(k) ?? { uid: p.uid, args: p.args, count: 0 };
    e.count += 1;
    counts.set(k, e);
  }
  return [...counts.values()];
}

export function sameBaseline(a: Baseline, b: Baseline): boolean {
  const text = (x: Baseline) =>
    JSON.stringify([[...x.uids].sort(), x.entries.map((e) => `${e.count} ${e.uid} ${e.args}`).sort()]);
  return text(a) === text(b);
}

/** Processes beyond their command line's baseline count (the oldest keep the credit), old enough to judge. */
export function findStrays(counted: readonly Proc[], baseline: Baseline, minAgeMs: number): Proc[] {
  const credit = new Map(baseline.entries.map((e) => [`${e.uid}\0${e.args}`, e.count]));
  const strays: Proc[] = [];
  for (const p of [...counted].sort((a, b) => b.etimes - a.etimes || a.pid - b.pid)) {
    const k = `${p.uid}\0${p.args}`;
    const left = credit.get(k) ?? 0;
    if (left > 0) credit.set(k, left - 1);
    else if (p.etimes * 1000 >= minAgeMs) strays.push(p);
  }
  return strays.sort((a, b) => a.pid - b.pid);
}

/** Process groups whose every live member is stray: those are signalled as a whole (never group 0 or 1). */
export function wholeGroups(procs: readonly Proc[], strays: readonly Proc[]): number[] {
  const stray = new Set(strays.map((p) => p.pid));
  const groups = new Set(strays.map((p) => p.pgid).filter((g) => g > 1));
  for (const p of procs) if (groups.has(p.pgid) && !isZombie(p) && !stray.has(p.pid)) groups.delete(p.pgid);
  return [...groups].sort((a, b) => a - b);
}

/** The strays as the plan names them, each pinned by its start time (which every stray has: see `pinned`). */
export function toStrays(strays: readonly Proc[], groups: readonly number[], users: readonly User[]): Stray[] {
  return strays.map((p) => ({
    pid: p.pid,
    ppid: p.ppid,
    pgid: p.pgid,
    uid: p.uid,
    user: userName(users, p.uid),
    ageS: p.etimes,
    stat: p.stat,
    args: p.args,
    wholeGroup: groups.includes(p.pgid),
    start: p.start ?? -1,
  }));
}

/** Strays the probe read a start time for; one that started between that read and ps waits for the next run. */
export function pinned(strays: readonly Proc[]): { pinned: Proc[]; late: Proc[] } {
  return { pinned: strays.filter((p) => p.start !== undefined), late: strays.filter((p) => p.start === undefined) };
}

/** A zombie cannot be killed: it is reported with its parent, which must reap it (or die, so init does). */
export function zombieNotes(procs: readonly Proc[], zombies: readonly Proc[], strays: readonly Proc[]): string[] {
  return zombies.map((z) => {
    const parent = procs.find((p) => p.pid === z.ppid);
    const who = parent ? `parent ${parent.pid} (${clip(parent.args)})` : `parent ${z.ppid}`;
    const fate = strays.some((s) => s.pid === z.ppid)
      ? 'is stray and will be killed, which reaps it'
      : 'has not reaped it: nothing to kill';
    return `zombie ${z.pid} ${clip(z.args)}: its ${who} ${fate}`;
  });
}

export function clip(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
