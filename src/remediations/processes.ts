import { dirname } from 'node:path/posix';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBaseline, isZombie } from '../checks/processes/parse.js';
import { readPids, readSnapshot } from '../checks/processes/read.js';
import type { Proc, ProcessesOptions, ProcessesPlan, Stray } from '../checks/processes/schema.js';
import { clip, protectedPids } from '../checks/processes/select.js';
import { CommandError, RunnerError } from '../core/errors.js';
import type { Context, Host, Remediation } from '../core/types.js';

/** How long SIGKILL may take to land before a survivor is reported (D state: stuck in the kernel). */
const KILL_WAIT_MS = 3000;
const POLL_MS = 100;

export const processes: Remediation<ProcessesOptions, ProcessesPlan> = {
  id: 'processes',
  async apply(host, plan, opts, ctx) {
    if (plan.action === 'record') {
      const mkdir = await host.run('mkdir', ['-p', '--', dirname(plan.baseline)]);
      if (mkdir.exitCode !== 0) throw new CommandError(['mkdir', '-p', dirname(plan.baseline)], mkdir.exitCode, mkdir.stderr, 'recording the baseline');
      const note = `recorded ${ctx.now().toISOString()} on ${host.name}`;
      await host.writeFile(plan.baseline, formatBaseline({ uids: plan.uids, entries: plan.entries }, note), { mode: 0o600 });
      return `baseline recorded, ${plan.processes} processes`;
    }
    return kill(host, plan.strays, plan.groups, opts.grace, ctx);
  },
};

/** SIGTERM (a whole group at once when it is all stray), wait up to `grace`, SIGKILL the survivors, report what outlives that. */
async function kill(host: Host, strays: readonly Stray[], planned: readonly number[], graceMs: number, ctx: Context): Promise<string> {
  const snap = await readSnapshot(host);
  const shield = protectedPids(snap.procs, snap.self, []);
  const byPid = new Map(snap.procs.map((p) => [p.pid, p]));
  // only the very processes the probe saw: a pid reused since then is someone else
  const targets = strays.filter((s) => !shield.has(s.pid) && same(s, byPid.get(s.pid), ctx));
  if (targets.length === 0) return 'nothing to kill: the stray processes had already exited';
  const pids = new Set(targets.map((t) => t.pid));
  const groups = planned.filter((g) => g > 1 && snap.procs.every((p) => p.pgid !== g || isZombie(p) || pids.has(p.pid)));
  const singles = targets.filter((t) => !groups.includes(t.pgid)).map((t) => t.pid);
  const errors = [await signal(host, 'TERM', singles, groups)];
  // a stopped process acts on SIGTERM only once continued
  const stopped = targets.filter((t) => byPid.get(t.pid)?.stat.startsWith('T')).map((t) => t.pid);
  if (stopped.length) errors.push(await signal(host, 'CONT', stopped, []));
  let alive = await waitGone(host, targets, graceMs, ctx);
  const termed = targets.length - alive.length;
  if (alive.length) {
    const left = new Set(alive.map((a) => a.pid));
    const survivingGroups = groups.filter((g) => alive.some((a) => a.pgid === g));
    errors.push(await signal(host, 'KILL', [...left].filter((pid) => !survivingGroups.includes(byPid.get(pid)?.pgid ?? 0)), survivingGroups));
    alive = await waitGone(host, alive, KILL_WAIT_MS, ctx);
  }
  const parts = [`${termed} on SIGTERM`, ...(targets.length - alive.length > termed ? [`${targets.length - alive.length - termed} on SIGKILL`] : [])];
  if (groups.length) parts.push(`${groups.length} process ${groups.length === 1 ? 'group' : 'groups'} as a whole`);
  const done = `killed ${targets.length - alive.length} processes (${parts.join(', ')})`;
  if (alive.length === 0) return done;
  const why = errors.filter(Boolean).join('; ');
  const names = alive.map((a) => `${a.pid} (${a.stat}, ${a.user}: ${clip(a.args, 60)})`).join(', ');
  throw new RunnerError(`${done}; ${alive.length} survived SIGKILL: ${names}${why ? `; kill said: ${why}` : ''}`);
}

function same(s: Stray, p: Proc | undefined, ctx: Context): boolean {
  if (!p || isZombie(p) || p.uid !== s.uid || p.args !== s.args) return false;
  return Math.abs(ctx.now().getTime() - p.etimes * 1000 - s.startedAtMs) <= 2000;
}

/** One `kill` for every target; groups as negative ids. Returns its complaints (a pid already gone is not one). */
async function signal(host: Host, sig: string, pids: readonly number[], groups: readonly number[]): Promise<string> {
  if (pids.length + groups.length === 0) return '';
  // `kill -SIG -- …`: procps-ng 4.0's kill rejects `-s SIG -- -PGID`
  const r = await host.run('kill', [`-${sig}`, '--', ...pids.map(String), ...groups.map((g) => `-${g}`)]);
  return r.stderr.split('\n').filter((l) => l.trim() && !/no such process/i.test(l)).join('; ');
}

/** Polls until every target is gone (or a zombie), or `ms` passed; returns those still running. */
async function waitGone(host: Host, targets: readonly Stray[], ms: number, ctx: Context): Promise<Stray[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const live = await readPids(host, targets.map((t) => t.pid));
    const alive = targets.flatMap((t) => {
      const p = live.get(t.pid);
      return p && same(t, p, ctx) ? [{ ...t, stat: p.stat }] : [];
    });
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}
