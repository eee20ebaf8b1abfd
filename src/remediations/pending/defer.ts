import { randomBytes } from 'node:crypto';
import { join } from 'node:path/posix';
import { trashName } from '../../core/paths.js';
import { within, type PendingEntry, type PendingLedger } from '../../core/pending.js';
import type { Host } from '../../core/types.js';
import { deferIn } from '../../host/deferred.js';
import type { EntryOutcome, Pin } from '../../host/pinned.js';

/** An entry a fix defers: its identity as the probe saw it, and the space it frees. */
export interface Deferrable {
  name: string;
  dev: number;
  ino: number;
  uid: number;
  /** S_IFMT bits (core/pending.ts typeBits) */
  type: number;
  bytes: number;
}

/**
 * Renames each entry of `pin` to a `.deleteme` name, recording it in the ledger first; deletes nothing.
 * A `.deleteme` name already there (an earlier pending entry of the same name) gets a name of its own.
 * Entries that did not move are forgotten again, and records of pending entries inside one that moved are
 * dropped (its size counts them). One outcome per entry: `gone` means renamed, pending deletion.
 */
export async function deferEntries(
  host: Host,
  ledger: PendingLedger,
  pin: Pin,
  doomed: readonly Deferrable[],
  meta: Pick<PendingEntry, 'by' | 'owner'>,
): Promise<EntryOutcome[]> {
  const since = new Date().toISOString();
  const records = doomed.map((d) => record(pin, d, trashName(d.name), meta, since));
  await ledger.add(records);
  const outcomes = await deferIn(
    host,
    pin,
    doomed.map((d, i) => ({ ...d, trash: (records[i] as PendingEntry).name })),
  );
  const taken = outcomes.flatMap((o, i) => (o.status === 'taken' ? [i] : []));
  if (taken.length) {
    const renamed = new Map<PendingEntry, PendingEntry>();
    for (const i of taken) {
      const d = doomed[i] as Deferrable;
      const fresh = record(pin, d, trashName(`${d.name}~${randomBytes(4).toString('hex')}`), meta, since);
      renamed.set(records[i] as PendingEntry, fresh);
      records[i] = fresh;
    }
    await ledger.update((e) => renamed.get(e) ?? e);
    const again = await deferIn(
      host,
      pin,
      taken.map((i) => ({ ...(doomed[i] as Deferrable), trash: (records[i] as PendingEntry).name })),
    );
    taken.forEach((i, k) => (outcomes[i] = again[k] as EntryOutcome));
  }
  const moved = records.filter((_, i) => outcomes[i]?.status === 'gone');
  const carried = moved.map((r) => join(pin.path, r.was));
  await ledger.drop((e) => (records.includes(e) && !moved.includes(e)) || carried.some((p) => within(e.dir.path, p)));
  return outcomes.map((o) => (o.status === 'taken' ? { status: 'failed', detail: 'its .deleteme name is taken' } : o));
}

function record(
  pin: Pin,
  d: Deferrable,
  name: string,
  meta: Pick<PendingEntry, 'by' | 'owner'>,
  since: string,
): PendingEntry {
  const { dev, ino, uid, type, bytes } = d;
  return {
    dir: { path: pin.path, dev: pin.dev, ino: pin.ino },
    name,
    was: d.name,
    dev,
    ino,
    uid,
    type,
    bytes,
    ...(meta.owner ? { owner: meta.owner } : {}),
    by: meta.by,
    since,
  };
}
