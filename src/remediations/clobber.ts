import { join } from 'node:path/posix';
import { MARKER } from '../checks/clobber/index.js';
import type { ClobberAction, ClobberOptions, ClobberPlan } from '../checks/clobber/schema.js';
import { RunnerError } from '../core/errors.js';
import { LEFTOVER_SUFFIX } from '../core/paths.js';
import type { Host, Remediation } from '../core/types.js';
import { removeLeftovers, retireAll } from './retire.js';
import { count } from '../core/text.js';

export const clobber: Remediation<ClobberOptions, ClobberPlan> = {
  id: 'clobber',
  async apply(host, plan) {
    const failures: string[] = [];
    for (const action of plan.actions) {
      const errors = action.kind === 'clobber' ? await empty(host, action) : [];
      // the marker moves only after a complete clobber, so an interrupted one is simply redone
      if (errors.length === 0) await host.writeFile(join(action.path, MARKER), `${action.requestedAt}\n`);
      failures.push(...errors);
    }
    const clobbered = plan.actions.filter((a) => a.kind === 'clobber').length;
    const done = `clobbered ${count(clobbered, 'build dir')}, recorded ${count(plan.actions.length - clobbered, 'first marker')}`;
    if (failures.length) throw new RunnerError(`${done}; ${failures.length} entries could not be deleted: ${failures.join('; ')}`);
    return done;
  },
};

async function empty(host: Host, action: ClobberAction): Promise<string[]> {
  const paths = action.delete.map((name) => join(action.path, name));
  const leftovers = paths.filter((p) => p.endsWith(LEFTOVER_SUFFIX));
  const entries = paths.filter((p) => !p.endsWith(LEFTOVER_SUFFIX));
  return [...(await removeLeftovers(host, leftovers)), ...(await retireAll(host, entries.map((path) => ({ path }))))];
}
