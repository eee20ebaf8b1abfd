import type { Host } from '../core/types.js';
import { idOf, pinned, type EntryOutcome, type Pin, type PinnedEntry } from './pinned.js';

// Deferred deletion's two actions on a pinned dir (src/core/pending.ts): rename now, delete later.

/**
 * Inside `pin`, renames each entry (still the probed one) to its `trash` name, never over anything already
 * there (`taken`), and deletes nothing: the deletion is deferred (src/core/pending.ts).
 */
export async function deferIn(
  host: Host,
  pin: Pin,
  entries: readonly (PinnedEntry & { trash: string })[],
): Promise<EntryOutcome[]> {
  return pinned(
    host,
    pin,
    'defer',
    [],
    entries.map((e) => [e.name, idOf(e.dev), idOf(e.ino), e.trash]),
  );
}

/** An entry to reap: deleted only while its device, inode, owner and file type (S_IFMT bits) are these. */
export interface ReapEntry {
  name: string;
  dev: number;
  ino: number;
  uid: number;
  type: number;
}

export interface ReapOptions {
  /** as this user, and only what it owns (`find -uid -delete`); otherwise as root with rm */
  owner?: { user: string; uid: number };
  /** at idle I/O and lowest CPU priority (ionice -c3, nice -n 19) */
  idle?: boolean;
  /** kills the deleting processes when it aborts (local hosts only) */
  stop?: AbortSignal;
}

/** Inside `pin`, deletes each entry that is still exactly the recorded one (else `replaced`, left alone). */
export async function reapIn(
  host: Host,
  pin: Pin,
  entries: readonly ReapEntry[],
  o: ReapOptions = {},
): Promise<EntryOutcome[]> {
  const how = o.owner ? String(o.owner.uid) : 'rm';
  const groups = entries.map((e) => [e.name, String(e.dev), String(e.ino), String(e.uid), String(e.type)]);
  return pinned(host, pin, 'reap', [how], groups, {
    ...(o.owner ? { user: o.owner.user } : {}),
    ...(o.idle ? { idle: true } : {}),
    ...(o.stop ? { stop: o.stop } : {}),
  });
}
