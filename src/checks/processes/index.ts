import { processesFingerprint } from './fingerprint.js';
import { formatDuration } from '../../core/units.js';
import { allInOrder } from '../../core/all.js';
import { RunnerError } from '../../core/errors.js';
import type { Check, Finding } from '../../core/types.js';
import { userName, type User } from '../../core/users.js';
import { readBaseline, readProtected, readSnapshot } from './read.js';
import { ProcessesOptions, programOf, type Baseline, type ProcessesPlan } from './schema.js';
import {
  allowRules,
  baselineOf,
  classify,
  clip,
  findStrays,
  pinned,
  protectedPids,
  sameBaseline,
  toStrays,
  wholeGroups,
  zombieNotes,
  type View,
} from './select.js';

export const processes: Check<ProcessesOptions, ProcessesPlan> = {
  id: 'processes',
  summary:
    "kills the build users' processes left by the last job: not in the baseline, not allowed, never runner's own",
  options: ProcessesOptions,
  fingerprint: processesFingerprint,
  async probe(host, opts, ctx): Promise<Finding<ProcessesPlan>> {
    const [roots, stored, { self, procs, exes, users }] = await allInOrder([
      readProtected(host, opts.protect),
      readBaseline(host, opts.baseline),
      readSnapshot(host, opts.users, [...new Set(opts.allow.map(programOf))]),
    ]);
    const uids = users.map((u) => u.uid);
    const view = classify(procs, protectedPids(procs, self, roots), uids, allowRules(opts.allow, exes));
    const who = users.map((u) => u.name).join(', ');
    if (stored === null || ctx.rebaseline)
      return recordFinding(opts.baseline, stored, view, users, zombieNotes(procs, view.zombies, []));
    const missing = users.filter((u) => !stored.uids.includes(u.uid));
    if (missing.length) {
      const names = missing.map((u) => u.name).join(', ');
      throw new RunnerError(
        `baseline ${opts.baseline} does not cover ${names}: re-record it with 'runner apply --only processes --rebaseline'`,
      );
    }
    const { pinned: strays, late } = pinned(findStrays(view.counted, stored, opts.min_age));
    const notes = [
      ...zombieNotes(procs, view.zombies, strays),
      ...late.map((p) => `${p.pid} ${clip(p.args)} started during the probe: left for the next run`),
    ];
    const extra = notes.length ? { warnings: notes } : {};
    if (strays.length === 0)
      return {
        state: 'ok',
        summary: `no stray processes of ${who} (${view.counted.length} running: in the baseline or younger than min_age)`,
        ...extra,
      };
    const groups = wholeGroups(procs, strays);
    const plan: ProcessesPlan = {
      action: 'kill',
      baseline: opts.baseline,
      strays: toStrays(strays, groups, users),
      groups,
    };
    const inGroups = groups.length
      ? `, in ${groups.length} whole process ${groups.length === 1 ? 'group' : 'groups'}`
      : '';
    return {
      state: 'drift',
      summary: `${strays.length} stray processes of ${who}${inGroups}: SIGTERM, then SIGKILL after ${formatDuration(opts.grace)}`,
      plan,
      ...extra,
    };
  },
  explain(plan) {
    if (plan.action === 'record') {
      return plan.entries.map((e) => `- ${e.count}× ${e.user}  ${clip(e.args, 120)}`);
    }
    return plan.strays.map((s) => {
      const group = s.wholeGroup ? `  [whole group ${s.pgid}]` : '';
      return `- ${s.pid}  ${s.user}  ${formatDuration(s.ageS * 1000)}  ${s.stat}  ${clip(s.args, 120)}${group}`;
    });
  },
};

/** No baseline yet, or --rebaseline: record what runs now and kill nothing. */
function recordFinding(
  path: string,
  stored: Baseline | null,
  view: View,
  users: readonly User[],
  notes: string[],
): Finding<ProcessesPlan> {
  const uids = users.map((u) => u.uid);
  const entries = baselineOf(view.counted).map((e) => ({ ...e, user: userName(users, e.uid) }));
  const extra = notes.length ? { warnings: notes } : {};
  const n = view.counted.length;
  if (stored && sameBaseline(stored, { uids, entries }))
    return { state: 'ok', summary: `baseline ${path} is up to date: ${n} processes`, ...extra };
  const why = stored ? `re-record baseline ${path} (was ${count(stored)} processes)` : `no baseline yet at ${path}`;
  const plan: ProcessesPlan = { action: 'record', baseline: path, uids, entries, processes: n };
  return {
    state: 'drift',
    summary: `${why}: record ${n} processes of ${users.map((u) => u.name).join(', ')}, kill nothing`,
    plan,
    ...extra,
  };
}

function count(b: Baseline): number {
  return b.entries.reduce((n, e) => n + e.count, 0);
}
