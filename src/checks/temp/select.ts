import { dirname } from 'node:path/posix';
import { matchesGlob } from '../../core/glob.js';
import type { Match } from './expand.js';
import { FIND_TYPES, type Found } from './parse.js';

export interface Rules {
  uids: readonly number[];
  keep: readonly string[];
  /** entries modified after this (epoch ms) are too young */
  cutoffMs: number;
}

/** The keep glob matching `path` or one of the dirs above it. */
export function keptBy(path: string, keep: readonly string[]): string | undefined {
  for (let p = path; p !== '/'; p = dirname(p)) {
    const glob = keep.find((g) => matchesGlob(p, g));
    if (glob) return glob;
  }
  return undefined;
}

/** Why a matched entry stays, judged on the entry itself; undefined when its contents decide. */
export function heldBack(m: Match, rules: Rules): string | undefined {
  const glob = keptBy(m.path, rules.keep);
  if (glob) return `keep ${glob}`;
  if (!['file', 'dir', 'symlink'].includes(m.stat.type)) return `a ${m.stat.type}`;
  if (m.stat.dev !== m.parentDev) return 'another filesystem (mount point)';
  if (m.stat.mtimeMs > rules.cutoffMs) return 'younger than older_than';
  return undefined;
}

/** Why a dir (or file) cannot go whole, from find's records of it: the first offending entry. */
export function treeReason(top: Match, records: readonly Found[], rules: Rules): string | undefined {
  for (const r of records) {
    const inner = r.path === top.path ? 'itself' : r.path;
    const glob = keptBy(r.path, rules.keep);
    if (glob) return `holds ${inner}, kept by ${glob}`;
    if (!['f', 'd', 'l'].includes(r.type)) return `holds a ${FIND_TYPES[r.type] ?? 'special file'} (${inner})`;
    if (!rules.uids.includes(r.uid)) return `holds ${inner} owned by uid ${r.uid}`;
    if (r.dev !== top.stat.dev) return `holds another filesystem (${inner})`;
    if (r.mtimeMs > rules.cutoffMs) return `holds ${inner}, modified within older_than`;
  }
  return undefined;
}

/** Drops matches lying inside another match: the outer one decides for both. */
export function outermost(matches: readonly Match[]): Match[] {
  const paths = new Set(matches.map((m) => m.path));
  const unique = [...new Map(matches.map((m) => [m.path, m])).values()];
  return unique.filter((m) => {
    for (let p = dirname(m.path); p !== '/'; p = dirname(p)) if (paths.has(p)) return false;
    return true;
  });
}

/** Groups find's records under the start point each belongs to (find lists a start point, then what is below it). */
export function byStart(records: readonly Found[], starts: readonly string[]): Map<string, Found[]> {
  const groups = new Map<string, Found[]>(starts.map((s) => [s, []]));
  let current: Found[] | undefined;
  let prefix = '';
  for (const r of records) {
    const own = groups.get(r.path);
    if (own && own.length === 0) [current, prefix] = [own, `${r.path}/`];
    else if (!current || !r.path.startsWith(prefix)) continue;
    current.push(r);
  }
  return groups;
}
