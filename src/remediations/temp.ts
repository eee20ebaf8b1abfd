import type { TempItem, TempOptions, TempPlan } from '../checks/temp/schema.js';
import { formatBytes } from '../core/units.js';
import { RunnerError } from '../core/errors.js';
import { printable } from '../core/text.js';
import type { Host, Remediation } from '../core/types.js';
import { mountPoints, mountUnder } from '../host/mounts.js';
import { deleteOwnedIn, PinError, type EntryOutcome } from '../host/pinned.js';
import { deferredFrom, LedgerWriteError, typeBits, type PendingEntry } from '../core/pending.js';
import { deferEntries, type Deferrable } from './pending/defer.js';

export const temp: Remediation<TempOptions, TempPlan> = {
  id: 'temp',
  async apply(host, plan, _opts, ctx) {
    const { same, changed } = await stillTheSame(host, plan.delete);
    const mounts = await mountPoints(host);
    const failures: string[] = [];
    const gone: TempItem[] = [];
    const ledger = ctx.pending;
    // deferred: renamed in place now (as root, never over anything), deleted later as the owner
    const now: Act = (first, todo) => deleteOwnedIn(host, first.parent, todo, { user: first.user, uid: first.uid });
    const act: Act = ledger
      ? (first, todo) =>
          deferEntries(host, ledger, first.parent, todo.map(deferrable), {
            by: 'temp',
            owner: { user: first.user, uid: first.uid },
          }).catch((err: unknown) => {
            // the ledger cannot be written (a full disk): delete at once, as without deferral
            if (err instanceof LedgerWriteError) return now(first, todo);
            throw err;
          })
      : now;
    for (const group of byParentAndOwner(same).values()) {
      for (const [it, why] of await deleteGroup(group, mounts, act, ledger !== undefined)) {
        if (why) failures.push(printable(`${it.path}: ${why}`));
        else gone.push(it);
      }
    }
    const left = changed.length
      ? `; ${changed.length} changed since the probe, left alone: ${changed.map(printable).join(', ')}`
      : '';
    const done = `${doneLine(gone, ledger?.entries() ?? [])}${left}`;
    if (failures.length)
      throw new RunnerError(`${done}; ${failures.length} could not be deleted: ${failures.join('; ')}`);
    return done;
  },
};

/**
 * Deletes one parent's entries of one owner AS that owner, inside the pinned parent, and only what the owner
 * owns: a dir swapped above cannot redirect it, and a file another user put in a dir afterwards stays.
 */
async function deleteGroup(
  items: readonly TempItem[],
  mounts: ReadonlySet<string>,
  act: Act,
  deferred: boolean,
): Promise<[TempItem, string | undefined][]> {
  const held = items.map((it) => mountUnder(mounts, it.path));
  const todo = items.filter((_, i) => held[i] === undefined);
  const first = items[0] as TempItem;
  let outcomes: EntryOutcome[];
  try {
    outcomes = await act(first, todo);
  } catch (err) {
    if (!(err instanceof PinError)) throw err;
    return items.map((it) => [it, err.message]);
  }
  const byItem = new Map(todo.map((it, i) => [it, outcomes[i]]));
  return items.map((it, i) => {
    if (held[i] !== undefined) return [it, `holds a mount point (${held[i]}): left alone`];
    const o = byItem.get(it);
    if (!o || o.status === 'gone' || o.status === 'missing') return [it, undefined];
    if (o.status === 'replaced') return [it, 'replaced since the probe: left alone'];
    const what = deferred ? 'could not be renamed' : 'not all of it could be deleted';
    return [it, `${what}${o.detail ? `: ${o.detail}` : ''}`];
  });
}

/** What went: deleted now, or renamed with its deletion deferred (recorded in the ledger). */
function doneLine(gone: readonly TempItem[], pending: readonly PendingEntry[]): string {
  const later = gone.filter((i) => deferredFrom(pending, i.parent.path, i.name));
  const deleted = gone.filter((i) => !later.includes(i));
  return [
    ...(deleted.length || !later.length ? [`deleted ${deleted.length} entries (${bytesOf(deleted)})`] : []),
    ...(later.length ? [`renamed ${later.length} entries (${bytesOf(later)}) to be deleted in the background`] : []),
  ].join(', ');
}

function bytesOf(items: readonly TempItem[]): string {
  return formatBytes(items.reduce((n, i) => n + i.bytes, 0));
}

/** What happens to one parent's entries of one owner: deleted now, or renamed and deferred. */
type Act = (first: TempItem, todo: readonly TempItem[]) => Promise<EntryOutcome[]>;

function deferrable(it: TempItem): Deferrable {
  return { name: it.name, dev: it.dev, ino: it.ino, uid: it.uid, type: typeBits(it.type), bytes: it.bytes };
}

function byParentAndOwner(items: readonly TempItem[]): Map<string, TempItem[]> {
  const groups = new Map<string, TempItem[]>();
  for (const it of items) {
    const key = `${it.uid}\0${it.parent.path}`;
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }
  return groups;
}

/** Splits the plan into entries still as the probe saw them and paths modified or replaced since (someone uses them again). */
async function stillTheSame(host: Host, items: readonly TempItem[]): Promise<{ same: TempItem[]; changed: string[] }> {
  const same: TempItem[] = [];
  const changed: string[] = [];
  for (const it of items) {
    const st = await host.lstat(it.path);
    if (st === null) continue;
    // a new entry in a dir changes its mtime
    const unchanged =
      st.dev === it.dev && st.ino === it.ino && st.type === it.type && st.uid === it.uid && st.mtimeMs === it.mtimeMs;
    if (unchanged) same.push(it);
    else changed.push(it.path);
  }
  return { same, changed };
}
