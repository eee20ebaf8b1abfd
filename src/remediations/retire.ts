import { join } from 'node:path/posix';
import { LEFTOVER_SUFFIX, trashName } from '../core/paths.js';
import { printable } from '../core/text.js';
import type { Host } from '../core/types.js';
import { mountUnder } from '../host/mounts.js';
import { PinError, removeIn, retireIn, type EntryOutcome, type Pin, type PinnedEntry } from '../host/pinned.js';

/** An entry of a pinned dir that the plan deletes, as the probe saw it. */
export interface Doomed extends PinnedEntry {
  dev: number;
  ino: number;
}

/**
 * Deletes entries of one pinned dir the crash-safe way: each still-the-same entry is renamed to its
 * `.deleteme` name (atomic, in place) and removed, relative to the pinned dir; runner's own `.deleteme`
 * leftovers are removed directly. A kill at any point leaves the untouched entry or a leftover, never a
 * half-deleted entry under its real name. Entries holding a mount point are refused. Returns "path: why" per failure.
 */
export async function retireEntries(host: Host, pin: Pin, doomed: readonly Doomed[], mounts: ReadonlySet<string>): Promise<string[]> {
  const errors: string[] = [];
  const safe = doomed.filter((d) => {
    const mount = mountUnder(mounts, join(pin.path, d.name));
    if (mount) errors.push(`${join(pin.path, d.name)}: holds a mount point (${mount}): left alone`);
    return !mount;
  });
  const leftovers = safe.filter((d) => d.name.endsWith(LEFTOVER_SUFFIX));
  const entries = safe.filter((d) => !d.name.endsWith(LEFTOVER_SUFFIX));
  try {
    const outcomes = [...(await removeIn(host, pin, leftovers)), ...(await retireIn(host, pin, entries, trashName))];
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

function failure(o: EntryOutcome): string | undefined {
  if (o.status === 'gone' || o.status === 'missing') return undefined;
  if (o.status === 'replaced') return 'replaced since the probe: left alone';
  return `${o.status === 'remaining' ? 'not all of it could be deleted' : 'could not be renamed'}${o.detail ? `: ${o.detail}` : ''}`;
}
