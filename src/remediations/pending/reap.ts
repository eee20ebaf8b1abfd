import { pendingPath, sameEntry, type PendingEntry, type PendingLedger } from '../../core/pending.js';
import { printable } from '../../core/text.js';
import type { Host } from '../../core/types.js';
import { reapIn } from '../../host/deferred.js';
import { mountPoints, mountUnder } from '../../host/mounts.js';
import { PinError, type EntryOutcome } from '../../host/pinned.js';

/** What one pass of deleting pending entries did. */
export interface ReapReport {
  deleted: PendingEntry[];
  /** not runner's (device, inode, owner or type differ), holding a mount point, or its dir gone: forgotten, untouched */
  refused: { entry: PendingEntry; why: string }[];
  /** could not all be deleted: kept for the next pass (forgotten after MAX_TRIES) */
  failed: { entry: PendingEntry; why: string }[];
  /** the pass was stopped before it was done */
  stopped: boolean;
}

/** Entries deleted by one process: a stop loses at most this batch's progress report, never a record. */
const BATCH = 64;
/** A pending entry that still cannot be deleted after this many passes is forgotten (it shows as a leftover). */
const MAX_TRIES = 3;

/**
 * Deletes the pending entries `pick` selects, one process at a time, each inside its pinned dir and only
 * while it is exactly the recorded entry (host/deferred.ts reapIn); the ledger follows each batch. With
 * `idle`, at idle I/O and CPU priority; `stop` kills the running deletion, and the pass ends there.
 */
export async function reapPending(
  host: Host,
  ledger: PendingLedger,
  pick: (e: PendingEntry) => boolean,
  o: { idle?: boolean; stop?: AbortSignal } = {},
): Promise<ReapReport> {
  const report: ReapReport = { deleted: [], refused: [], failed: [], stopped: false };
  const todo = ledger.entries().filter(pick);
  if (todo.length === 0) return report;
  const mounts = await mountPoints(host);
  for (const batch of batches(todo)) {
    if (o.stop?.aborted) break;
    const held = batch.filter((e) => mountUnder(mounts, pendingPath(e)) !== undefined);
    const now: ReapReport = { deleted: [], refused: [], failed: [], stopped: false };
    for (const e of held)
      now.refused.push({ entry: e, why: `holds a mount point (${mountUnder(mounts, pendingPath(e))})` });
    await reapBatch(
      host,
      ledger,
      batch.filter((e) => !held.includes(e)),
      o,
      now,
    );
    await settle(ledger, now);
    report.deleted.push(...now.deleted);
    report.refused.push(...now.refused);
    report.failed.push(...now.failed);
  }
  report.stopped = o.stop?.aborted === true;
  return report;
}

/** The ledger after one batch: what is deleted or not runner's is forgotten, what failed is tried again later. */
async function settle(ledger: PendingLedger, r: ReapReport): Promise<void> {
  const given = r.failed.filter((f) => (f.entry.tries ?? 0) + 1 >= MAX_TRIES).map((f) => f.entry);
  const done = [...r.deleted, ...r.refused.map((x) => x.entry), ...given];
  await ledger.drop((e) => done.some((d) => sameEntry(d, e)));
  const retry = r.failed.map((f) => f.entry);
  await ledger.update((e) => (retry.some((x) => sameEntry(x, e)) ? { ...e, tries: (e.tries ?? 0) + 1 } : e));
}

async function reapBatch(
  host: Host,
  ledger: PendingLedger,
  batch: readonly PendingEntry[],
  o: { idle?: boolean; stop?: AbortSignal },
  report: ReapReport,
): Promise<void> {
  const first = batch[0];
  if (!first) return;
  // its deletion begins: from here on what is left of it is not counted as being freed
  await ledger.update((e) => (batch.some((b) => sameEntry(b, e)) ? { ...e, bytes: 0 } : e));
  let outcomes: EntryOutcome[];
  try {
    outcomes = await reapIn(host, first.dir, batch, {
      ...(first.owner ? { owner: first.owner } : {}),
      ...o,
    });
  } catch (err) {
    if (!(err instanceof PinError)) throw err;
    for (const e of batch) report.refused.push({ entry: e, why: printable(err.message) });
    return;
  }
  batch.forEach((e, i) => {
    const out = outcomes[i] as EntryOutcome;
    if (out.status === 'gone' || out.status === 'missing') report.deleted.push(e);
    else if (out.status === 'replaced')
      report.refused.push({ entry: e, why: 'not the entry runner renamed (device, inode, owner or type differ)' });
    else if (!o.stop?.aborted)
      report.failed.push({ entry: e, why: printable(`not all of it could be deleted: ${out.detail ?? out.status}`) });
  });
}

/** Entries of one dir and one owner together, at most BATCH at a time, oldest records first. */
function batches(entries: readonly PendingEntry[]): PendingEntry[][] {
  const groups = new Map<string, PendingEntry[]>();
  for (const e of entries) {
    const key = `${e.dir.path}\0${e.dir.dev}\0${e.dir.ino}\0${e.owner?.uid ?? 'root'}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.ceil(g.length / BATCH) }, (_, k) => g.slice(k * BATCH, (k + 1) * BATCH)),
  );
}
