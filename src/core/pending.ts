import { RunnerError } from './errors.js';

/**
 * Deferred deletion: an entry a fix decided to delete is renamed to a `.deleteme` name in place and recorded
 * in runner's own ledger (STATE_DIR/pending.json, root's alone) *before* the rename; the deletion itself
 * happens later, in the background. The record is how runner knows a `.deleteme` entry is its own: the dir
 * holding it (path, device, inode), its name there, and the entry's device, inode, owner and file type. An
 * entry that does not match its record in every one of them is not runner's and is never deleted from it.
 */
export interface PendingEntry {
  /** the dir holding it, as it was when the entry was renamed */
  dir: { path: string; dev: number; ino: number };
  /** its `.deleteme` name in that dir */
  name: string;
  /** the name it had */
  was: string;
  dev: number;
  ino: number;
  uid: number;
  /** the S_IFMT bits of its mode (0o040000 a dir, 0o100000 a file, 0o120000 a symlink) */
  type: number;
  /** disk space it frees, as measured when it was renamed; 0 once its deletion began (the rest is not counted) */
  bytes: number;
  /** deletions tried that left some of it (say, an immutable file): past a few, it is forgotten */
  tries?: number;
  /** delete as this user, and only what it owns (temp); otherwise as root with rm */
  owner?: { user: string; uid: number };
  /** the check whose fix renamed it */
  by: string;
  /** when it was recorded (ISO) */
  since: string;
}

/** The ledger as probes and fixes see it: deletions are deferred wherever a context carries one. */
export interface PendingLedger {
  entries(): readonly PendingEntry[];
  /** records entries (before they are renamed), persisted before it resolves */
  add(entries: readonly PendingEntry[]): Promise<void>;
  /** forgets entries (deleted, or not runner's after all); returns those it dropped */
  drop(gone: (e: PendingEntry) => boolean): Promise<PendingEntry[]>;
  /** rewrites entries in place (a new name, a new size), persisted before it resolves */
  update(change: (e: PendingEntry) => PendingEntry): Promise<void>;
}

/** The ledger could not be written: nothing was renamed, so the fix deletes at once instead (a full disk, say). */
export class LedgerWriteError extends RunnerError {
  override name = 'LedgerWriteError';
}

/** Whether the entry once called `was` in the dir at `dirPath` is pending deletion under a record of its own. */
export function deferredFrom(entries: readonly PendingEntry[], dirPath: string, was: string): boolean {
  return entries.some((e) => e.dir.path === dirPath && e.was === was);
}

export const S_IFMT = { dir: 0o040000, file: 0o100000, symlink: 0o120000 } as const;

/** The S_IFMT bits of a file type runner lists (lstat's `type`), or 0 when it has no such code here. */
export function typeBits(type: string): number {
  return (S_IFMT as Record<string, number>)[type] ?? TYPE_BITS[type] ?? 0;
}

const TYPE_BITS: Record<string, number> = { fifo: 0o010000, char: 0o020000, block: 0o060000, socket: 0o140000 };

/** The record of the entry `name` of the dir at `dirPath`, when it is still the one recorded (device and inode). */
export function pendingAt(
  entries: readonly PendingEntry[],
  dirPath: string,
  name: string,
  id: { dev: number; ino: number },
): PendingEntry | undefined {
  return entries.find((e) => e.dir.path === dirPath && e.name === name && e.dev === id.dev && e.ino === id.ino);
}

/** One record, whatever its size or tries: the dir, the name and the entry's identity. */
export function sameEntry(a: PendingEntry, b: PendingEntry): boolean {
  return a.dir.path === b.dir.path && a.name === b.name && a.dev === b.dev && a.ino === b.ino;
}

/** The path of a pending entry. */
export function pendingPath(e: PendingEntry): string {
  return e.dir.path === '/' ? `/${e.name}` : `${e.dir.path}/${e.name}`;
}

/** Bytes pending on the filesystem of device `dev`, not counting entries under `inside` (measured with it). */
export function pendingBytesOn(entries: readonly PendingEntry[], dev: number, inside: readonly string[] = []): number {
  return entries
    .filter((e) => e.dev === dev && !inside.some((p) => within(e.dir.path, p)))
    .reduce((n, e) => n + e.bytes, 0);
}

/** `path` is `dir` or lies below it. */
export function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
