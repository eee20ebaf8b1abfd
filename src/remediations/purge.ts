import type { PurgePlan, PurgeVolume } from '../checks/purge/plan.js';
import type { PurgeOptions } from '../checks/purge/schema.js';
import { formatBytes } from '../config/units.js';
import { RunnerError } from '../core/errors.js';
import type { Remediation } from '../core/types.js';
import { removeLeftovers, retireAll } from './retire.js';
import { count } from '../core/text.js';

export const purge: Remediation<PurgeOptions, PurgePlan> = {
  id: 'purge',
  async apply(host, plan) {
    const leftovers = plan.delete.filter((i) => i.reason === 'leftover');
    const dirs = plan.delete.filter((i) => i.reason !== 'leftover');
    const failures = [
      ...(await removeLeftovers(host, leftovers.map((i) => i.path))),
      ...(await retireAll(host, dirs.map((i) => ({ path: i.path, expect: i })))),
    ];
    const failed = (path: string) => failures.some((f) => f.startsWith(`${path}: `));
    const gone = plan.delete.filter((i) => !failed(i.path));
    const done = `deleted ${count(gone.length, 'dir')} (${formatBytes(gone.reduce((n, i) => n + i.sizeBytes, 0))})`;
    if (failures.length) throw new RunnerError(`${done}; ${failures.length} could not be deleted: ${failures.join('; ')}`);
    const short = plan.volumes.filter((v) => v.shortBytes > 0 && v.targetBytes !== undefined);
    if (short.length === 0) return done;
    throw new RunnerError(`${done}, but the target cannot be met without protected dirs: ${short.map(shortfall).join('; ')}`);
  },
};

function shortfall(v: PurgeVolume): string {
  const needed = (v.targetBytes as number) - v.freeBytes;
  return `${v.dirs.join(', ')}: can free ${formatBytes(v.predictedFreeBytes - v.freeBytes)} of ${formatBytes(needed)} needed`;
}
