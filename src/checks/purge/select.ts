import { pendingBytesOn, type PendingEntry } from '../../core/pending.js';
import type { ReadHost } from '../../core/types.js';
import { activeProtection, mountProtection, protection, type Candidate } from './candidates.js';
import type { PurgeItem, PurgePlan, PurgeReason, PurgeVolume } from './plan.js';
import type { Volume } from './scan.js';
import type { PurgeOptions } from './schema.js';

const FIRST_BATCH = 8;

/** Chooses what goes on one filesystem: leftovers, dirs past max_age, then the oldest until the target is met. */
export async function selectVolume(
  host: ReadHost,
  v: Volume,
  opts: PurgeOptions,
  active: readonly string[],
  mounts: ReadonlySet<string>,
  pending: readonly PendingEntry[] = [],
) {
  const kept: PurgePlan['protected'] = [];
  const deletable: Candidate[] = [];
  for (const c of v.candidates) {
    const why = protection(c, opts, active, mounts);
    if (why) kept.push({ path: c.path, why });
    else deletable.push(c);
  }
  const isOld = (c: Candidate) => opts.max_age !== 'off' && c.ageMs > opts.max_age;
  // leftovers are runner's own trash, so keep globs and ages do not apply; an active path still wins
  const leftovers = v.leftovers.filter((c) => {
    const why = activeProtection(c, active) ?? mountProtection(c, mounts);
    if (why) kept.push({ path: c.path, why });
    return !why;
  });
  const forced = [...leftovers, ...deletable.filter(isOld)];
  const sizes = await host.diskUsage(forced.map((c) => c.path));
  const items = forced.map((c) => item(c, sizes, leftovers.includes(c) ? 'leftover' : 'age'));
  // bytes already on their way out count as freed, once: a dir's size includes what is pending inside it
  const pendingOn = pendingBytesOn(pending, v.dev);
  const freed = (its: readonly PurgeItem[]) => sum(its) - (pendingOn - pendingBytesOn(pending, v.dev, paths(its)));
  let predicted = v.freeBytes + pendingOn + freed(items);
  const rest = deletable.filter((c) => !isOld(c));
  // measure only as many dirs as the target needs, in growing batches: few round trips, no whole-tree scan
  for (
    let i = 0, batch = FIRST_BATCH;
    opts.free !== undefined && predicted < opts.free && i < rest.length;
    batch *= 2
  ) {
    const slice = rest.slice(i, i + batch);
    const more = await host.diskUsage(slice.map((c) => c.path));
    for (const c of slice) {
      if (predicted >= opts.free) break;
      items.push(item(c, more, 'space'));
      predicted = v.freeBytes + pendingOn + freed(items);
    }
    i += slice.length;
  }
  const counted = pendingBytesOn(pending, v.dev, paths(items));
  const volume: PurgeVolume = {
    dirs: v.dirs,
    freeBytes: v.freeBytes,
    ...(counted > 0 ? { pendingBytes: counted } : {}),
    predictedFreeBytes: predicted,
    ...(opts.free === undefined ? {} : { targetBytes: opts.free }),
    shortBytes: opts.free === undefined ? 0 : Math.max(0, opts.free - predicted),
  };
  return { items, volume, kept };
}

function item(c: Candidate, sizes: Map<string, number>, reason: PurgeReason): PurgeItem {
  const { dev, ino, uid, mtimeMs, name } = c.entry;
  return {
    path: c.path,
    base: c.base,
    name,
    sizeBytes: sizes.get(c.path) ?? 0,
    mtime: new Date(mtimeMs).toISOString(),
    reason,
    dev,
    ino,
    uid,
  };
}

function paths(items: readonly PurgeItem[]): string[] {
  return items.map((i) => i.path);
}

export function sum(items: readonly PurgeItem[]): number {
  return items.reduce((n, i) => n + i.sizeBytes, 0);
}
