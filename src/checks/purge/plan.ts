import type { Pin } from '../../host/pinned.js';

/** What purge would delete and what it predicts; data, shown by check mode and executed by apply. */
export type PurgeReason = 'leftover' | 'age' | 'space';

export interface PurgeItem {
  path: string;
  /** the base dir holding it, as probed: apply acts only inside that very dir, on this name */
  base: Pin;
  name: string;
  sizeBytes: number;
  mtime: string;
  reason: PurgeReason;
  /** identity at probe time: apply refuses to delete anything that has since been replaced */
  dev: number;
  ino: number;
  /** its owner, recorded with it when its deletion is deferred */
  uid: number;
}

export interface PurgeVolume {
  /** the base dirs that share this filesystem */
  dirs: string[];
  freeBytes: number;
  /** deferred deletions on this filesystem (runner's `.deleteme` entries not yet deleted), counted as being freed */
  pendingBytes?: number;
  predictedFreeBytes: number;
  targetBytes?: number;
  /** bytes still missing after every deletable dir is gone; 0 when the target is met */
  shortBytes: number;
}

export interface PurgePlan {
  delete: PurgeItem[];
  volumes: PurgeVolume[];
  protected: { path: string; why: string }[];
}
