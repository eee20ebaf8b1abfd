import { join } from 'node:path/posix';
import { LEFTOVER_SUFFIX, trashName, unsafeName } from '../core/paths.js';
import { printable } from '../core/text.js';
import { LedgerWriteError, typeBits, type PendingLedger } from '../core/pending.js';
import type { FileType, Host } from '../core/types.js';
import { mountUnder } from '../host/mounts.js';
import { PinError, removeIn, retireIn, type EntryOutcome, type Pin, type PinnedEntry } from '../host/pinned.js';
import { deferEntries, type Deferrable } from './pending/defer.js';

/** An entry of a pinned dir that the plan deletes, as the probe saw it (owner, type and size: for deferral). */
export interface Doomed extends PinnedEntry {
  dev: number;
  ino: number;
  uid?: number;
  type?: FileType;
  /** measured (du) when a deferral needs it and the plan does not say */
  bytes?: number;
}

/** Deletions deferred to the background (src/core/pending.ts): into this ledger, on behalf of this check. */
export interface Deferral {
  ledger: PendingLedger;
  by: string;
}

/**
 * Deletes entries of one pinned dir the crash-safe way: each still-the-same entry is renamed to its
 * `.deleteme` name (atomic, in place) and removed, relative to the pinned dir; runner's own `.deleteme`
 * leftovers are removed directly. A kill at any point leaves the untouched entry or a leftover, never a
 * half-deleted entry under its real name. Entries holding a mount point are refused. With `defer`, the
 * entries are only renamed and recorded (deleted later, in the background). Returns "path: why" per failure.
 */
export async function retireEntries(
  host: Host,
  pin: Pin,
  doomed: readonly Doomed[],
  mounts: ReadonlySet<string>,
  defer?: Deferral,
): Promise<string[]> {
  const errors: string[] = [];
  const safe = doomed.filter((d) => {
    const bad = unsafeName(d.name);
    const mount = bad ? undefined : mountUnder(mounts, join(pin.path, d.name));
    if (bad) errors.push(`${pin.path}: entry name ${JSON.stringify(d.name)} ${bad}: refused`);
    else if (mount) errors.push(`${join(pin.path, d.name)}: holds a mount point (${mount}): left alone`);
    return !bad && !mount;
  });
  const leftovers = safe.filter((d) => d.name.endsWith(LEFTOVER_SUFFIX));
  const entries = safe.filter((d) => !d.name.endsWith(LEFTOVER_SUFFIX));
  try {
    const outcomes = [
      ...(await removeIn(host, pin, leftovers)),
      ...(defer
        ? await deferOrDelete(host, pin, entries, defer)
        : await inLanes(entries, (lane) => retireIn(host, pin, lane, trashName))),
    ];
    [...leftovers, ...entries].forEach((d, i) => {
      const why = failure(outcomes[i] as EntryOutcome);
      if (why) errors.push(`${join(pin.path, d.name)}: ${why}`);
    });
  } catch (err) {
    if (!(err instanceof PinError)) throw err;
    for (const d of safe) errors.push(`${join(pin.path, d.name)}: ${err.message}`);
  }
  return errors.map(printable);
}

/** rm processes at once: unlinking is bound by per-directory locks and latency, not one core (4 were 1.5× one on ext4). */
const RM_LANES = 4;

/** Runs `fn` on up to RM_LANES interleaved slices of `items` side by side; outcomes in the items' order. */
async function inLanes<T, R>(items: readonly T[], fn: (lane: T[]) => Promise<R[]>): Promise<R[]> {
  const lanes = Array.from({ length: Math.min(RM_LANES, items.length) }, (_, k) =>
    items.filter((_, i) => i % RM_LANES === k),
  );
  const done = await Promise.all(lanes.map(fn));
  return items.map((_, i) => done[i % RM_LANES]?.[Math.floor(i / RM_LANES)] as R);
}

/** Renames and records; when the ledger cannot be written (a full disk), deletes at once as without deferral. */
async function deferOrDelete(host: Host, pin: Pin, entries: readonly Doomed[], defer: Deferral) {
  try {
    return await deferEntries(host, defer.ledger, pin, await deferrable(host, pin, entries), { by: defer.by });
  } catch (err) {
    if (!(err instanceof LedgerWriteError)) throw err;
    return inLanes(entries, (lane) => retireIn(host, pin, lane, trashName));
  }
}

/** The entries with what their records need; sizes the plan does not give are measured (du -sx), together. */
async function deferrable(host: Host, pin: Pin, doomed: readonly Doomed[]): Promise<Deferrable[]> {
  const unmeasured = doomed.filter((d) => d.bytes === undefined).map((d) => join(pin.path, d.name));
  const sizes = await host.diskUsage(unmeasured);
  return doomed.map((d) => {
    if (d.uid === undefined || d.type === undefined)
      throw new Error(`${pin.path}: the plan does not say who owns ${d.name}`);
    return {
      name: d.name,
      dev: d.dev,
      ino: d.ino,
      uid: d.uid,
      type: typeBits(d.type),
      bytes: d.bytes ?? sizes.get(join(pin.path, d.name)) ?? 0,
    };
  });
}

function failure(o: EntryOutcome): string | undefined {
  if (o.status === 'gone' || o.status === 'missing') return undefined;
  if (o.status === 'replaced') return 'replaced since the probe: left alone';
  return `${o.status === 'remaining' ? 'not all of it could be deleted' : 'could not be renamed'}${o.detail ? `: ${o.detail}` : ''}`;
}
