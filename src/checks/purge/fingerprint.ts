import { freeTolerance, type Fingerprint } from '../../core/fingerprint.js';
import type { PurgePlan } from './plan.js';

/** Each planned dir's identity, mtime and size, its base dir's; each filesystem's free bytes, within a tolerance. */
export function purgeFingerprint(plan: PurgePlan): Fingerprint {
  const fp: Fingerprint = {};
  for (const i of plan.delete)
    fp[i.path] = {
      dev: i.dev,
      ino: i.ino,
      mtime: i.mtime,
      sizeBytes: i.sizeBytes,
      reason: i.reason,
      baseDev: i.base.dev,
      baseIno: i.base.ino,
    };
  for (const v of plan.volumes)
    fp[`free space on ${v.dirs.join(', ')}`] = {
      freeBytes: { value: v.freeBytes, tolerance: freeTolerance(v.freeBytes) },
    };
  return fp;
}
