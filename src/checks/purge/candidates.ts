import { join } from 'node:path/posix';
import { matchesGlob } from '../../core/glob.js';
import { LEFTOVER_SUFFIX } from '../../core/paths.js';
import { pendingAt, type PendingEntry } from '../../core/pending.js';
import type { DirEntry } from '../../core/types.js';
import { mountUnder } from '../../host/mounts.js';
import type { Pin } from '../../host/pinned.js';
import type { PurgeOptions } from './schema.js';

export interface Candidate {
  path: string;
  /** the base dir it was listed in */
  base: Pin;
  entry: DirEntry;
  ageMs: number;
}

/** Why a build dir must stay, or undefined when it may go. */
export function protection(
  c: Candidate,
  opts: PurgeOptions,
  active: readonly string[],
  mounts: ReadonlySet<string>,
): string | undefined {
  const busy = activeProtection(c, active) ?? mountProtection(c, mounts);
  if (busy) return busy;
  if (c.ageMs < opts.min_age) return `younger than min_age`;
  for (const rule of opts.keep) {
    if (!matchesGlob(c.entry.name, rule.glob)) continue;
    if (rule.maxAgeMs === undefined) return `keep ${rule.glob}`;
    if (c.ageMs < rule.maxAgeMs) return `keep ${rule.glob} while younger than its age limit`;
  }
  return undefined;
}

/** A bind mount (even of the same filesystem) at or below a build dir: deleting it would empty the mount's source. */
export function mountProtection(c: Candidate, mounts: ReadonlySet<string>): string | undefined {
  const m = mountUnder(mounts, c.path);
  return m === undefined ? undefined : m === c.path ? 'a mount point' : `holds a mount point (${m})`;
}

/** `active (path)` when an active path is this dir, lies inside it, or holds it. */
export function activeProtection(c: Candidate, active: readonly string[]): string | undefined {
  const hit = active.find((a) => a === c.path || a.startsWith(`${c.path}/`) || c.path.startsWith(`${a}/`));
  return hit === undefined ? undefined : `active (${hit})`;
}

/**
 * Splits a base dir's entries into leftovers of an interrupted run, build dirs, and entries to ignore; a
 * `.deleteme` entry the ledger records (deletion deferred, under way) is neither.
 */
export function classify(pin: Pin, entries: readonly DirEntry[], nowMs: number, pending: readonly PendingEntry[] = []) {
  const base = pin.path;
  const leftovers: Candidate[] = [];
  const dirs: Candidate[] = [];
  const warnings: string[] = [];
  for (const entry of entries) {
    const c: Candidate = { path: join(base, entry.name), base: pin, entry, ageMs: nowMs - entry.mtimeMs };
    if (entry.dev !== pin.dev) warnings.push(`${c.path} is on another filesystem: left alone`);
    else if (pendingAt(pending, base, entry.name, entry)) continue;
    else if (entry.name.endsWith(LEFTOVER_SUFFIX)) leftovers.push(c);
    else if (entry.type === 'dir') dirs.push(c);
  }
  dirs.sort((a, b) => a.entry.mtimeMs - b.entry.mtimeMs || a.path.localeCompare(b.path));
  return { leftovers, dirs, warnings };
}
