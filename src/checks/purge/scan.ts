import { normalize } from 'node:path/posix';
import { allInOrder } from '../../core/all.js';
import { rawArgsArgv } from '../../host/raw-args.js';
import type { PendingEntry } from '../../core/pending.js';
import type { ReadHost } from '../../core/types.js';
import { classify, type Candidate } from './candidates.js';
import type { PurgeOptions } from './schema.js';

/** One filesystem and the build dirs of every base dir on it. */
export interface Volume {
  dev: number;
  dirs: string[];
  freeBytes: number;
  leftovers: Candidate[];
  candidates: Candidate[];
}

/** Reads each base dir once and groups them by filesystem, so free space is judged per filesystem. */
export async function scanVolumes(
  host: ReadHost,
  opts: PurgeOptions,
  nowMs: number,
  pending: readonly PendingEntry[] = [],
) {
  const byDev = new Map<number, Volume>();
  const warnings: string[] = [];
  const excused: string[] = [];
  const problems: string[] = [];
  for (const base of opts.dirs) {
    // together: readdir answers null for what is not a directory
    const [st, listed] = await allInOrder([host.lstat(base), host.readdir(base)]);
    if (st === null || st.type !== 'dir') {
      // a dir that does not exist is excused by missing_ok; anything else there is a problem
      if (st === null && opts.missing_ok) excused.push(`${base} does not exist (missing_ok): nothing to purge there`);
      else
        problems.push(
          st === null
            ? `base dir ${base} does not exist (purge.dirs; missing_ok: true if that is expected)`
            : `base dir ${base} is a ${st.type}, not a directory`,
        );
      continue;
    }
    const entries = listed ?? [];
    const found = classify({ path: base, dev: st.dev, ino: st.ino }, entries, nowMs, pending);
    warnings.push(...found.warnings);
    const volume = byDev.get(st.dev) ?? {
      dev: st.dev,
      dirs: [],
      freeBytes: await host.freeBytes(base),
      leftovers: [],
      candidates: [],
    };
    volume.dirs.push(base);
    volume.leftovers.push(...found.leftovers);
    volume.candidates.push(...found.dirs);
    byDev.set(st.dev, volume);
  }
  const volumes = [...byDev.values()];
  for (const v of volumes)
    v.candidates.sort((a, b) => a.entry.mtimeMs - b.entry.mtimeMs || a.path.localeCompare(b.path));
  return { volumes, warnings, excused, problems };
}

/**
 * The configured active paths plus those listed in `active_file` (one per line; a missing file lists none),
 * each as written (normalised: `//`, `/./`, a trailing `/`) and with symlinks resolved on the host, so a
 * job naming its dir another way still protects it. The file is the job's: read bounded, never followed.
 */
export async function readActive(host: ReadHost, opts: PurgeOptions): Promise<string[]> {
  const text = opts.active_file
    ? ((await host.readFile(opts.active_file, { maxBytes: ACTIVE_FILE_MAX_BYTES })) ?? '')
    : '';
  const listed = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'));
  const written = [...new Set([...opts.active, ...listed].map((p) => normalize(p).replace(/(.)\/+$/, '$1')))];
  if (written.length === 0) return [];
  const r = await host.run('sh', rawArgsArgv('exec realpath -m -z -- "$@"', written));
  if (r.exitCode !== 0)
    throw new Error(`resolving the active paths: ${r.stderr.trim() || `realpath exited ${r.exitCode}`}`);
  return [...new Set([...written, ...r.stdout.split('\0').filter(Boolean)])];
}

/** A job lists a handful of dirs; anything bigger is not an active file. */
const ACTIVE_FILE_MAX_BYTES = 64 * 1024;
