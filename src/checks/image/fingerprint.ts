import type { Fingerprint } from '../../core/fingerprint.js';
import type { ImagePlan } from './schema.js';

/** The ids the plan compared and where each came from: a new wanted image, or a machine re-imaged since, voids it. */
export function imageFingerprint(plan: ImagePlan): Fingerprint {
  return {
    current: { id: plan.current, from: plan.from.current },
    wanted: { id: plan.wanted, from: plan.from.wanted },
  };
}
