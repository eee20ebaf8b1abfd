import { purgeFingerprint } from './fingerprint.js';
import { formatBytes, formatDuration } from '../../core/units.js';
import { allInOrder } from '../../core/all.js';
import type { Check, Finding } from '../../core/types.js';
import { mountPoints } from '../../host/mounts.js';
import type { PurgePlan, PurgeVolume } from './plan.js';
import { readActive, scanVolumes } from './scan.js';
import { PurgeOptions } from './schema.js';
import { selectVolume, sum } from './select.js';
import { count } from '../../core/text.js';

export const purge: Check<PurgeOptions, PurgePlan> = {
  id: 'purge',
  summary: 'deletes old build dirs, oldest first, until each filesystem has the free space it needs',
  options: PurgeOptions,
  fingerprint: purgeFingerprint,
  async probe(host, opts, ctx): Promise<Finding<PurgePlan>> {
    const pending = ctx.pending?.entries() ?? [];
    const [active, mounts, { volumes, warnings, excused, problems }] = await allInOrder([
      readActive(host, opts),
      mountPoints(host),
      scanVolumes(host, opts, ctx.now().getTime(), pending),
    ]);
    const plan: PurgePlan = { delete: [], volumes: [], protected: [] };
    for (const v of volumes) {
      const chosen = await selectVolume(host, v, opts, active, mounts, pending);
      plan.delete.push(...chosen.items);
      plan.volumes.push(chosen.volume);
      plan.protected.push(...chosen.kept);
    }
    // a mount among the build dirs is worth an operator's look: name it every time
    for (const k of plan.protected)
      if (k.why.includes('mount point'))
        warnings.push(`${k.path} is ${k.why.startsWith('a ') ? k.why : `a dir that ${k.why}`}: never deleted`);
    warnings.push(...excused);
    const space = plan.volumes.map((v) => ({
      dirs: v.dirs,
      freeBytes: v.freeBytes,
      ...(v.targetBytes === undefined ? {} : { targetBytes: v.targetBytes }),
    }));
    const extra = { ...(warnings.length ? { warnings } : {}), ...(space.length ? { space } : {}) };
    const short = plan.volumes.some((v) => v.shortBytes > 0);
    const planned = plan.delete.length ? { plan } : {};
    // apply cannot fix these: a gate must see "apply will fail", with what apply would still do
    if (problems.length || short)
      return { state: 'failed', summary: failedSummary(problems, plan, short), ...planned, ...extra };
    if (plan.delete.length === 0) return { state: 'ok', summary: okSummary(plan.volumes, opts), ...extra };
    return { state: 'drift', summary: describePlan(plan), plan, ...extra };
  },
  replanned(first, now) {
    const needed = now?.delete.length ?? 0;
    if (needed === first.delete.length) return undefined;
    const grew = now ? freeOf(now) - freeOf(first) : 0;
    const more = grew > 0 ? ` (${formatBytes(grew)} more free)` : '';
    return `needed ${needed || 'none'} of the ${count(first.delete.length, 'dir')} first planned${more}`;
  },
  explain(plan) {
    const rows = plan.delete.map(
      (i) => `- ${i.path}  ${formatBytes(i.sizeBytes)}  ${i.mtime.slice(0, 16).replace('T', ' ')}  ${i.reason}`,
    );
    const kept = plan.protected.length
      ? [`kept: ${count(plan.protected.length, 'protected dir')} (${countWhy(plan.protected)})`]
      : [];
    return [...rows, ...kept];
  },
};

function freeOf(plan: PurgePlan): number {
  return plan.volumes.reduce((n, v) => n + v.freeBytes + (v.pendingBytes ?? 0), 0);
}

function failedSummary(problems: readonly string[], plan: PurgePlan, short: boolean): string {
  const target = short ? ['the target cannot be met without protected dirs'] : [];
  const then = plan.delete.length || short ? [`apply would ${describePlan(plan)}`] : [];
  return [...problems, ...target, ...then].join('; ');
}

function countWhy(kept: PurgePlan['protected']): string {
  const counts = new Map<string, number>();
  for (const k of kept) counts.set(k.why, (counts.get(k.why) ?? 0) + 1);
  return [...counts].map(([why, n]) => `${n} ${why}`).join(', ');
}

function pendingNote(v: PurgeVolume): string {
  return v.pendingBytes ? ` (+${formatBytes(v.pendingBytes)} pending deletion)` : '';
}

function okSummary(volumes: readonly PurgeVolume[], opts: PurgeOptions): string {
  const free = volumes
    .map((v) => `${formatBytes(v.freeBytes)} free${pendingNote(v)} on ${v.dirs.join(', ')}`)
    .join('; ');
  const age = opts.max_age === 'off' ? '' : `, nothing older than ${formatDuration(opts.max_age)}`;
  return `${free || 'no base dir present (missing_ok)'}${opts.free === undefined ? '' : ` (target ${formatBytes(opts.free)})`}${age}`;
}

export function describePlan(plan: PurgePlan): string {
  const byReason = (r: string) => plan.delete.filter((i) => i.reason === r).length;
  const parts = [
    [byReason('leftover'), 'leftovers'],
    [byReason('age'), 'past max_age'],
    [byReason('space'), 'for space'],
  ]
    .filter(([n]) => n)
    .map(([n, what]) => `${n} ${what}`);
  const head = `delete ${count(plan.delete.length, 'dir')} (${formatBytes(sum(plan.delete))})${parts.length ? `: ${parts.join(', ')}` : ''}`;
  const vols = plan.volumes.map(describeVolume).join('; ');
  return vols ? `${head}; ${vols}` : head;
}

function describeVolume(v: PurgeVolume): string {
  const target = v.targetBytes === undefined ? '' : ` (target ${formatBytes(v.targetBytes)})`;
  const gain = v.predictedFreeBytes - v.freeBytes;
  const pending = v.pendingBytes ?? 0;
  const now = `free ${formatBytes(v.freeBytes)}${pending ? ` + ${formatBytes(pending)} pending deletion` : ''}`;
  const base = `${v.dirs.join(', ')}: ${now} + ${formatBytes(gain - pending)} → ${formatBytes(v.predictedFreeBytes)}${target}`;
  if (v.shortBytes === 0 || v.targetBytes === undefined) return base;
  const needed = v.targetBytes - v.freeBytes;
  return `${base}, can free ${formatBytes(gain)} of ${formatBytes(needed)} needed`;
}
