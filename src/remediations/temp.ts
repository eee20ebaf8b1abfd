import type { TempItem, TempOptions, TempPlan } from '../checks/temp/schema.js';
import { formatBytes } from '../config/units.js';
import { RunnerError } from '../core/errors.js';
import type { Host, Remediation } from '../core/types.js';

export const temp: Remediation<TempOptions, TempPlan> = {
  id: 'temp',
  async apply(host, plan) {
    const { same, changed } = await stillTheSame(host, plan.delete);
    const results = await host.removeAll(same.map((i) => i.path));
    const failures = results.flatMap((r, i) => (r.error ? [`${same[i]?.path}: ${r.error}`] : []));
    const gone = same.filter((_, i) => !results[i]?.error);
    const left = changed.length ? `; ${changed.length} changed since the probe, left alone: ${changed.join(', ')}` : '';
    const done = `deleted ${gone.length} entries (${formatBytes(gone.reduce((n, i) => n + i.bytes, 0))})${left}`;
    if (failures.length) throw new RunnerError(`${done}; ${failures.length} could not be deleted: ${failures.join('; ')}`);
    return done;
  },
};

/** Splits the plan into entries still as the probe saw them and paths modified or replaced since (someone uses them again). */
async function stillTheSame(host: Host, items: readonly TempItem[]): Promise<{ same: TempItem[]; changed: string[] }> {
  const same: TempItem[] = [];
  const changed: string[] = [];
  for (const it of items) {
    const st = await host.lstat(it.path);
    if (st === null) continue;
    // a new entry in a dir changes its mtime
    const unchanged = st.dev === it.dev && st.ino === it.ino && st.type === it.type && st.uid === it.uid && st.mtimeMs === it.mtimeMs;
    if (unchanged) same.push(it);
    else changed.push(it.path);
  }
  return { same, changed };
}
