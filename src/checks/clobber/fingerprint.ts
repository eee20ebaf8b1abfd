import type { Fingerprint } from '../../core/fingerprint.js';
import type { ClobberPlan } from './schema.js';

/** Each build dir's identity and request; each entry it deletes, by identity (a clobber deletes entries whole, whatever their age or size). */
export function clobberFingerprint(plan: ClobberPlan): Fingerprint {
  const fp: Fingerprint = {};
  for (const a of plan.actions) {
    fp[a.path] = {
      kind: a.kind,
      requestedAt: a.requestedAt,
      markerBefore: a.markerBefore,
      dev: a.pin.dev,
      ino: a.pin.ino,
    };
    for (const e of a.entries) fp[`${a.path}/${e.name}`] = { dev: e.dev, ino: e.ino, type: e.type, uid: e.uid };
  }
  return fp;
}
