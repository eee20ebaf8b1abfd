import { join } from 'node:path/posix';
import { pendingPath, type PendingEntry } from '../../core/pending.js';
import { count } from '../../core/text.js';
import type { PendingNote, ReadHost } from '../../core/types.js';
import { formatBytes } from '../../core/units.js';
import { LEDGER_FILE, readLedger } from './ledger.js';

export interface PendingSummary {
  /** the ledger file */
  path: string;
  /** entries renamed to `.deleteme` and still in place, waiting to be deleted in the background */
  entries: number;
  /** the space they free (an entry whose deletion has begun counts 0) */
  bytes: number;
}

/** The recorded entries of a state dir's ledger that are still in place (same device and inode), for people. */
export async function livePending(host: ReadHost, stateDir: string): Promise<PendingEntry[]> {
  const entries = await readLedger(host, join(stateDir, LEDGER_FILE));
  const stats = await Promise.all(entries.map((e) => host.lstat(pendingPath(e))));
  return entries.filter((e, i) => stats[i]?.dev === e.dev && stats[i]?.ino === e.ino);
}

/** Pending deletions of a state dir (`runner check`'s note, `runner status`): how many, and their bytes. */
export async function pendingDeletions(host: ReadHost, stateDir: string): Promise<PendingSummary> {
  const live = await livePending(host, stateDir);
  return {
    path: join(stateDir, LEDGER_FILE),
    entries: live.length,
    bytes: live.reduce((n, e) => n + e.bytes, 0),
  };
}

/** The pending deletions of a state dir as a report note, or undefined when nothing is pending (or the ledger cannot be read). */
export async function pendingNote(host: ReadHost, stateDir: string): Promise<PendingNote | undefined> {
  const p = await pendingDeletions(host, stateDir).catch(() => undefined);
  if (!p || p.entries === 0) return undefined;
  const summary = `${count(p.entries, 'deletion')} pending (${formatBytes(p.bytes)}): renamed to .deleteme by runner, deleted in the background by runner daemon (${p.path})`;
  return { ...p, summary };
}
