import type { Fingerprint } from '../../core/fingerprint.js';
import type { PuppetPlan } from './schema.js';

/**
 * The summary's mtime (a run since the plan voids it), the lock's absence (a probe with the lock fails), the
 * run it will make and what a --noop run found pending. Not the reasons: they quote the last run's age.
 */
export function puppetFingerprint(plan: PuppetPlan): Fingerprint {
  const fields: Fingerprint[string] = { lock: 'absent', run: plan.argv.join(' '), pending: plan.pending.join('\n') };
  if (plan.summaryMtime !== undefined) fields.summaryMtime = plan.summaryMtime;
  return { [plan.summary]: fields };
}
