import { join } from 'node:path/posix';
import { MARKER } from '../checks/clobber/schema.js';
import { kept } from '../checks/clobber/parse.js';
import { deferredFrom, type PendingEntry } from '../core/pending.js';
import { unsafeName } from '../core/paths.js';
import type { ClobberAction, ClobberOptions, ClobberPlan } from '../checks/clobber/schema.js';
import { RunnerError, describeError } from '../core/errors.js';
import { count, printable } from '../core/text.js';
import type { Host, Remediation } from '../core/types.js';
import { mountPoints } from '../host/mounts.js';
import { writeIn } from '../host/pinned.js';
import { retireEntries } from './retire.js';

export const clobber: Remediation<ClobberOptions, ClobberPlan> = {
  id: 'clobber',
  async apply(host, plan, opts, ctx) {
    const mounts = await mountPoints(host);
    const defer = ctx.pending ? { ledger: ctx.pending, by: 'clobber' } : undefined;
    const failures: string[] = [];
    for (const action of plan.actions) {
      // the plan is data: it acts only on a build dir directly under clobber.dir
      if (action.pin.path !== join(opts.dir, action.builddir) || unsafeName(action.builddir)) {
        throw new RunnerError(`the plan names ${action.pin.path}, which is not a build dir of ${opts.dir}: refused`);
      }
      const errors =
        action.kind === 'clobber' ? await retireEntries(host, action.pin, action.entries, mounts, defer) : [];
      if (errors.length === 0 && action.kind === 'clobber')
        errors.push(...(await leftBehind(host, action, opts, ctx.pending?.entries() ?? [])));
      // the marker moves only after a complete clobber, so an interrupted one is simply redone
      if (errors.length === 0) errors.push(...(await mark(host, action)));
      failures.push(...errors);
    }
    const clobbered = plan.actions.filter((a) => a.kind === 'clobber').length;
    const pending = ctx.pending?.entries() ?? [];
    const deferred = plan.actions.some((a) => a.delete.some((name) => deferredFrom(pending, a.path, name)));
    const later = deferred ? ' (entries renamed, to be deleted in the background)' : '';
    const done = `clobbered ${count(clobbered, 'build dir')}${later}, recorded ${count(plan.actions.length - clobbered, 'first marker')}`;
    if (failures.length)
      throw new RunnerError(`${done}; ${failures.length} entries could not be deleted: ${failures.join('; ')}`);
    return done;
  },
};

/**
 * What a clobber left in the build dir, listed afresh: a probe that listed another dir (the build dir moved
 * or swapped meanwhile) must not get the marker written over entries it never deleted.
 */
async function leftBehind(
  host: Host,
  action: ClobberAction,
  opts: ClobberOptions,
  pending: readonly PendingEntry[],
): Promise<string[]> {
  const [st, entries] = await Promise.all([host.lstat(action.path), host.readdir(action.path)]);
  const same = st !== null && st.type === 'dir' && st.dev === action.pin.dev && st.ino === action.pin.ino;
  const left = (entries ?? []).filter((e) => !kept(e, action.path, opts, pending));
  if (same && entries !== null && left.length === 0) return [];
  const why =
    same && entries !== null
      ? `still holds ${left
          .map((e) => e.name)
          .slice(0, 5)
          .join(', ')}`
      : 'changed since the probe';
  return [printable(`${action.path}: ${why}: the marker is not moved, the clobber is redone next run`)];
}

/** The marker is written inside the pinned build dir, never through a path someone could have swapped. */
async function mark(host: Host, action: ClobberAction): Promise<string[]> {
  // a first marker only where there still is none: a marker the probe missed (the dir was moved meanwhile) is not overwritten
  const onlyIfAbsent = action.kind === 'record';
  return writeIn(host, action.pin, MARKER, `${action.requestedAt}\n`, { onlyIfAbsent }).then(
    () => [],
    (err: unknown) => [printable(describeError(err))],
  );
}
