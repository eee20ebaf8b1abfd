import type { PurgePlan } from '../checks/purge/plan.js';
import type { PurgeOptions } from '../checks/purge/schema.js';
import { formatBytes } from '../config/units.js';
import { RunnerError } from '../core/errors.js';
import type { Remediation } from '../core/types.js';
import { removeLeftover, retire } from './retire.js';

export const purge: Remediation<PurgeOptions, PurgePlan> = {
  id: 'purge',
  async apply(host, plan) {
    const failures: string[] = [];
    let count = 0;
    let freed = 0;
    for (const it of plan.delete) {
      const error = it.reason === 'leftover' ? await removeLeftover(host, it.path) : await retire(host, it.path, it);
      if (error) failures.push(`${it.path}: ${error}`);
      else [count, freed] = [count + 1, freed + it.sizeBytes];
    }
    const done = `deleted ${count} dirs (${formatBytes(freed)})`;
    if (failures.length) throw new RunnerError(`${done}; ${failures.length} could not be deleted: ${failures.join('; ')}`);
    const short = plan.volumes.filter((v) => v.shortBytes > 0 && v.targetBytes !== undefined);
    if (short.length === 0) return done;
    const why = short.map((v) => {
      const needed = (v.targetBytes as number) - v.freeBytes;
      return `${v.dirs.join(', ')}: can free ${formatBytes(v.predictedFreeBytes - v.freeBytes)} of ${formatBytes(needed)} needed`;
    });
    throw new RunnerError(`${done}, but the target cannot be met without protected dirs: ${why.join('; ')}`);
  },
};
