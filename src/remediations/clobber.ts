import { join } from 'node:path/posix';
import { MARKER } from '../checks/clobber/index.js';
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
  async apply(host, plan, opts) {
    const mounts = await mountPoints(host);
    const failures: string[] = [];
    for (const action of plan.actions) {
      // the plan is data: it acts only on a build dir directly under clobber.dir
      if (action.pin.path !== join(opts.dir, action.builddir) || unsafeName(action.builddir)) {
        throw new RunnerError(`the plan names ${action.pin.path}, which is not a build dir of ${opts.dir}: refused`);
      }
      const errors = action.kind === 'clobber' ? await retireEntries(host, action.pin, action.entries, mounts) : [];
      // the marker moves only after a complete clobber, so an interrupted one is simply redone
      if (errors.length === 0) errors.push(...(await mark(host, action)));
      failures.push(...errors);
    }
    const clobbered = plan.actions.filter((a) => a.kind === 'clobber').length;
    const done = `clobbered ${count(clobbered, 'build dir')}, recorded ${count(plan.actions.length - clobbered, 'first marker')}`;
    if (failures.length) throw new RunnerError(`${done}; ${failures.length} entries could not be deleted: ${failures.join('; ')}`);
    return done;
  },
};

/** The marker is written inside the pinned build dir, never through a path someone could have swapped. */
async function mark(host: Host, action: ClobberAction): Promise<string[]> {
  // a first marker only where there still is none: a marker the probe missed (the dir was moved meanwhile) is not overwritten
  const onlyIfAbsent = action.kind === 'record';
  return writeIn(host, action.pin, MARKER, `${action.requestedAt}\n`, { onlyIfAbsent }).then(() => [], (err: unknown) => [printable(describeError(err))]);
}
