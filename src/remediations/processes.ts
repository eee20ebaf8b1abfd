import { dirname } from 'node:path/posix';
import { formatBaseline, isZombie } from '../checks/processes/parse.js';
import { snapshotArgv, snapshotOf } from '../checks/processes/snapshot.js';
import type { Proc, ProcessesOptions, ProcessesPlan, Stray } from '../checks/processes/schema.js';
import { clip, protectedPids } from '../checks/processes/select.js';
import { CommandError, RunnerError } from '../core/errors.js';
import type { Host, Remediation } from '../core/types.js';
import { untilGone } from '../host/kill.js';
import { signalRound } from './processes-signal.js';

/** How long SIGKILL may take to land before a survivor is reported (D state: stuck in the kernel). */
const KILL_WAIT_MS = 3000;
const POLL_MS = 100;

export const processes: Remediation<ProcessesOptions, ProcessesPlan> = {
  id: 'processes',
  async apply(host, plan, opts, ctx) {
    if (plan.action === 'record') {
      const mkdir = await host.run('mkdir', ['-p', '--', dirname(plan.baseline)]);
      if (mkdir.exitCode !== 0)
        throw new CommandError(
          ['mkdir', '-p', dirname(plan.baseline)],
          mkdir.exitCode,
          mkdir.stderr,
          'recording the baseline',
        );
      const note = `recorded ${ctx.now().toISOString()} on ${host.name}`;
      await host.writeFile(plan.baseline, formatBaseline({ uids: plan.uids, entries: plan.entries }, note), {
        mode: 0o600,
      });
      return `baseline recorded, ${plan.processes} processes`;
    }
    return kill(host, plan.strays, plan.groups, opts.grace);
  },
};

/** SIGTERM (a whole group at once when it is all stray), wait up to `grace`, SIGKILL the survivors, report what outlives that. */
async function kill(
  host: Host,
  strays: readonly Stray[],
  planned: readonly number[],
  graceMs: number,
): Promise<string> {
  const argv = snapshotArgv([], []);
  const snap = snapshotOf(await host.run('sh', argv), argv, [], []);
  const shield = protectedPids(snap.procs, snap.self, []);
  const byPid = new Map(snap.procs.map((p) => [p.pid, p]));
  // only the very processes the probe saw: a pid reused since then is someone else
  const live = strays.filter((s) => !shield.has(s.pid) && byPid.has(s.pid) && !isZombie(byPid.get(s.pid) as Proc));
  const moved = new Set(live.filter((s) => !same(s, byPid.get(s.pid))).map((s) => s.pid));
  const targets = live.filter((s) => !moved.has(s.pid));
  if (targets.length === 0) return `nothing to kill: the stray processes had already exited${leftAlone(moved)}`;
  const pids = new Set(targets.map((t) => t.pid));
  const groups = planned.filter(
    (g) => g > 1 && snap.procs.every((p) => p.pgid !== g || isZombie(p) || pids.has(p.pid)),
  );
  const rounds = [await signalRound(host, 'TERM', targets, groups)];
  for (const pid of rounds[0]?.moved ?? []) moved.add(pid);
  const pinned = targets.filter((t) => !moved.has(t.pid));
  // a stopped process acts on SIGTERM only once continued
  rounds.push(
    await signalRound(
      host,
      'CONT',
      pinned.filter((t) => byPid.get(t.pid)?.stat.startsWith('T')),
    ),
  );
  let alive = await waitGone(host, pinned, graceMs);
  const termed = pinned.length - alive.length;
  if (alive.length) {
    rounds.push(
      await signalRound(
        host,
        'KILL',
        alive,
        groups.filter((g) => alive.some((a) => a.pgid === g)),
      ),
    );
    alive = await waitGone(host, alive, KILL_WAIT_MS);
  }
  const killed = pinned.length - alive.length;
  const parts = [`${termed} on SIGTERM`, ...(killed > termed ? [`${killed - termed} on SIGKILL`] : [])];
  const wholes = new Set(rounds.flatMap((r) => r.groups)).size;
  if (wholes) parts.push(`${wholes} process ${wholes === 1 ? 'group' : 'groups'} as a whole`);
  const done = `killed ${killed} processes (${parts.join(', ')})${leftAlone(moved)}`;
  if (alive.length === 0) return done;
  const why = rounds
    .map((r) => r.complaints)
    .filter(Boolean)
    .join('; ');
  const names = alive.map((a) => `${a.pid} (${a.stat}, ${a.user}: ${clip(a.args, 60)})`).join(', ');
  throw new RunnerError(`${done}; ${alive.length} survived SIGKILL: ${names}${why ? `; kill said: ${why}` : ''}`);
}

/** Still the process the probe saw: same start time (clock ticks), user and command line. */
function same(s: Stray, p: Proc | undefined): boolean {
  return p !== undefined && !isZombie(p) && p.start === s.start && p.uid === s.uid && p.args === s.args;
}

function leftAlone(moved: ReadonlySet<number>): string {
  return moved.size
    ? `; left alone ${moved.size} whose pid is another process since the probe: ${[...moved].join(', ')}`
    : '';
}

/** Polls until every target is gone (or a zombie, or another process), or `ms` passed; returns those still running. */
async function waitGone(host: Host, targets: readonly Stray[], ms: number): Promise<Stray[]> {
  const left = async () => {
    const { alive } = await signalRound(host, '-', targets);
    return targets.flatMap((t) => (alive.has(t.pid) ? [{ ...t, stat: alive.get(t.pid) as string }] : []));
  };
  return untilGone(left, ms, POLL_MS);
}
