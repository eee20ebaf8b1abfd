import { flatFingerprint, type Fingerprint } from '../../core/fingerprint.js';
import type { ProcessesPlan } from './schema.js';

/** Kill: each stray's pid with its start time (clock ticks since boot), command line, owner and group; record: the whole plan. */
export function processesFingerprint(plan: ProcessesPlan): Fingerprint {
  if (plan.action === 'record') return flatFingerprint(plan);
  const fp: Fingerprint = {};
  for (const s of plan.strays)
    fp[`pid ${s.pid}`] = { start: s.start, args: s.args, uid: s.uid, pgid: s.pgid, wholeGroup: s.wholeGroup };
  fp['process groups'] = { signalled: plan.groups.join(',') };
  return fp;
}
