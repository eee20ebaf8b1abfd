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
  let predicted = v.freeBytes + sum(items);
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
      const it = item(c, more, 'space');
      items.push(it);
      predicted += it.sizeBytes;
    }
    i += slice.length;
  }
  const volume: PurgeVolume = {
    dirs: v.dirs,
    freeBytes: v.freeBytes,
    predictedFreeBytes: predicted,
    ...(opts.free === undefined ? {} : { targetBytes: opts.free }),
    shortBytes: opts.free === undefined ? 0 : Math.max(0, opts.free - predicted),
  };
  return { items, volume, kept };
}

function item(c: Candidate, sizes: Map<string, number>, reason: PurgeReason): PurgeItem {
  const { dev, ino, mtimeMs, name } = c.entry;
  return {
    path: c.path,
    base: c.base,
    name,
    sizeBytes: sizes.get(c.path) ?? 0,
    mtime: new Date(mtimeMs).toISOString(),
    reason,
    dev,
    ino,
  };
}

export function sum(items: readonly PurgeItem[]): number {
  return items.reduce((n, i) => n + i.sizeBytes, 0);
}
