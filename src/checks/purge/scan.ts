import { allInOrder } from '../../core/all.js';
import type { Host } from '../../core/types.js';
import { classify, type Candidate } from './candidates.js';
import type { PurgeOptions } from './schema.js';

/** One filesystem and the build dirs of every base dir on it. */
export interface Volume {
  dirs: string[];
  freeBytes: number;
  leftovers: Candidate[];
  candidates: Candidate[];
}

/** Reads each base dir once and groups them by filesystem, so free space is judged per filesystem. */
export async function scanVolumes(host: Host, opts: PurgeOptions, nowMs: number) {
  const byDev = new Map<number, Volume>();
  const warnings: string[] = [];
  for (const base of opts.dirs) {
    // together: readdir answers null for what is not a directory
    const [st, listed] = await allInOrder([host.lstat(base), host.readdir(base)]);
    if (st === null || st.type !== 'dir') {
      warnings.push(st === null ? `${base} does not exist: nothing to purge there` : `${base} is a ${st.type}, not a directory: left alone`);
      continue;
    }
    const entries = listed ?? [];
    const found = classify(base, st.dev, entries, nowMs);
    warnings.push(...found.warnings);
    const volume = byDev.get(st.dev) ?? { dirs: [], freeBytes: await host.freeBytes(base), leftovers: [], candidates: [] };
    volume.dirs.push(base);
    volume.leftovers.push(...found.leftovers);
    volume.candidates.push(...found.dirs);
    byDev.set(st.dev, volume);
  }
  const volumes = [...byDev.values()];
  for (const v of volumes) v.candidates.sort((a, b) => a.entry.mtimeMs - b.entry.mtimeMs || a.path.localeCompare(b.path));
  return { volumes, warnings };
}

/** The configured active paths plus those listed in `active_file` (one per line; a missing file lists none). */
export async function readActive(host: Host, opts: PurgeOptions): Promise<string[]> {
  if (!opts.active_file) return opts.active;
  const text = (await host.readFile(opts.active_file)) ?? '';
  const listed = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/'));
  return [...opts.active, ...listed];
}
