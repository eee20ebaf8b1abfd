import type { RunnerConfig } from '../config/load.js';
import type { ReadHost } from '../core/types.js';

/** A `.deleteme` tree renamed on the critical path and not yet deleted in the background. */
export interface PendingDeletion {
  path: string;
  bytes?: number;
  /** ISO time it was renamed */
  since?: string;
}

/**
 * HOOK for deferred deletion (issue 14 part 1, not built yet): what is still to delete. Until that lands
 * nothing is ever deferred, so the list is empty; `runner status` prints the section only when it is not.
 */
export async function pendingDeletions(_host: ReadHost, _config: RunnerConfig): Promise<PendingDeletion[]> {
  return [];
}
