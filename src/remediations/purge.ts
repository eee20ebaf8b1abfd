import type { PurgeItem, PurgePlan, PurgeVolume } from '../checks/purge/plan.js';
import type { PurgeOptions } from '../checks/purge/schema.js';
import { formatBytes } from '../core/units.js';
import { deferredFrom } from '../core/pending.js';
import { RunnerError } from '../core/errors.js';
import { count } from '../core/text.js';
import type { Remediation } from '../core/types.js';
import { mountPoints } from '../host/mounts.js';
import { retireEntries } from './retire.js';

export const purge: Remediation<PurgeOptions, PurgePlan> = {
  id: 'purge',
  async apply(host, plan, opts, ctx) {
    const mounts = await mountPoints(host);
    const defer = ctx.pending ? { ledger: ctx.pending, by: 'purge' } : undefined;
    const failures: string[] = [];
    for (const items of byBase(plan.delete).values()) {
      const pin = (items[0] as PurgeItem).base;
      // the plan is data: it acts only in a configured base dir
      if (!opts.dirs.includes(pin.path))
        throw new RunnerError(`the plan names ${pin.path}, which is not one of purge.dirs: refused`);
      failures.push(
        ...(await retireEntries(
          host,
          pin,
          items.map((i) => ({ name: i.name, dev: i.dev, ino: i.ino, uid: i.uid, type: 'dir', bytes: i.sizeBytes })),
          mounts,
          defer,
        )),
      );
    }
    const failed = (path: string) => failures.some((f) => f.startsWith(`${path}: `));
    const gone = plan.delete.filter((i) => !failed(i.path));
    const pending = ctx.pending?.entries() ?? [];
    const deferred = gone.filter((i) => deferredFrom(pending, i.base.path, i.name));
    const deleted = gone.filter((i) => !deferred.includes(i));
    const done = [
      ...(deleted.length || !deferred.length ? [`deleted ${count(deleted.length, 'dir')} (${bytesOf(deleted)})`] : []),
      ...(deferred.length
        ? [`renamed ${count(deferred.length, 'dir')} (${bytesOf(deferred)}) to be deleted in the background`]
        : []),
    ].join(', ');
    if (failures.length)
      throw new RunnerError(`${done}; ${failures.length} could not be deleted: ${failures.join('; ')}`);
    const short = plan.volumes.filter((v) => v.shortBytes > 0 && v.targetBytes !== undefined);
    if (short.length === 0) return done;
    throw new RunnerError(
      `${done}, but the target cannot be met without protected dirs: ${short.map(shortfall).join('; ')}`,
    );
  },
};

function bytesOf(items: readonly PurgeItem[]): string {
  return formatBytes(items.reduce((n, i) => n + i.sizeBytes, 0));
}

function byBase(items: readonly PurgeItem[]): Map<string, PurgeItem[]> {
  const groups = new Map<string, PurgeItem[]>();
  for (const i of items) groups.set(i.base.path, [...(groups.get(i.base.path) ?? []), i]);
  return groups;
}

function shortfall(v: PurgeVolume): string {
  const needed = (v.targetBytes as number) - v.freeBytes;
  return `${v.dirs.join(', ')}: can free ${formatBytes(v.predictedFreeBytes - v.freeBytes)} of ${formatBytes(needed)} needed`;
}
