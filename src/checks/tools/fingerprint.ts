import type { Fingerprint } from '../../core/fingerprint.js';
import type { ToolsPlan } from './schema.js';

/**
 * Per checkout: what apply does, the parent revision it starts from, the wanted remote revision (a branch's
 * head as resolved), the local changes it discards and the leftovers it removes. Not the reasons' wording.
 */
export function toolsFingerprint(plan: ToolsPlan): Fingerprint {
  const fp: Fingerprint = {};
  for (const c of plan.checkouts)
    fp[c.path] = {
      vcs: c.vcs,
      action: c.action,
      parent: c.from ?? null,
      wanted: c.to.rev ?? null,
      wantedTag: c.to.tag ?? null,
      wantedBranch: c.to.branch ?? null,
      target: c.to.spec,
      pull: c.pull,
      dirty: c.dirty,
      changes: c.clean.join('\n'),
      leftovers: c.leftovers.join('\n'),
    };
  return fp;
}
