import type { RunnerConfig } from '../config/load.js';
import { stateDirOf, type Lifecycle } from '../config/lifecycle.js';
import { pendingPath } from '../core/pending.js';
import type { ReadHost } from '../core/types.js';
import { livePending } from '../remediations/pending/summary.js';

/** A `.deleteme` tree renamed on the critical path and not yet deleted in the background. */
export interface PendingDeletion {
  path: string;
  bytes?: number;
  /** ISO time it was renamed */
  since?: string;
}

/** What is still to delete (`runner status`): the ledger's entries still in place, oldest first. */
export async function pendingDeletions(host: ReadHost, config: RunnerConfig): Promise<PendingDeletion[]> {
  const live = await livePending(host, stateDirOf(config.lifecycle as Lifecycle | undefined));
  return live.map((e) => ({ path: pendingPath(e), bytes: e.bytes, since: e.since }));
}
