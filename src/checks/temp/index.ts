import { tempFingerprint } from './fingerprint.js';
import { formatBytes, formatDuration } from '../../core/units.js';
import { basename } from 'node:path/posix';
import { pendingAt } from '../../core/pending.js';
import type { Check, Finding, ReadHost } from '../../core/types.js';
import { mountPoints, mountUnder } from '../../host/mounts.js';
import { resolveUsers, userName, type User } from '../../core/users.js';
import { expand, type Match } from './expand.js';
import { scanTrees } from './scan.js';
import { TempOptions, type TempItem, type TempPlan } from './schema.js';
import { heldBack, outermost, treeReason, type Rules } from './select.js';

export const temp: Check<TempOptions, TempPlan> = {
  id: 'temp',
  summary: "deletes the build users' old temporary files; never sockets, fifos, devices, symlink targets or kept paths",
  options: TempOptions,
  fingerprint: tempFingerprint,
  async probe(host, opts, ctx): Promise<Finding<TempPlan>> {
    const users = await resolveUsers(host, opts.users);
    const nowMs = ctx.now().getTime();
    const rules: Rules = { uids: users.map((u) => u.uid), keep: opts.keep, cutoffMs: nowMs - opts.older_than };
    const warnings: string[] = [];
    const plan: TempPlan = { delete: [], bytes: 0, kept: [] };
    const candidates: Match[] = [];
    const [matches, mounts] = await Promise.all([matchAll(host, opts.paths, warnings), mountPoints(host)]);
    const pending = ctx.pending?.entries() ?? [];
    for (const m of outermost(matches)) {
      if (!rules.uids.includes(m.stat.uid)) continue;
      // renamed by an earlier run, its deletion deferred: already on its way out
      if (pendingAt(pending, m.parent.path, basename(m.path), m.stat)) continue;
      const mount = mountUnder(mounts, m.path);
      const why = heldBack(m, rules) ?? (mount ? `holds a mount point (${mount})` : undefined);
      if (why) plan.kept.push({ path: m.path, why });
      else candidates.push(m);
    }
    const scanned = await scanTrees(host, candidates);
    for (const m of candidates) {
      const found = scanned.get(m.path);
      if (!found || found.records.length === 0) continue; // gone since it was listed
      const why = found.error ? `could not read all of it: ${found.error}` : treeReason(m, found.records, rules);
      if (why) plan.kept.push({ path: m.path, why });
      else
        plan.delete.push(
          item(
            m,
            found.records.reduce((n, r) => n + r.bytes, 0),
            users,
            nowMs,
          ),
        );
    }
    plan.bytes = plan.delete.reduce((n, i) => n + i.bytes, 0);
    const extra = warnings.length ? { warnings } : {};
    const older = formatDuration(opts.older_than);
    if (plan.delete.length === 0)
      return {
        state: 'ok',
        summary: `nothing of ${names(users)} older than ${older} to delete${keptNote(plan)}`,
        ...extra,
      };
    return {
      state: 'drift',
      summary: `delete ${plan.delete.length} entries of ${names(users)} older than ${older} (${formatBytes(plan.bytes)})${keptNote(plan)}`,
      plan,
      ...extra,
    };
  },
  explain(plan) {
    const rows = plan.delete.map(
      (i) =>
        `- ${i.path}${i.type === 'dir' ? '/' : ''}  ${i.user}  ${formatDuration(i.ageMs)}  ${formatBytes(i.bytes)}`,
    );
    return [...rows, ...plan.kept.map((k) => `kept: ${k.path}: ${k.why}`)];
  },
};

async function matchAll(host: ReadHost, globs: readonly string[], warnings: string[]): Promise<Match[]> {
  const all: Match[] = [];
  for (const glob of globs) all.push(...(await expand(host, glob, warnings)));
  return all;
}

function item(m: Match, bytes: number, users: readonly User[], nowMs: number): TempItem {
  const { type, uid, dev, ino, mtimeMs } = m.stat;
  return {
    path: m.path,
    parent: m.parent,
    name: basename(m.path),
    type: type as TempItem['type'],
    user: userName(users, uid),
    uid,
    mtime: new Date(mtimeMs).toISOString(),
    ageMs: Math.max(0, nowMs - mtimeMs),
    bytes,
    dev,
    ino,
    mtimeMs,
  };
}

function names(users: readonly User[]): string {
  return users.map((u) => u.name).join(', ');
}

function keptNote(plan: TempPlan): string {
  return plan.kept.length ? `; ${plan.kept.length} kept` : '';
}
