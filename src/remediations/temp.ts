import type { TempItem, TempOptions, TempPlan } from '../checks/temp/schema.js';
import { formatBytes } from '../config/units.js';
import { RunnerError } from '../core/errors.js';
import type { Host, Remediation } from '../core/types.js';

export const temp: Remediation<TempOptions, TempPlan> = {
  id: 'temp',
  async apply(host, plan) {
    const failures: string[] = [];
    const changed: string[] = [];
    let [count, freed] = [0, 0];
    for (const it of plan.delete) {
      const outcome = await removeItem(host, it);
      if (outcome === 'changed') changed.push(it.path);
      else if (outcome) failures.push(`${it.path}: ${outcome}`);
      else [count, freed] = [count + 1, freed + it.bytes];
    }
    const left = changed.length ? `; ${changed.length} changed since the probe, left alone: ${changed.join(', ')}` : '';
    const done = `deleted ${count} entries (${formatBytes(freed)})${left}`;
    if (failures.length) throw new RunnerError(`${done}; ${failures.length} could not be deleted: ${failures.join('; ')}`);
    return done;
  },
};

/** Removes one entry if it is still the one the probe judged; 'changed' when it is not, an error message on failure. */
async function removeItem(host: Host, it: TempItem): Promise<'changed' | string | undefined> {
  const st = await host.lstat(it.path);
  if (st === null) return undefined;
  // a new entry in a dir changes its mtime: someone is using it again
  if (st.dev !== it.dev || st.ino !== it.ino || st.type !== it.type || st.uid !== it.uid || st.mtimeMs !== it.mtimeMs) return 'changed';
  return (await host.remove(it.path)).error;
}
