import type { Fingerprint } from '../../core/fingerprint.js';
import type { TempPlan } from './schema.js';

/** Each planned entry's identity, type, owner, mtime and size, and its parent dir's identity. */
export function tempFingerprint(plan: TempPlan): Fingerprint {
  const fp: Fingerprint = {};
  for (const i of plan.delete)
    fp[i.path] = {
      dev: i.dev,
      ino: i.ino,
      type: i.type,
      uid: i.uid,
      mtimeMs: i.mtimeMs,
      bytes: i.bytes,
      parentDev: i.parent.dev,
      parentIno: i.parent.ino,
    };
  return fp;
}
